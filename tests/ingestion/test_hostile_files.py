"""What a hostile file gets through `python -m ingestion load` in a real process: big fields
load in any row, an absurd one is refused naming file, row and column; bytes that are not
UTF-8 are named with their row and column (and recognised as Latin-1 or UTF-16); nothing
already in gold changes after a refusal.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.errors import BadInput
from ingestion.formats import open_export
from ingestion.loader import load_file
from tests.focus_files import HEADER, row, write_csv
from tests.ingestion.load_cli import cli, gold


def reference_billed(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Decimal:
    csv.field_size_limit(64 * 1024 * 1024)  # the test files' Tags are larger than its default
    with open(path, newline="", encoding=encoding) as f:
        return sum((Decimal(r["BilledCost"]) for r in csv.DictReader(f, delimiter=delimiter)), 0)


def bronze_billed(engine: sa.Engine, source: str) -> Decimal:
    query = "SELECT sum(billed_cost) FROM bronze.focus_cost WHERE x_source = :s"
    with engine.connect() as conn:
        return conn.execute(sa.text(query), {"s": source}).scalar_one()


@pytest.fixture
def loaded(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> list[tuple]:
    """A good file already in gold (loaded in-process: a CLI start costs seconds here), which
    every refusal below must leave as it is."""
    good = write_csv(tmp_path / "good.csv", [row("2024-08-01", "7.25"), row("2024-08-02", "1")])
    assert load_file(empty_db, good, source="earlier").status == "loaded"
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


def test_absurd_field_is_refused_naming_row_and_column(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    """At the default limit (16 MiB), in the first row (where Python's csv module used to fail
    with exit 1) and further down (where Arrow used to fail without a row)."""
    absurd = "z" * (17 * 1024 * 1024)
    first = [row(f"2024-09-0{i}", "1") for i in range(1, 5)]
    first[0]["Tags"] = json.dumps({"blob": absurd})
    third = [row(f"2024-09-0{i}", "1") for i in range(1, 5)]
    third[2]["ServiceName"] = absurd
    paths = [write_csv(tmp_path / "first.csv", first), write_csv(tmp_path / "third.csv", third)]
    run = cli(app_env, *map(str, paths))
    assert run.returncode == 2
    limit = "a field larger than the limit of 16 MiB (CLOUDLENS_LOAD_FIELD_MB)"
    assert run.stderr.strip().splitlines() == [
        f"error: first.csv (FOCUS), row 1, column Tags: {limit}",
        f"error: third.csv (FOCUS), row 3, column ServiceName: {limit}",
    ]
    assert gold(empty_db) == loaded


@pytest.mark.fast
@pytest.mark.parametrize("container", ["csv", "json"])
def test_the_limit_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, container: str
) -> None:
    monkeypatch.setenv("CLOUDLENS_LOAD_FIELD_MB", "1")
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 4)]
    rows[1]["ChargeCategory"] = "u" * (1024 * 1024 + 1)
    if container == "csv":
        path = write_csv(tmp_path / "f.csv", rows)
    else:
        path = tmp_path / "f.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        for _ in open_export(path).batches():
            pass
    assert (caught.value.row, caught.value.column) == (2, "ChargeCategory")
    assert caught.value.reason == "a field larger than the limit of 1 MiB (CLOUDLENS_LOAD_FIELD_MB)"


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


def test_bytes_that_are_not_utf8_are_named(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    """Latin-1 in row 3 (said so), bytes of no known text in row 1, a Latin-1 header, UTF-16
    without its mark: each named, nothing in gold changed."""
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 5)]
    rows[2]["SubAccountName"] = "Café Crème"
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(_text(rows).encode("cp1252"))
    text = _text([row(f"2024-09-0{i}", "1") for i in range(1, 4)])
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(text.encode().replace(b"acct 111111111111", b"acct \x81\x8d", 1))
    header = tmp_path / "header.csv"
    header.write_bytes(text.replace("SubAccountName", "SubAccountNäme").encode("cp1252"))
    unmarked = tmp_path / "unmarked.csv"
    unmarked.write_bytes(text.encode("utf-16-le"))
    run = cli(app_env, *map(str, (latin1, garbled, header, unmarked)))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: latin1.csv (FOCUS), row 3, column SubAccountName: not UTF-8 text (byte 0xE9): "
        "it looks like Latin-1/Windows-1252 ('Café Crème' read that way); save the file as UTF-8",
        "error: garbled.csv (FOCUS), row 1, column SubAccountName: not UTF-8 text (byte 0x81)",
        "error: header.csv, column SubAccountN\ufffdme: the header is not UTF-8 text "
        "(byte 0xE4): it looks like Latin-1/Windows-1252 ('SubAccountNäme' read that way); "
        "save the file as UTF-8",
        "error: unmarked.csv: the file looks like UTF-16 text without a byte-order mark: save "
        'it as UTF-8 (or as Excel\'s "Unicode text", which marks it)',
    ]
    assert gold(empty_db) == loaded


def _latin1_in_unread_column_then_read_one(path: Path) -> Path:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 6)]
    for r in rows:
        r["x_Notes"] = "plain"
    rows[1]["x_Notes"] = "Köln"  # a column the loader does not read: not its business
    rows[3]["ServiceName"] = "Zürich"
    out = io.StringIO()
    writer = csv.DictWriter(out, [*HEADER, "x_Notes"])
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(gzip.compress(out.getvalue().encode("cp1252")))
    return path


def _utf16_bad_surrogate(path: Path) -> Path:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 4)]
    rows[1]["ServiceName"] = "MARK"
    data = _text(rows, "\t").encode("utf-16-le")
    at = data.find("MARK".encode("utf-16-le"))
    path.write_bytes(b"\xff\xfe" + data[:at] + b"\x00\xd8" + data[at + 2 :])  # a lone surrogate
    return path


def _deep_json(path: Path) -> Path:
    path.write_text('{"BilledCost": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    return path


def _nul_in_a_row(path: Path) -> Path:
    rows = [row(f"2024-09-0{i}", "1") for i in range(1, 4)]
    path.write_bytes(_text(rows).encode().replace(b"acct 111111111111", b"acct \x00", 1))
    return path


READER_CASES = {
    "latin1-gzip": (_latin1_in_unread_column_then_read_one, 4, "ServiceName", "'Zürich'"),
    "utf16-surrogate": (_utf16_bad_surrogate, 2, "ServiceName", "not UTF-16 text"),
    "deep-json": (_deep_json, 1, None, "a record nested too deeply to read"),
}


@pytest.mark.fast
@pytest.mark.parametrize("case", list(READER_CASES), ids=list(READER_CASES))
def test_reader_names_the_row_of_bad_text(tmp_path: Path, case: str) -> None:
    make, bad_row, column, reason = READER_CASES[case]
    path = make(tmp_path / f"{case}.file")
    with pytest.raises(BadInput) as caught:
        for _ in open_export(path).batches():
            pass
    assert (caught.value.row, caught.value.column) == (bad_row, column)
    assert reason in caught.value.reason


@pytest.mark.fast
def test_a_stray_control_byte_is_not_a_binary_file(tmp_path: Path) -> None:
    """One NUL in a data row is that row's problem (the database refuses it), not a reason to
    call the whole file binary."""
    export = open_export(_nul_in_a_row(tmp_path / "nul.csv"))
    assert export.format == "FOCUS CSV"
