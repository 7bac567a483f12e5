"""Loading the demo: generate its files, then load each one the way a user's files load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ingestion.demo.files import write_files
from ingestion.loader import FileResult, load_file


def load_demo(
    engine: sa.Engine,
    out_dir: Path,
    *,
    months: int = 13,
    seed: int = 7,
    end: date | None = None,
    scale: int = 1,
    source: str = "demo",
) -> list[FileResult]:
    """Generate the demo files, then load each one.

    Each provider is its own source (`demo-aws`, `demo-azure`, ...): the loader replaces, per
    source and billing period, everything that source delivered, so under one source the four
    files of a month would replace each other. Files already loaded (same bytes) are skipped.
    """
    files = list(write_files(out_dir, months=months, seed=seed, end=end, scale=scale))
    # Every load rebuilds gold for the whole billing period, so within a month the smaller files
    # go first: the big one then pays for one rebuild instead of three.
    files.sort(key=lambda f: (f[1].name.rsplit("-", 2)[-2:], f[1].stat().st_size))
    return [load_file(engine, path, source=f"{source}-{p.key}") for p, path in files]
