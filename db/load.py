"""Write FOCUS batches to bronze and refresh gold, one transaction per file.

The contract finance relies on: a file replaces, for its source, every billing period it covers;
either all of it lands (bronze, gold and the load log together) or none of it does.
"""

from __future__ import annotations

import contextlib
import io
import json
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, TypeVar

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from psycopg import sql

from db.sql import statement

T = TypeVar("T")

# Loads serialize on this lock: two sources refreshing the same gold period must not interleave.
_LOAD_LOCK = 7_402_113_002
# Each load also holds (this class, its load_id) while it runs: a 'running' row whose lock is
# free was left by a dead process (see db/sql/load_log_abandoned.sql).
_LOAD_ROW_LOCK_CLASS = 74_021


def connection_lost(exc: BaseException) -> bool:
    """Whether the error says the connection died (server stopped, backend terminated, network
    gone), not that a statement failed. It arrives through SQLAlchemy, or straight from psycopg
    during COPY, which runs on the driver connection. SQLSTATE class 08 is a connection failure,
    57P01-57P03 a server shutting down; a lost socket has no SQLSTATE at all."""
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        state = exc.sqlstate
        return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")
    return False


class RejectedData(Exception):
    """Postgres refused a value (or there was nothing to load); the caller names the file."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        self.reason, self.row, self.column = reason, row, column  # column: bronze SQL name
        super().__init__(reason)


class Batch(Protocol):
    first_row: int  # 1-based data row of the batch's first row, for error messages
    data: pa.RecordBatch  # columns named as in bronze.focus_cost


@dataclass(frozen=True)
class PeriodTotal:
    provider: str | None
    billing_period: date
    currency: str | None
    row_count: int
    billed_cost: Decimal
    effective_cost: Decimal


@dataclass
class LoadSummary:
    load_id: int
    dataset: str = "cost"
    row_count: int = 0
    totals: list[PeriodTotal] = field(default_factory=list)

    @property
    def billing_periods(self) -> list[date]:
        return sorted({t.billing_period for t in self.totals})

    @property
    def providers(self) -> list[str]:
        return sorted({t.provider for t in self.totals if t.provider})

    def billed_by_currency(self) -> dict[str | None, Decimal]:
        out: dict[str | None, Decimal] = {}
        for t in self.totals:
            out[t.currency] = out.get(t.currency, Decimal(0)) + t.billed_cost
        return out

    def counted(self) -> tuple[str | None, dict[str | None, Decimal]]:
        """The measure the dashboard counts this file's money in, and its sums per currency, as
        silver counts them: an amortized export is never billed (its EffectiveCost is what
        counts), a usage report carries no money (None)."""
        if self.dataset == "usage":
            return None, {}
        if self.dataset != "amortized":
            return "BilledCost", self.billed_by_currency()
        out: dict[str | None, Decimal] = {}
        for t in self.totals:
            out[t.currency] = out.get(t.currency, Decimal(0)) + t.effective_cost
        return "EffectiveCost", out


def already_loaded(engine: sa.Engine, source: str, checksum: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            statement("load_log_seen"), {"source": source, "checksum": checksum}
        ).scalar()


def start_log(engine: sa.Engine, *, status: str = "running", **file_facts: object) -> int:
    """Record the attempt before it starts, so even a killed load leaves a trace; and close the
    traces earlier killed loads left 'running'."""
    with engine.begin() as conn:
        conn.execute(statement("load_log_abandoned"), {"lock_class": _LOAD_ROW_LOCK_CLASS})
        return conn.execute(
            statement("load_log_start"), {"status": status, **file_facts}
        ).scalar_one()


def fail_log(engine: sa.Engine, load_id: int, error: str, seconds: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            statement("load_log_finish"), _finish_params(load_id, "failed", seconds, error=error)
        )


def skip_log(engine: sa.Engine, load_id: int, seconds: float, previous: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            statement("load_log_finish"),
            _finish_params(load_id, "skipped", seconds, error=f"same content as load {previous}"),
        )


def replace_periods(
    engine: sa.Engine,
    *,
    source: str,
    dataset: str,
    load_id: int,
    batches: Iterable[Batch],
    started: float,
    empty_ok: bool = False,
) -> LoadSummary:
    """Delete this source's rows for each period the batches cover, COPY the batches, refresh gold.

    Periods are discovered while streaming: the first time a batch brings a new period, that
    period is deleted before the batch is copied, so the file is read once and never held whole.
    """
    summary = LoadSummary(load_id, dataset)
    with engine.begin() as conn:
        conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(:c, :id)"),
            {"c": _LOAD_ROW_LOCK_CLASS, "id": load_id % 2_147_483_647},
        )
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOAD_LOCK})
        # The gold rebuilds sort whole billing periods; the default 4 MB spills them to disk.
        conn.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        raw: psycopg.Connection = conn.connection.driver_connection
        replaced: set[datetime] = set()
        constants = {"x_source": source, "x_dataset": dataset, "x_load_id": load_id}
        for batch, columns, text in _ahead(_rendered(batches, constants)):
            periods = set(pc.unique(batch.data.column("billing_period_start")).to_pylist())
            if new := periods - replaced:
                conn.execute(statement("delete_periods"), _scope(source, dataset, new))
                replaced |= new
            _copy(raw, batch, columns, text)
            summary.row_count += batch.data.num_rows
        if summary.row_count == 0 and not empty_ok:
            raise RejectedData("the file has a header but no data rows")
        scope = {**_scope(source, dataset, replaced), "load_id": load_id}
        if replaced:
            _refresh_gold(conn, scope)
        summary.totals = [
            PeriodTotal(**row._mapping) for row in conn.execute(statement("load_totals"), scope)
        ]
        conn.execute(
            statement("load_log_finish"),
            _finish_params(
                load_id, "loaded", time.perf_counter() - started, summary=summary, dataset=dataset
            ),
        )
    return summary


def _scope(source: str, dataset: str, periods: set[datetime]) -> dict[str, object]:
    """Parameters naming one source's dataset in some billing periods; :lo and :hi, the least
    and greatest period, let every statement bound bronze's BRIN index by a range."""
    return {
        "source": source,
        "dataset": dataset,
        "periods": sorted(periods),
        "lo": min(periods, default=None),
        "hi": max(periods, default=None),
    }


def _refresh_gold(conn: sa.Connection, bounds: dict[str, object]) -> None:
    """Stage the touched periods once, then sum gold and gold-by-tag from the stage."""
    with hashed_plans(conn):
        conn.execute(statement("gold_stage"), bounds)
        conn.execute(sa.text("ANALYZE gold_stage"))
        conn.execute(statement("refresh_gold"), bounds)
        conn.execute(statement("refresh_gold_tags"), bounds)


# Planner methods the stage must not use. Bronze's statistics predate the rows just copied (a load
# does not analyze it) and can describe other periods entirely: after a TRUNCATE, or before
# autovacuum has seen a new source's first month. The planner then expects one row per period and
# picks nested loops and sorts, quadratic on a real period (a CI run hung in one for an hour).
# Hash joins and hash aggregates stay linear whatever the estimates (the tag rollup's small
# CROSS JOIN still gets its nested loop: the planner has no other way to run it).
_STALE_STATS_METHODS = ("enable_nestloop", "enable_sort")
_SET_LOCAL = sa.text("SELECT set_config(:name, :value, true)")


@contextlib.contextmanager
def hashed_plans(conn: sa.Connection) -> Iterator[None]:
    """Within the block, plan this transaction's statements with hashing only."""
    for name in _STALE_STATS_METHODS:
        conn.execute(_SET_LOCAL, {"name": name, "value": "off"})
    yield
    for name in _STALE_STATS_METHODS:
        conn.execute(_SET_LOCAL, {"name": name, "value": "on"})


def _finish_params(
    load_id: int,
    status: str,
    seconds: float,
    *,
    summary: LoadSummary | None = None,
    error: str | None = None,
    dataset: str | None = None,
) -> dict[str, object]:
    totals = summary.totals if summary else []
    return {
        "load_id": load_id,
        "status": status,
        "dataset": dataset,
        "duration_s": round(seconds, 4),
        "row_count": summary.row_count if summary else None,
        "billing_periods": summary.billing_periods if summary else None,
        "providers": summary.providers if summary else None,
        "billed_cost": sum((t.billed_cost for t in totals), Decimal(0)) if summary else None,
        "effective_cost": sum((t.effective_cost for t in totals), Decimal(0)) if summary else None,
        "totals": json.dumps(
            [
                {
                    "provider": t.provider,
                    "billing_period": t.billing_period.isoformat(),
                    "currency": t.currency,
                    "row_count": t.row_count,
                    "billed_cost": str(t.billed_cost),
                    "effective_cost": str(t.effective_cost),
                }
                for t in totals
            ]
        )
        if summary
        else None,
        "error": error,
    }


def _constant(value: object, n: int) -> pa.DictionaryArray:
    """A column holding one value n times, without building n Python objects."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int8)), pa.array([value]))


def _rendered(
    batches: Iterable[Batch], constants: dict[str, object]
) -> Iterator[tuple[Batch, list[str], bytes]]:
    """Each batch with its bronze columns and the CSV text COPY will read."""
    for batch in batches:
        n = batch.data.num_rows
        table = pa.Table.from_batches([batch.data])
        for i, column in enumerate(table.columns):
            if pa.types.is_timestamp(column.type):
                table = table.set_column(i, table.field(i).name, _timestamp_text(column))
        for name, value in constants.items():
            table = table.append_column(name, _constant(value, n))
        buf = io.BytesIO()
        pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False))
        yield batch, table.column_names, buf.getvalue()


def _timestamp_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO text for COPY. Cost data repeats a few thousand distinct hours, so each distinct
    instant is formatted once: the CSV writer's own timestamp formatting was the largest single
    cost of rendering a batch."""
    chunks = []
    for chunk in column.chunks:
        encoded = pc.dictionary_encode(chunk)
        text = pc.strftime(encoded.dictionary, format="%Y-%m-%dT%H:%M:%SZ")
        chunks.append(pa.DictionaryArray.from_arrays(encoded.indices, text))
    return pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))


def _ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce the next items on a thread while the caller uses this one: reading, converting
    and rendering a batch (mostly Arrow C++, outside the GIL) overlap the server's COPY of the
    previous one. Errors reach the caller in order; a caller that stops early stops the thread."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put((item, None), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            slots.put((done, exc))

    worker = threading.Thread(target=produce, name="load-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                slots.get(timeout=0.2)


def _copy(raw: psycopg.Connection, batch: Batch, columns: list[str], text: bytes) -> None:
    copy_sql = sql.SQL("COPY bronze.focus_cost ({}) FROM STDIN (FORMAT csv)").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    try:
        with raw.cursor() as cur, cur.copy(copy_sql) as copy:
            copy.write(text)
    except psycopg.errors.DataError as exc:
        raise _rejected(batch, exc) from None


def _rejected(batch: Batch, exc: psycopg.errors.DataError) -> RejectedData:
    """Turn Postgres' 'COPY focus_cost, line 3, column tags: ...' into the file's row and column."""
    context = exc.diag.context or ""
    found = re.search(r"COPY \w+, line (\d+)(?:, column (\w+))?", context)
    row = batch.first_row + int(found.group(1)) - 1 if found else None
    column = found.group(2) if found else None
    reason = (exc.diag.message_primary or str(exc)).strip()
    if exc.diag.message_detail:
        reason = f"{reason} ({exc.diag.message_detail.strip().rstrip('.')})"
    return RejectedData(reason, row, column)
