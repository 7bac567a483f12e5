"""The FOCUS reader on its own: header mapping, value parsing, and the errors a person sees."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.errors import BadInput
from ingestion.formats import open_export
from tests.focus_files import HEADER, row, write_csv

pytestmark = pytest.mark.fast  # no database: `make test-fast`


def read_all(path: Path) -> pa.Table:
    focus = open_export(path)
    return pa.Table.from_batches([b.data for b in focus.batches()])


def test_reads_csv_into_bronze_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", [row("2024-09-03", "1.25"), row("2024-09-04", "2.5")])
    table = read_all(path)
    assert table.num_rows == 2
    assert table.column("billed_cost").to_pylist() == ["1.25", "2.5"]
    assert str(table.column("charge_period_start")[0].as_py()) == "2024-09-03 00:00:00+00:00"
    assert table.column("tags")[0].as_py() == '{"team": "web"}'


@pytest.mark.parametrize(
    "header_style",
    [str.lower, lambda h: "".join("_" + c.lower() if c.isupper() else c for c in h).lstrip("_")],
    ids=["lowercase", "snake_case"],
)
def test_header_matching_ignores_case_and_separators(tmp_path: Path, header_style) -> None:
    rows = [{header_style(k): v for k, v in row("2024-09-03", "3").items()}]
    path = write_csv(tmp_path / "f.csv", rows, [header_style(h) for h in HEADER])
    assert read_all(path).column("billed_cost").to_pylist() == ["3"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-09-01 00:00:00", "2024-09-01 00:00:00+00:00"),
        ("2024-09-01T05:30:00Z", "2024-09-01 05:30:00+00:00"),
        ("2024-09-01T05:30:00+02:00", "2024-09-01 03:30:00+00:00"),
        ("2024-09-01", "2024-09-01 00:00:00+00:00"),
        ("9/1/24", "2024-09-01 00:00:00+00:00"),
        ("09/01/2024", "2024-09-01 00:00:00+00:00"),
    ],
    ids=["space", "zulu", "offset", "date-only", "us-short", "us-long"],
)
def test_timestamp_forms(tmp_path: Path, raw: str, expected: str) -> None:
    r = row("2024-09-03", "1")
    r["ChargePeriodStart"] = raw
    table = read_all(write_csv(tmp_path / "f.csv", [r]))
    assert str(table.column("charge_period_start")[0].as_py()) == expected


def test_null_tokens_and_formatted_money(tmp_path: Path) -> None:
    text = (
        "BilledCost,BillingPeriodStart,ChargePeriodStart,ListCost,EffectiveCost\n"
        '"$1,234.50",2024-09-01,2024-09-02,NULL,\n'
    )
    (tmp_path / "f.csv").write_text(text)
    focus = open_export(tmp_path / "f.csv")
    table = pa.Table.from_batches([b.data for b in focus.batches()])
    assert table.column("billed_cost").to_pylist() == ["1234.50"]
    assert table.column("list_cost").to_pylist() == [None]
    assert table.column("effective_cost").to_pylist() == [None]
    assert any("currency symbols" in w for w in focus.warnings)


def test_gzip_and_parquet_read_the_same(tmp_path: Path) -> None:
    rows = [row("2024-09-03", "1.10"), row("2024-10-03", "2.20")]
    csv_path = write_csv(tmp_path / "f.csv", rows)
    gz_path = write_csv(tmp_path / "f.csv.gz", rows)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "f.parquet")
    expected = read_all(csv_path).column("billed_cost").to_pylist()
    assert read_all(gz_path).column("billed_cost").to_pylist() == expected
    assert read_all(tmp_path / "f.parquet").column("billed_cost").to_pylist() == expected
    assert open_export(gz_path).format == "FOCUS CSV (gzip)"
    assert open_export(tmp_path / "f.parquet").format == "FOCUS Parquet"


def _truncated_gzip(path: Path) -> Path:
    data = gzip.compress(
        (
            "\n".join(
                ["BilledCost,BillingPeriodStart,ChargePeriodStart"]
                + ["1,2024-09-01,2024-09-02"] * 5000
            )
        ).encode()
    )
    path.write_bytes(data[: len(data) // 2])
    return path


def _bytes(data: bytes):
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _bad_charge_date(path: Path) -> Path:
    rows = [row("2024-09-03", "1"), row("2024-09-04", "1"), row("2024-09-05", "1")]
    rows[2]["ChargePeriodStart"] = "2024-13-45T00:00:00Z"
    return write_csv(path, rows)


BAD_FILES = {
    "empty": (_bytes(b""), "the file is empty", None, None),
    "binary": (
        _bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        "not a CSV text file",
        None,
        None,
    ),
    "json": (
        _bytes(b'{"name": "a JSON record, not a cost row"}\n'),
        "not a recognized cost export",
        None,
        None,
    ),
    "missing-column": (
        lambda p: write_csv(p, [row("2024-09-03", "1")], [h for h in HEADER if h != "BilledCost"]),
        "required FOCUS column is missing",
        None,
        "BilledCost",
    ),
    "misspelled-column": (
        _bytes(b"BilledCosts,BillingPeriodStart,ChargePeriodStart\n1,2024-09-01,2024-09-01\n"),
        "misspelled?",
        None,
        "BilledCost",
    ),
    "non-numeric-cost": (
        lambda p: write_csv(p, [row("2024-09-03", "1"), row("2024-09-04", "12abc")]),
        "'12abc' is not a number",
        2,
        "BilledCost",
    ),
    "bad-date": (
        _bad_charge_date,
        "is not a date/time",
        3,
        "ChargePeriodStart",
    ),
    "impossible-date": (
        lambda p: write_csv(p, [row("2024-02-30", "1")]),
        "is not a date/time",
        1,
        "ChargePeriodStart",
    ),
    "ragged-row": (
        _bytes(
            b"BilledCost,BillingPeriodStart,ChargePeriodStart\n"
            b"1,2024-09-01,2024-09-01\n2,2024-09-01\n"
        ),
        "malformed CSV",
        None,
        None,
    ),
    "truncated-gzip": (_truncated_gzip, "gzip data is truncated or corrupt", None, None),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_name_file_row_and_column(tmp_path: Path, case: str) -> None:
    make, reason, bad_row, column = BAD_FILES[case]
    suffix = ".csv.gz" if "gzip" in case else ".csv"
    path = make(tmp_path / f"bad{suffix}")
    with pytest.raises(BadInput) as caught:
        focus = open_export(path)
        for _ in focus.batches():
            pass
    err = caught.value
    assert err.file == path.name
    assert reason in err.reason
    assert err.row == bad_row or bad_row is None
    assert err.column == column
    assert str(err).startswith(path.name)
