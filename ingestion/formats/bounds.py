"""What no bill can hold, checked on every FOCUS batch whatever format it was read from.

A value can be well formed and still be nonsense: a 400-digit cost would turn every total it
joins into noise, and a billing period in year 1 or 9999 would appear as a month of its own on
every page. These are refused with the row and the column; values that are legal but unusual
(a billing period after the current month, a single row costing more than a billion) load with
a warning. The readers have already turned each value into bronze's type (decimal text or UTC
timestamps), so one check here covers FOCUS and every native reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import BY_SQL
from ingestion.formats.values import BadValue

# Per row. A cost or unit price beyond a quadrillion is no bill's; quantities get more room
# because some providers count in tiny units (GCP storage in byte-seconds: a petabyte kept for a
# month is 2.6e21).
COST_LIMIT = 1e15
QUANTITY_LIMIT = 1e24
SUSPICIOUS_COST = 1e9
EARLIEST_PERIOD = datetime(2000, 1, 1, tzinfo=UTC)
MONTHS_AHEAD = 13  # a billing period may start at most this many months after the current one
_PERIODS = frozenset(
    {"billing_period_start", "billing_period_end", "charge_period_start", "charge_period_end"}
)


def horizon(today: date) -> datetime:
    """The first instant no period may reach past: the end of the month MONTHS_AHEAD ahead."""
    months = today.year * 12 + today.month - 1 + MONTHS_AHEAD + 1
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)


def _limit(sql_name: str) -> float:
    return QUANTITY_LIMIT if sql_name.endswith("_quantity") else COST_LIMIT


def _shown(value: object) -> str:
    text = str(value)
    if len(text) > 24:
        return f"{text[:12]}…{text[-6:]} ({len(text)} characters)"
    return text


@dataclass
class Bounds:
    """Checks batches against the bounds as of `today`; collects the warnings of the file."""

    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    _costly: int = 0
    _first_costly: str | None = None
    _future: set[date] = field(default_factory=set)

    def check(self, data: pa.RecordBatch, first_row: int) -> None:
        """Raise BadValue (index within the batch, bronze column) at the first value out of
        bounds; note the suspicious ones."""
        costly = None  # rows with some cost above SUSPICIOUS_COST
        for name in data.schema.names:
            col = BY_SQL.get(name)
            if col is None:
                continue
            if col.kind in ("money", "number"):
                size = self._amounts(data.column(name), name)
                if name.endswith("_cost"):
                    over = pc.fill_null(pc.greater(size, SUSPICIOUS_COST), False)
                    costly = over if costly is None else pc.or_(costly, over)
            elif name in _PERIODS:
                self._periods(data.column(name), name)
        count = pc.sum(costly).as_py() if costly is not None else 0
        if count:
            if self._first_costly is None:
                i = pc.index(costly, True).as_py()
                self._first_costly = f"row {first_row + i}"
            self._costly += count

    def _amounts(self, arr: pa.Array, name: str) -> pa.Array:
        """The values' sizes, once none is beyond its column's limit."""
        size = pc.abs(pc.cast(arr, pa.float64()))
        limit = _limit(name)
        over = pc.fill_null(pc.greater(size, limit), False)
        if pc.any(over).as_py():
            i = pc.index(over, True).as_py()
            raise BadValue(
                i,
                f"{_shown(arr[i].as_py())} is beyond what one row of a bill can hold "
                f"(at most ±{limit:.0e} per row)",
                name,
            )
        return size

    def _periods(self, arr: pa.Array, name: str) -> None:
        end = horizon(self.today)
        is_end = name.endswith("_end")
        low = pc.less(arr, pa.scalar(EARLIEST_PERIOD, arr.type))
        high = (pc.greater if is_end else pc.greater_equal)(arr, pa.scalar(end, arr.type))
        bad = pc.fill_null(pc.or_(low, high), False)
        if pc.any(bad).as_py():
            i = pc.index(bad, True).as_py()
            value = pc.strftime(arr.slice(i, 1), format="%Y-%m-%d")[0].as_py()
            raise BadValue(
                i,
                f"{value} is outside the periods a bill can cover "
                f"(from 2000-01-01 to {end:%Y-%m-%d}, {MONTHS_AHEAD} months ahead)",
                name,
            )
        if name == "billing_period_start":
            month = pa.scalar(datetime(self.today.year, self.today.month, 1, tzinfo=UTC), arr.type)
            ahead = pc.filter(arr, pc.fill_null(pc.greater(arr, month), False))
            self._future |= {t.date() for t in pc.unique(ahead).to_pylist()}

    def finish(self) -> list[str]:
        """The warnings of the whole file, once every batch was checked."""
        out = []
        if self._future:
            months = ", ".join(f"{d:%Y-%m}" for d in sorted(self._future))
            out.append(f"billing periods after the current month: {months}")
        if self._costly:
            out.append(
                f"{self._costly} row(s) with a cost above {SUSPICIOUS_COST:,.0f} "
                f"(first: {self._first_costly})"
            )
        return out
