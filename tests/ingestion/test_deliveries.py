"""Deliveries against real Postgres: several parts in one transaction, the two modes, a failing
part, batch-stream parts, skips, and two sources loading at once. Expected money is literal (the
rows written here), never read back from the tables the load writes."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from db import load
from ingestion.delivery import Delivery, Part
from ingestion.loader import DeliveryResult, load_delivery, load_file
from tests.focus_files import HEADER, reference_totals, row, write_csv

SEP, OCT, NOV = date(2024, 9, 1), date(2024, 10, 1), date(2024, 11, 1)


def gold_by_period(engine: sa.Engine) -> dict[date, Decimal]:
    query = "SELECT billing_period_start, sum(billed_cost) FROM gold.daily_cost GROUP BY 1"
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(query)).all())


def bronze_by_source(engine: sa.Engine) -> dict[tuple[str, date], tuple[int, Decimal]]:
    query = (
        "SELECT x_source, (billing_period_start AT TIME ZONE 'UTC')::date, count(*), "
        "sum(billed_cost) FROM bronze.focus_cost GROUP BY 1, 2"
    )
    with engine.connect() as conn:
        return {(s, p): (n, v) for s, p, n, v in conn.execute(sa.text(query))}


def gold_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT * FROM gold.daily_cost ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"
                )
            )
        ]


def log_rows(engine: sa.Engine) -> dict[str, tuple[str, str | None, int, str]]:
    query = "SELECT file_name, status, error, delivery_id, mode FROM app.load_log ORDER BY load_id"
    with engine.connect() as conn:
        return {name: (s, e, d, m) for name, s, e, d, m in conn.execute(sa.text(query))}


def files(tmp_path: Path, parts: dict[str, list[dict[str, str]]]) -> list[Path]:
    return [write_csv(tmp_path / name, rows) for name, rows in parts.items()]


def deliver(
    engine: sa.Engine, paths: list[Path], source: str, mode: str = "replace_period", **kw: bool
) -> DeliveryResult:
    parts = tuple(Part(p.name, path=p) for p in paths)
    return load_delivery(engine, Delivery("d", parts, mode), source=source, **kw)


# --- replace_period: parts together replace their periods once ---------------------------------

THREE_PARTS = {
    "part-1.csv": [row("2024-09-01", "1.10"), row("2024-09-02", "2.20", service="S3")],
    "part-2.csv": [row("2024-09-03", "3.30", account="222222222222")],
    "part-3.csv": [row("2024-09-04", "4.40"), row("2024-10-01", "0.50")],
}


def test_a_period_in_three_parts_equals_the_same_rows_in_one_file(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    parts = files(tmp_path, THREE_PARTS)
    expected = {SEP: Decimal("11.00"), OCT: Decimal("0.50")}
    oracle = [reference_totals(p) for p in parts]  # the files re-read with csv and Decimal
    assert sum(t.get(("AWS", SEP), Decimal(0)) for t in oracle) == expected[SEP]

    # what the source delivered for September before: the delivery replaces it
    old = write_csv(tmp_path / "old.csv", [row("2024-09-05", "99.00")])
    assert load_file(empty_db, old, source="aws").status == "loaded"
    other = write_csv(tmp_path / "other.csv", [row("2024-09-06", "5.00", provider="Microsoft")])
    assert load_file(empty_db, other, source="azure").status == "loaded"

    result = deliver(empty_db, parts, "aws")

    assert result.status == "loaded", result.error
    assert [f.status for f in result.files] == ["loaded"] * 3
    assert result.rows == 5 and result.periods == [SEP, OCT]
    assert gold_by_period(empty_db) == {SEP: Decimal("16.00"), OCT: Decimal("0.50")}
    assert bronze_by_source(empty_db) == {
        ("aws", SEP): (4, Decimal("11.00")),
        ("aws", OCT): (1, Decimal("0.50")),
        ("azure", SEP): (1, Decimal("5.00")),
    }
    logged = log_rows(empty_db)
    assert {logged[p.name][0] for p in parts} == {"loaded"}
    assert len({logged[p.name][2] for p in parts}) == 1  # one delivery id
    in_parts = gold_rows(empty_db)

    one = write_csv(tmp_path / "one.csv", [r for rows in THREE_PARTS.values() for r in rows])
    assert load_file(empty_db, one, source="aws").status == "loaded"
    assert gold_rows(empty_db) == in_parts
    assert bronze_by_source(empty_db)[("aws", SEP)] == (4, Decimal("11.00"))


def test_a_delivery_is_skipped_only_when_all_its_parts_were_loaded_together(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    parts = files(tmp_path, THREE_PARTS)
    assert deliver(empty_db, parts, "aws").status == "loaded"
    again = deliver(empty_db, parts, "aws")
    assert again.status == "skipped"
    assert [f.status for f in again.files] == ["skipped"] * 3

    # part 2 changed: all three load again (the period replaced by part 2 alone would lose 1, 3)
    write_csv(parts[1], [row("2024-09-03", "30.00", account="222222222222")])
    changed = deliver(empty_db, parts, "aws")
    assert [f.status for f in changed.files] == ["loaded"] * 3
    assert gold_by_period(empty_db) == {SEP: Decimal("37.70"), OCT: Decimal("0.50")}

    # new parts, each first loaded alone (three deliveries, each replacing September): the
    # delivery of all three was never loaded, so it loads
    write_csv(parts[0], [row("2024-09-01", "1.00")])
    write_csv(parts[1], [row("2024-09-02", "2.00")])
    for path in parts:
        assert load_file(empty_db, path, source="aws", force=True).status == "loaded"
    assert gold_by_period(empty_db) == {SEP: Decimal("4.40"), OCT: Decimal("0.50")}
    assert deliver(empty_db, parts, "aws").status == "loaded"
    assert gold_by_period(empty_db) == {SEP: Decimal("7.40"), OCT: Decimal("0.50")}


def test_a_failure_in_part_3_of_3_leaves_the_period_as_it_was(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    before = write_csv(tmp_path / "before.csv", [row("2024-09-05", "7.00")])
    assert load_file(empty_db, before, source="aws").status == "loaded"
    parts = files(
        tmp_path,
        {
            "p1.csv": [row("2024-09-01", "1.00")],
            "p2.csv": [row("2024-09-02", "2.00")],
            "p3.csv": [row("2024-09-03", "3.00"), row("2024-09-04", "five")],
        },
    )

    result = deliver(empty_db, parts, "aws")

    assert result.status == "failed" and result.bad_input
    assert result.error == "p3.csv (FOCUS), row 2, column BilledCost: 'five' is not a number"
    assert gold_by_period(empty_db) == {SEP: Decimal("7.00")}
    assert bronze_by_source(empty_db) == {("aws", SEP): (1, Decimal("7.00"))}
    logged = log_rows(empty_db)
    assert logged["before.csv"][0] == "loaded"
    assert logged["p3.csv"][:2] == ("failed", result.error)
    for name in ("p1.csv", "p2.csv"):
        assert logged[name][:2] == (
            "failed",
            f"{name}: not kept: p3.csv, in the same delivery, failed",
        )
    assert [f.status for f in result.files] == ["failed"] * 3


# --- append: slices keyed by name --------------------------------------------------------------


def test_append_keeps_other_slices_and_a_slice_again_replaces_only_itself(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    a = write_csv(tmp_path / "a.csv", [row("2024-09-01", "1.00"), row("2024-10-01", "2.00")])
    b = write_csv(tmp_path / "b.csv", [row("2024-09-02", "10.00")])
    assert deliver(empty_db, [a], "oci", "append").status == "loaded"
    assert deliver(empty_db, [b], "oci", "append").status == "loaded"
    assert gold_by_period(empty_db) == {SEP: Decimal("11.00"), OCT: Decimal("2.00")}

    # slice B again, now in October and November only: its September rows go, A's stay
    write_csv(b, [row("2024-10-02", "20.00"), row("2024-11-01", "3.00")])
    result = deliver(empty_db, [b], "oci", "append")
    assert result.status == "loaded"
    expected = {SEP: Decimal("1.00"), OCT: Decimal("22.00"), NOV: Decimal("3.00")}
    assert gold_by_period(empty_db) == expected
    # the same bytes again: skipped, nothing changes
    assert deliver(empty_db, [b], "oci", "append").status == "skipped"
    assert gold_by_period(empty_db) == expected
    with empty_db.connect() as conn:
        slices = dict(
            conn.execute(
                sa.text("SELECT x_slice, count(*) FROM bronze.focus_cost GROUP BY 1")
            ).all()
        )
    assert slices == {"a.csv": 2, "b.csv": 2}
    assert {m for _, _, _, m in log_rows(empty_db).values()} == {"append"}

    # a replace_period delivery of October replaces everything of the source there, slices too
    october = write_csv(tmp_path / "oct.csv", [row("2024-10-03", "4.00")])
    assert load_file(empty_db, october, source="oci").status == "loaded"
    assert gold_by_period(empty_db) == {
        SEP: Decimal("1.00"),
        OCT: Decimal("4.00"),
        NOV: Decimal("3.00"),
    }


def test_an_append_delivery_of_two_slices_is_one_transaction(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    a = write_csv(tmp_path / "a.csv", [row("2024-09-01", "1.00")])
    assert deliver(empty_db, [a], "oci", "append").status == "loaded"
    b = write_csv(tmp_path / "b.csv", [row("2024-09-02", "2.00")])
    bad = write_csv(tmp_path / "c.csv", [row("2024-09-03", "x")])
    write_csv(a, [row("2024-09-01", "100.00")])
    result = deliver(empty_db, [a, b, bad], "oci", "append")
    assert result.status == "failed"
    assert gold_by_period(empty_db) == {SEP: Decimal("1.00")}  # slice a as it was, b not in

    write_csv(bad, [row("2024-09-03", "3.00")])
    assert deliver(empty_db, [a, b, bad], "oci", "append").status == "loaded"
    assert gold_by_period(empty_db) == {SEP: Decimal("105.00")}


# --- batch-stream parts -----------------------------------------------------------------------


def _batches(rows: list[dict[str, str]]) -> list[pa.RecordBatch]:
    return [pa.RecordBatch.from_pylist(rows, schema=pa.schema([(h, pa.string()) for h in HEADER]))]


def test_a_record_batch_stream_part_loads_through_its_format(empty_db: sa.Engine) -> None:
    rows = [row("2024-09-01", "1.25"), row("2024-09-02", "2.50")]
    stream = Part("bq:billing/2024-09", batches=lambda: _batches(rows), format="focus")
    result = load_delivery(empty_db, Delivery("bq", (stream,)), source="bq")
    assert result.status == "loaded", result.error
    assert result.files[0].format == "FOCUS Arrow record batches"
    assert gold_by_period(empty_db) == {SEP: Decimal("3.75")}

    bad = Part("bq:bad", batches=lambda: _batches([row("2024-09-01", "one")]), format="focus")
    failed = load_delivery(empty_db, Delivery("bq", (bad,)), source="bq")
    assert failed.bad_input and "'one' is not a number" in (failed.error or "")
    assert gold_by_period(empty_db) == {SEP: Decimal("3.75")}


# --- two sources at once ---------------------------------------------------------------------


def _waiting_locks(engine: sa.Engine) -> int:
    query = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    with engine.connect() as conn:
        return conn.execute(sa.text(query)).scalar_one()


def test_two_sources_load_at_once_and_both_count_in_gold(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    """The gold lock is held elsewhere: both deliveries still finish their COPY (the period
    locks are per source) and wait only for the gold step; once it is free, each refresh sees
    the other's committed rows, so gold holds both."""
    aws = write_csv(
        tmp_path / "aws.csv", [row(f"2024-09-{d % 28 + 1:02d}", "0.01") for d in range(3000)]
    )
    azure_rows = [
        row(f"2024-09-{d % 28 + 1:02d}", "0.10", provider="Microsoft") for d in range(2000)
    ]
    azure = write_csv(tmp_path / "azure.csv", azure_rows)
    results: dict[str, DeliveryResult] = {}

    def run(path: Path, source: str) -> None:
        results[source] = deliver(empty_db, [path], source)

    threads = [threading.Thread(target=run, args=a) for a in ((aws, "aws"), (azure, "azure"))]
    with empty_db.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": load._GOLD_LOCK})
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while _waiting_locks(empty_db) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        both_waiting = _waiting_locks(empty_db)
        holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": load._GOLD_LOCK})
        holder.commit()
    for t in threads:
        t.join(timeout=120)
    assert both_waiting == 2, "the two loads did not both reach the gold step at once"
    assert {s: r.status for s, r in results.items()} == {"aws": "loaded", "azure": "loaded"}
    assert gold_by_period(empty_db) == {SEP: Decimal("230.00")}  # 3000 x 0.01 + 2000 x 0.10
    with empty_db.connect() as conn:
        providers = dict(
            conn.execute(
                sa.text("SELECT provider, sum(billed_cost) FROM gold.daily_cost GROUP BY 1")
            ).all()
        )
    assert providers == {"AWS": Decimal("30.00"), "Microsoft": Decimal("200.00")}


_SCHEMA = pa.schema([(h, pa.string()) for h in HEADER])


@pytest.mark.parametrize("mode", ["replace_period", "append"])
def test_a_deadlock_between_two_deliveries_of_one_source_is_retried(
    empty_db: sa.Engine, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each delivery locks its source's periods as it meets them: September then October for
    one, October then September for the other. Both are held at their second part until each
    holds its first period, so they deadlock; Postgres ends one, the loader runs it again, and
    both land whole."""
    both_hold_one = threading.Barrier(2, timeout=60)
    attempts: list[str] = []
    write = load.write_delivery
    monkeypatch.setattr(
        load, "write_delivery", lambda *a, **k: attempts.append("") or write(*a, **k)
    )

    def part(name: str, day: str, billed: str, *, wait: bool) -> Part:
        waited: list[bool] = []

        def batches() -> pa.RecordBatchReader:
            def gen():
                if wait and not waited:  # the first attempt only
                    waited.append(True)
                    both_hold_one.wait()
                yield from _batches([row(day, billed)] * 100)

            return pa.RecordBatchReader.from_batches(_SCHEMA, gen())

        return Part(name, batches=batches, format="focus")

    first = (
        part("1-sep", "2024-09-01", "1.00", wait=False),
        part("1-oct", "2024-10-01", "2.00", wait=True),
    )
    second = (
        part("2-oct", "2024-10-02", "20.00", wait=False),
        part("2-sep", "2024-09-02", "10.00", wait=True),
    )
    results: list[DeliveryResult] = []
    threads = [
        threading.Thread(
            target=lambda p=p: results.append(
                load_delivery(empty_db, Delivery("d", p, mode), source="aws")
            )
        )
        for p in (first, second)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert len(attempts) == 3  # one of the two ran again
    got = gold_by_period(empty_db)
    if mode == "append":  # four slices, all kept
        assert got == {SEP: Decimal("1100.00"), OCT: Decimal("2200.00")}
    else:  # the delivery that ran again replaced both periods, whole
        assert got in (
            {SEP: Decimal("100.00"), OCT: Decimal("200.00")},
            {SEP: Decimal("1000.00"), OCT: Decimal("2000.00")},
        )
