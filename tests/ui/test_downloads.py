"""The dashboard's CSV downloads are safe to open in a spreadsheet (OWASP CSV injection): text
that would run as a formula gets a leading quote, numbers stay numbers, and the FOCUS export
stays verbatim. Line-item downloads leave no file behind."""

from __future__ import annotations

import csv
import gzip
import io
import os
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from db.extract import write_line_items
from db.users import Scope
from ingestion.focus_export import export_focus
from ingestion.loader import load_file
from tests.focus_files import HEADER, row, write_csv
from ui import data
from ui.tables import to_csv

# (cell as loaded, cell as a spreadsheet download must write it)
CELLS = [
    (
        '=HYPERLINK("http://evil.example/x","click")',
        '\'=HYPERLINK("http://evil.example/x","click")',
    ),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tindented", "'\tindented"),
    ("\rreturn", "'\rreturn"),
    ("web-server-01", "web-server-01"),
    ("-12.50", "-12.50"),
    ("+3", "+3"),
    ("a=b", "a=b"),
]


@pytest.mark.fast
def test_table_csv_quotes_formulas_and_keeps_numbers() -> None:
    df = pd.DataFrame(
        {
            "name": [loaded for loaded, _ in CELLS],
            "cost": [Decimal("-12.50")] * len(CELLS),
            "=key": ["x"] * len(CELLS),
        }
    )
    out = to_csv(df, {"name": "Resource", "cost": "Cost", "=key": "=key"})
    lines = list(csv.reader(io.StringIO(out.decode(), newline="")))
    assert lines[0] == ["Resource", "Cost", "'=key"]
    assert [line[0] for line in lines[1:]] == [safe for _, safe in CELLS]
    assert {line[1] for line in lines[1:]} == {"-12.50"}


@pytest.fixture
def loaded(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    header = [*HEADER, "ResourceName"] if "ResourceName" not in HEADER else HEADER
    rows = [
        row(f"2024-09-{i + 1:02d}", "-12.50") | {"ResourceName": loaded}
        for i, (loaded, _) in enumerate(CELLS)
    ]
    load_file(empty_db, write_csv(tmp_path / "in.csv", rows, header))
    return empty_db


def _resource_names(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        return [r["ResourceName"] for r in csv.DictReader(f)]


def test_line_items_for_a_spreadsheet_and_focus_export_verbatim(
    loaded: sa.Engine, tmp_path: Path
) -> None:
    period = date(2024, 9, 1)
    safe = write_line_items(loaded, tmp_path / "safe.csv.gz", period, Scope(), spreadsheet=True)
    assert _resource_names(safe.path) == [s for _, s in CELLS]
    with gzip.open(safe.path, "rt", newline="") as f:
        assert {r["BilledCost"] for r in csv.DictReader(f)} == {"-12.50"}
    raw = write_line_items(loaded, tmp_path / "raw.csv.gz", period, Scope())
    assert _resource_names(raw.path) == [c for c, _ in CELLS]
    export_focus(loaded, tmp_path / "focus.csv")
    assert sorted(_resource_names(tmp_path / "focus.csv")) == sorted(c for c, _ in CELLS)


def test_line_items_download_leaves_no_file(
    loaded: sa.Engine, app_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "tmp"
    downloads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(downloads))
    data.settings.clear()  # both cached per process: another module may have filled them
    data.engine.clear()
    body = data.line_items_file(date(2024, 9, 1), Scope(), (), ())()
    with gzip.open(io.BytesIO(body), "rt", newline="") as f:
        names = [r["ResourceName"] for r in csv.DictReader(f)]
    assert names == [s for _, s in CELLS]
    assert list(downloads.iterdir()) == []


def test_leftover_downloads_older_than_the_bound_are_removed(tmp_path: Path) -> None:
    old = tmp_path / f"{data.DOWNLOAD_PREFIX}old.csv.gz"
    young = tmp_path / f"{data.DOWNLOAD_PREFIX}young.csv.gz"
    other = tmp_path / "someone-elses.csv.gz"
    for f in (old, young, other):
        f.write_bytes(b"x")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    os.utime(other, (two_hours_ago, two_hours_ago))
    assert data.remove_leftovers(tmp_path, max_age_s=3600) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, other.name])
