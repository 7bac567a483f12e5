"""Write deliveries to bronze and refresh gold, one transaction per delivery.

The contract finance relies on: a replace_period delivery replaces, for its source, every
billing period its parts cover; an append delivery replaces only its own slices; either all of a
delivery lands (bronze, gold and every part's load log row together) or none of it does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pyarrow.compute as pc
import sqlalchemy as sa

from db.bronze_copy import Batch, RejectedData, ahead, copy, rendered
from db.sql import statement

# Gold refreshes serialize on this lock: two deliveries refreshing one gold period must not
# interleave. It is taken for the refresh only, at the end of a delivery's transaction.
_GOLD_LOCK = 7_402_113_002
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
    # this part's read and COPY (the first's from the delivery's start, the last's with the gold
    # refresh), as its load_log row says
    seconds: float = 0.0
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


def seen_delivery(engine: sa.Engine, source: str, checksums: Sequence[str]) -> int | None:
    """The latest load of a delivery of this source that loaded all these file contents."""
    with engine.connect() as conn:
        return conn.execute(
            statement("delivery_seen"), {"source": source, "checksums": list(checksums)}
        ).scalar()


def new_delivery(engine: sa.Engine) -> int:
    """An id the load_log rows of one delivery's parts share."""
    with engine.connect() as conn:
        return conn.execute(statement("delivery_new")).scalar_one()


def start_log(
    engine: sa.Engine,
    *,
    status: str = "running",
    delivery_id: int | None = None,
    mode: str = "replace_period",
    **file_facts: object,
) -> int:
    """Record the attempt before it starts, so even a killed load leaves a trace; and close the
    traces earlier killed loads left 'running'. Without a delivery_id the row is a delivery of
    its own."""
    with engine.begin() as conn:
        conn.execute(statement("load_log_abandoned"), {"lock_class": _LOAD_ROW_LOCK_CLASS})
        return conn.execute(
            statement("load_log_start"),
            {"status": status, "delivery_id": delivery_id, "mode": mode, **file_facts},
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


@dataclass(frozen=True)
class PartLoad:
    """One part of a delivery as bronze receives it: its load_log row, its dataset, its slice
    key (append mode only; None in replace_period), and a callable that opens its bronze-ready
    batches (called again if the delivery is retried)."""

    load_id: int
    dataset: str
    batches: Callable[[], Iterable[Batch]]
    slice: str | None = None
    empty_ok: bool = False


class PartFailed(Exception):
    """Part `index` of a delivery failed while it was read or copied; the cause is chained. The
    whole delivery was rolled back."""

    def __init__(self, index: int, cause: BaseException) -> None:
        self.index = index
        super().__init__(str(cause))


def write_delivery(
    engine: sa.Engine, *, source: str, mode: str, parts: Sequence[PartLoad], started: float
) -> list[LoadSummary]:
    """Load every part into bronze, refresh gold once, record each part's row: one transaction.

    replace_period: the first time any part brings a billing period (of its dataset), this
    source's rows for that period are deleted, once for the whole delivery, so part 2 never
    wipes part 1. append: each part first deletes its own slice (its name), in whatever periods
    it had. Either way the source's periods are locked as they are discovered while streaming
    (a file is read once and never held whole), so other sources load at the same time; only
    the short gold refresh at the end takes the global lock.
    """
    summaries: list[LoadSummary] = []
    with engine.begin() as conn:
        for part in parts:
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:c, :id)"),
                {"c": _LOAD_ROW_LOCK_CLASS, "id": part.load_id % 2_147_483_647},
            )
        # The gold rebuilds sort whole billing periods; the default 4 MB spills them to disk.
        conn.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        locks = _PeriodLocks(conn, source)
        replaced: set[tuple[str, datetime]] = set()
        touched: set[datetime] = set()  # every period whose rows changed: gold's to refresh
        own: list[set[datetime]] = []  # each part's periods, for its totals
        seconds: list[float] = []
        for index, part in enumerate(parts):
            part_started = started if index == 0 else time.perf_counter()
            try:
                if mode == "append":
                    touched |= _drop_slice(conn, locks, source, part.slice)
                summary, periods = _write_part(conn, locks, source, mode, part, replaced)
            except Exception as exc:
                raise PartFailed(index, exc) from exc
            touched |= periods
            summaries.append(summary)
            own.append(periods)
            seconds.append(time.perf_counter() - part_started)
        if touched:
            # Taken now, not before the COPY: the refresh below starts its snapshot after any
            # other delivery that held this lock has committed, so it sees their rows too.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _GOLD_LOCK})
            _refresh_gold(conn, _scope(source, None, touched))
        for index, (part, summary, periods) in enumerate(zip(parts, summaries, own, strict=True)):
            scope = {**_scope(source, part.dataset, periods), "load_id": part.load_id}
            summary.totals = [
                PeriodTotal(**row._mapping) for row in conn.execute(statement("load_totals"), scope)
            ]
            summary.seconds = seconds[index]
            if index == len(parts) - 1:  # the last part's time runs to its finish: gold and totals
                summary.seconds = time.perf_counter() - started - sum(seconds[:-1])
            conn.execute(
                statement("load_log_finish"),
                _finish_params(
                    part.load_id, "loaded", summary.seconds, summary=summary, dataset=part.dataset
                ),
            )
    return summaries


def _write_part(
    conn: sa.Connection,
    locks: _PeriodLocks,
    source: str,
    mode: str,
    part: PartLoad,
    replaced: set[tuple[str, datetime]],
) -> tuple[LoadSummary, set[datetime]]:
    """COPY one part's batches, replacing (in replace_period mode) each period of its dataset
    the first time the delivery brings it. Returns its summary (totals still to fill) and the
    periods it wrote."""
    summary = LoadSummary(part.load_id, part.dataset)
    raw: psycopg.Connection = conn.connection.driver_connection
    constants: dict[str, object] = {
        "x_source": source,
        "x_dataset": part.dataset,
        "x_load_id": part.load_id,
    }
    if part.slice is not None:
        constants["x_slice"] = part.slice
    periods: set[datetime] = set()
    for batch, columns, text in ahead(rendered(part.batches(), constants)):
        found = set(pc.unique(batch.data.column("billing_period_start")).to_pylist())
        if new := found - periods:
            locks.take(new)
            gone = {p for p in new if (part.dataset, p) not in replaced}
            if mode == "replace_period" and gone:
                conn.execute(statement("delete_periods"), _scope(source, part.dataset, gone))
                replaced.update((part.dataset, p) for p in gone)
            periods |= new
        copy(raw, batch, columns, text)
        summary.row_count += batch.data.num_rows
    if summary.row_count == 0 and not part.empty_ok:
        raise RejectedData("the file has a header but no data rows")
    return summary, periods


def _drop_slice(
    conn: sa.Connection, locks: _PeriodLocks, source: str, slice_: str | None
) -> set[datetime]:
    """Delete an append slice delivered before (its periods locked first); the periods it had."""
    if slice_ is None:
        raise ValueError("an append part needs its slice name")
    key = {"source": source, "slice": slice_}
    locks.take({r[0] for r in conn.execute(statement("slice_periods"), key)})
    gone = {r[0] for r in conn.execute(statement("slice_delete"), key)}
    locks.take(gone)  # rows of this slice another delivery committed meanwhile: lock them too
    return gone


class _PeriodLocks:
    """The (source, billing period) locks this transaction holds. Two deliveries of one source
    and period serialize their delete and COPY; other sources and periods run at once. Two
    deliveries of one source meeting their periods in opposite orders can deadlock: Postgres
    ends one of them (40P01), which the caller retries."""

    def __init__(self, conn: sa.Connection, source: str) -> None:
        self.conn, self.source, self.held = conn, source, set[str]()

    def take(self, periods: Iterable[datetime]) -> None:
        keys = {f"{self.source}\x1f{p.astimezone(UTC):%Y-%m-%dT%H:%M:%S}" for p in periods}
        if wanted := sorted(keys - self.held):
            self.conn.execute(statement("period_locks"), {"keys": wanted})
            self.held.update(wanted)


def _scope(source: str, dataset: str | None, periods: set[datetime]) -> dict[str, object]:
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
