"""`python -m ingestion load` as a person runs it (a real process, the test's database in
DATABASE_URL), and gold read back, so a refusal can be checked to leave gold as it was. One copy
for every CLI test, so their processes all start the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import ROOT

GOLD = "SELECT * FROM gold.daily_cost ORDER BY 1, 2, 3, 4, 5, 6, 7, 8"


def load_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ingestion", "load", *map(str, args)]


def cli(url: str, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        load_command(*args),
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


def gold(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(GOLD))]
