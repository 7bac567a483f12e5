"""What a hostile file gets through `python -m ingestion load` in a real process: big fields
load in any row, an absurd one is refused naming file, row and column; bytes that are not
UTF-8 are named with their row and column (and recognised as Latin-1 or UTF-16); nothing
already in gold changes after a refusal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.focus_files import HEADER, row, write_csv


def cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingestion", "load", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def gold(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT * FROM gold.daily_cost ORDER BY 1, 2, 3, 4, 5")))


def reference_billed(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Decimal:
    with open(path, newline="", encoding=encoding) as f:
        return sum((Decimal(r["BilledCost"]) for r in csv.DictReader(f, delimiter=delimiter)), 0)


def bronze_billed(engine: sa.Engine, source: str) -> Decimal:
    query = "SELECT sum(billed_cost) FROM bronze.focus_cost WHERE x_source = :s"
    with engine.connect() as conn:
        return conn.execute(sa.text(query), {"s": source}).scalar_one()


@pytest.fixture
def loaded(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> list[tuple]:
    """A good file already in gold: every refusal below must leave it as it is."""
    good = write_csv(tmp_path / "good.csv", [row("2024-08-01", "7.25"), row("2024-08-02", "1")])
    run = cli(app_env, str(good), "--source", "earlier")
    assert run.returncode == 0, run.stderr
    before = gold(empty_db)
    assert before
    return before


def test_large_fields_load_in_any_row(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> None:
    """Over Python's 128 KiB csv default in row 1; 10,000 tag keys in row 2; a row longer than
    the 1 MiB read block in row 4 (read again in blocks that fit it)."""
    keys = {f"k{i:05d}": "v" for i in range(10_000)}
    rows = [
        row("2024-09-01", "1.10", tags=json.dumps({"blob": "x" * 200_000})),
        row("2024-09-02", "2.20", tags=json.dumps(keys)),
        row("2024-09-03", "3.30"),
        row("2024-09-04", "4.40", tags=json.dumps({"blob": "y" * 3_000_000})),
        *[row("2024-09-05", "0.01")] * 5,
    ]
    path = write_csv(tmp_path / "big-tags.csv", rows)
    run = cli(app_env, str(path), "--source", "big", CLOUDLENS_LOAD_BATCH_MB="1")
    assert run.returncode == 0, run.stderr
    assert "loaded big-tags.csv [FOCUS CSV]: 9 rows" in run.stdout
    assert bronze_billed(empty_db, "big") == reference_billed(path) == Decimal("11.05")
    query = (
        "SELECT count(*) FROM bronze.focus_cost, jsonb_object_keys(tags) "
        "WHERE x_source = 'big' AND charge_period_start::date = '2024-09-02'"
    )
    with empty_db.connect() as conn:
        assert conn.execute(sa.text(query)).scalar_one() == 10_000


@pytest.mark.parametrize("bad_row", [1, 3])
def test_absurd_field_is_refused_naming_row_and_column(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path, bad_row: int
) -> None:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 5)]
    rows[bad_row - 1]["ServiceName"] = "z" * (3 * 1024 * 1024)
    path = write_csv(tmp_path / "absurd.csv", rows)
    run = cli(app_env, str(path), CLOUDLENS_LOAD_FIELD_MB="2")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"error: absurd.csv (FOCUS), row {bad_row}, column ServiceName: a field larger than "
        "the limit of 2 MiB (CLOUDLENS_LOAD_FIELD_MB)"
    )
    assert gold(empty_db) == loaded


def test_absurd_field_at_the_default_limit(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    rows = [row("2024-09-01", "1"), row("2024-09-02", "1", tags='{"a": "' + "q" * 20_000_000)]
    rows[1]["Tags"] += '"}'
    path = write_csv(tmp_path / "huge.csv", rows)
    run = cli(app_env, str(path))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: huge.csv (FOCUS), row 2, column Tags: a field larger than the limit of 16 MiB "
        "(CLOUDLENS_LOAD_FIELD_MB)"
    )
    assert gold(empty_db) == loaded


def _text(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_excel_unicode_text_is_read(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    rows = [row("2024-09-01", "1.5", service="Überwachung"), row("2024-09-02", "2.25")]
    path = tmp_path / "excel.txt"
    path.write_bytes(_text(rows, "\t").encode("utf-16"))
    run = cli(app_env, str(path), "--source", "excel")
    assert run.returncode == 0, run.stderr
    assert "loaded excel.txt [FOCUS CSV (UTF-16, tab-separated)]: 2 rows" in run.stdout
    assert bronze_billed(empty_db, "excel") == reference_billed(path, "utf-16", "\t")
    with empty_db.connect() as conn:
        names = conn.execute(sa.text("SELECT service_name FROM bronze.focus_cost")).scalars()
        assert "Überwachung" in set(names)


def test_latin1_bytes_are_named_by_row_and_column(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 5)]
    rows[2]["SubAccountName"] = "Café Crème"
    path = tmp_path / "latin1.csv"
    path.write_bytes(_text(rows).encode("cp1252"))
    run = cli(app_env, str(path))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: latin1.csv (FOCUS), row 3, column SubAccountName: not UTF-8 text (byte 0xE9): "
        "it looks like Latin-1/Windows-1252 ('Café Crème' read that way); save the file as UTF-8"
    )
    assert gold(empty_db) == loaded


def test_bytes_that_are_no_known_text_are_named_too(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 4)]
    data = _text(rows).encode().replace(b"acct 111111111111", b"acct \x81\x8d", 1)
    path = tmp_path / "garbled.csv"
    path.write_bytes(data)
    run = cli(app_env, str(path))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: garbled.csv (FOCUS), row 1, column SubAccountName: not UTF-8 text (byte 0x81)"
    )
    assert gold(empty_db) == loaded


def test_latin1_header_and_utf16_without_mark_are_refused(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    text = _text([row("2024-09-01", "1")])
    header = tmp_path / "header.csv"
    header.write_bytes(text.replace("SubAccountName", "SubAccountNäme").encode("cp1252"))
    unmarked = tmp_path / "unmarked.csv"
    unmarked.write_bytes(text.encode("utf-16-le"))
    run = cli(app_env, str(header), str(unmarked))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: header.csv, column SubAccountN\ufffdme: the header is not UTF-8 text "
        "(byte 0xE4): it looks like Latin-1/Windows-1252 ('SubAccountNäme' read that way); "
        "save the file as UTF-8",
        "error: unmarked.csv: the file looks like UTF-16 text without a byte-order mark: save "
        'it as UTF-8 (or as Excel\'s "Unicode text", which marks it)',
    ]
    assert gold(empty_db) == loaded
