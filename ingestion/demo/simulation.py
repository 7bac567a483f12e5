"""The demo company's bills over time: each provider's fleet laid over a window of days, with
usage shapes (weekends, growth, noise), events, spikes and the Savings Plan, priced in exact
micro units.

Everything here is numbers in arrays; `rows` turns them into FOCUS columns. Random draws come
from generators keyed by (seed, provider, month, chunk), so one month's rows do not depend on
how many rows came before them.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from ingestion.demo.catalog import EVENTS, SPIKES, Provider, Spike
from ingestion.demo.fleet import Fleet

MICRO = 1_000_000

# Usage shapes, indexed like catalog.KINDS: weekly factors Monday..Sunday, day-to-day noise
# (sigma), whether usage grows.
_WEEKLY = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 0, 0],
        [1.0, 1.03, 1.04, 1.02, 0.95, 0.72, 0.68],
        [1, 1, 1, 1, 1, 1, 1],
        [1.08, 1.12, 1.1, 1.06, 0.95, 0.5, 0.45],
    ]
)
_SIGMA = np.array([0.0, 0.0, 0.06, 0.002, 0.28])
_GROWS = np.array([False, False, True, True, True])

PLAN_TERM_DAYS = 365
PLAN_DISCOUNT = 0.28  # Savings Plan rate below the contracted on-demand rate
PLAN_UTILIZATION = 0.96  # the hourly commitment is sized for this share of covered usage
PLAN_NAME = "Compute Savings Plan, 1 year, All Upfront"
PLAN_ACCOUNT = "prod"


@dataclass(frozen=True)
class Window:
    """The demo's calendar days: whole months up to `end`, whose month is partial."""

    start: date
    end: date

    @classmethod
    def ending(cls, end: date, months: int) -> Window:
        first = end.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return cls(first, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day(self, fraction: float) -> int:
        return min(int(fraction * self.days), self.days - 1)

    def months(self) -> list[date]:
        out = [self.start]
        while (nxt := next_month(out[-1])) <= self.end:
            out.append(nxt)
        return out


def next_month(month: date) -> date:
    """The first day of the month after `month` (a first day itself)."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass
class Plan:
    """One provider's fleet laid over one window: day indices, growth, events resolved."""

    fleet: Fleet
    window: Window
    start_day: np.ndarray
    end_day: np.ndarray
    growth: np.ndarray  # per window day
    weekday: np.ndarray  # per window day
    day_text: pa.Array  # ISO timestamps of window days 0..n (n: the day after the end)
    spikes: list[tuple[int, int, int, float]]  # line, first day, end day, extra quantity
    purchase_day: int | None = None
    commit_daily: int = 0  # micro-USD of the Savings Plan per day

    @property
    def provider(self) -> Provider:
        return self.fleet.provider

    def covered(self, di: np.ndarray, li: np.ndarray) -> np.ndarray:
        """Rows the Savings Plan pays for: its instances, during its term."""
        if self.purchase_day is None:
            return np.zeros(len(li), bool)
        term = (di >= self.purchase_day) & (di < self.purchase_day + PLAN_TERM_DAYS)
        return self.fleet.committed[li] & term


def plan_for(fleet: Fleet, window: Window) -> Plan:
    """Lay the fleet over the window: life spans in days, growth and weekdays per day, the
    spikes on their lines, and the Savings Plan's purchase day and daily commitment."""
    n = window.days
    t = np.arange(n)
    start_day = np.floor(fleet.start * n).astype(np.int64)
    end_day = np.where(np.isinf(fleet.end), n + 1, np.floor(np.minimum(fleet.end, 2.0) * n))
    day_text = pa.array([iso(window.start + timedelta(days=int(d))) for d in range(n + 1)])
    plan = Plan(
        fleet=fleet,
        window=window,
        start_day=start_day,
        end_day=end_day.astype(np.int64),
        growth=(1 + fleet.provider.growth) ** ((t - (n - 1)) / 30.4375),
        weekday=(window.start.weekday() + t) % 7,
        day_text=day_text,
        spikes=[],
    )
    spikes = (_spike(plan, s) for s in SPIKES if s.provider == fleet.provider.key)
    plan.spikes = [s for s in spikes if s]
    if fleet.committed.any():
        plan.purchase_day = window.day(EVENTS["purchase"])
        plan.commit_daily = _commitment(fleet)
    return plan


def iso(day: date) -> str:
    """Midnight UTC as FOCUS timestamps are written."""
    return f"{day.isoformat()}T00:00:00Z"


def _spike(plan: Plan, spike: Spike) -> tuple[int, int, int, float] | None:
    """The spike on the first line of its SKU that runs that day (None: none does)."""
    first = plan.window.day(spike.when)
    live = (plan.fleet.sku == spike.sku) & (plan.start_day <= first) & (plan.end_day > first)
    if not live.any():
        return None
    line = int(np.flatnonzero(live)[0])
    return line, first, first + spike.days, spike.extra_usd / plan.fleet.price[line]


def _commitment(fleet: Fleet) -> int:
    """Daily commitment (micro-USD): covered usage at the plan rate over the target utilization,
    rounded up to a whole $0.50 an hour as a purchase would be."""
    covered = np.flatnonzero(fleet.committed)
    used = sum(
        plan_rate(micro(fleet.qty[i] * MICRO * fleet.price[i] * fleet.rate[i])) for i in covered
    )
    half_dollars_an_hour = math.ceil(used / PLAN_UTILIZATION / 24 / (MICRO // 2))
    return half_dollars_an_hour * (MICRO // 2) * 24


def micro(value: np.ndarray | float) -> np.ndarray:
    """Round to whole micro units: money is added as integers, so totals are exact."""
    return np.rint(value).astype(np.int64)


def plan_rate(contracted: np.ndarray | int) -> np.ndarray:
    """What a covered row costs under the Savings Plan, from its contracted cost."""
    return micro(np.asarray(contracted) * (1 - PLAN_DISCOUNT))


@dataclass
class Month:
    """One billing period of one provider, and what its rows add up to so far."""

    plan: Plan
    start: date
    t0: int  # window day of the first day
    t1: int  # window day after the last day
    complete: bool
    fx: float  # EUR per USD
    billed: np.ndarray  # BilledCost per (account, service), micro units, for tax and credits
    plan_used: np.ndarray  # Savings Plan EffectiveCost per day, micro-USD

    @property
    def period(self) -> tuple[str, str]:
        return iso(self.start), iso(next_month(self.start))

    def tally(self, di: np.ndarray, li: np.ndarray, costs: Costs) -> None:
        """Add usage rows to the totals the month's other charges are computed from."""
        fleet = self.plan.fleet
        key = fleet.account[li] * len(fleet.provider.services) + fleet.service[li]
        self.billed += micro(np.bincount(key, costs.billed, len(self.billed)))
        used = costs.effective_usd[costs.covered]
        days = di[costs.covered] - self.t0
        self.plan_used += micro(np.bincount(days, used, len(self.plan_used)))

    def billed_for(self, account: str, service: str) -> int:
        p = self.plan.provider
        index = list(p.accounts).index(account) * len(p.services) + list(p.services).index(service)
        return int(self.billed[index])

    def invoice(self, billing_id: str) -> str | None:
        """Invoices exist once the month is closed."""
        if not self.complete:
            return None
        prefix, digits = self.plan.provider.invoice
        seed = f"{self.plan.provider.key}|{billing_id}|{self.start}".encode()
        number = int(hashlib.sha256(seed).hexdigest(), 16) % 10**digits
        return f"{prefix}{number:0{digits}d}"


def month_of(plan: Plan, start: date) -> Month:
    """A billing month of the plan, its totals still zero."""
    window = plan.window
    t0 = (start - window.start).days
    t1 = min((next_month(start) - window.start).days, window.days)
    p = plan.provider
    return Month(
        plan=plan,
        start=start,
        t0=t0,
        t1=t1,
        complete=next_month(start) - timedelta(days=1) <= window.end,
        fx=round(0.92 + 0.025 * math.sin(start.year * 12 + start.month), 4),
        billed=np.zeros(len(p.accounts) * len(p.services), np.int64),
        plan_used=np.zeros(t1 - t0, np.int64),
    )


@dataclass
class Usage:
    """Priced usage rows of one month: window day, fleet line, pricing quantity (micro units)."""

    di: np.ndarray
    li: np.ndarray
    qty: np.ndarray
    costs: Costs


def usage(month: Month, lines: np.ndarray, rng: np.random.Generator) -> Usage:
    """The rows `lines` bill in `month`, priced and added to the month's totals."""
    plan = month.plan
    days = np.arange(month.t0, month.t1)
    di, li = np.repeat(days, len(lines)), np.tile(lines, len(days))
    live = (di >= plan.start_day[li]) & (di < plan.end_day[li])
    di, li = di[live], li[live]
    qty = _quantities(plan, di, li, rng)
    keep = qty > 0  # office machines are stopped at weekends: no row
    di, li, qty = di[keep], li[keep], micro(qty[keep] * MICRO)
    costs = Costs.of(month, li, qty, plan.covered(di, li))
    month.tally(di, li, costs)
    return Usage(di, li, qty, costs)


def _quantities(plan: Plan, di: np.ndarray, li: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Daily pricing quantities: base size x weekly shape x growth x noise, plus spikes."""
    fleet = plan.fleet
    kind = fleet.kind[li]
    qty = fleet.qty[li] * _WEEKLY[kind, plan.weekday[di]]
    qty *= np.where(_GROWS[kind], plan.growth[di], 1.0)
    qty *= np.exp(rng.normal(0.0, _SIGMA[kind]))
    for line, first, end, extra in plan.spikes:
        qty[(li == line) & (di >= first) & (di < end)] += extra
    return qty


@dataclass
class Costs:
    """Money of usage rows in micro units: USD (the pricing currency) and the billing currency
    factor (1, or EUR per USD for the GmbH)."""

    price: np.ndarray  # list unit price, USD
    rate: np.ndarray  # contracted / list
    covered: np.ndarray  # rows paid by the Savings Plan
    list_usd: np.ndarray
    contracted_usd: np.ndarray
    effective_usd: np.ndarray
    billed_usd: np.ndarray
    fx: np.ndarray

    @classmethod
    def of(cls, month: Month, li: np.ndarray, qty: np.ndarray, covered: np.ndarray) -> Costs:
        fleet = month.plan.fleet
        price, rate = fleet.price[li], fleet.rate[li]
        contracted = micro(qty * price * rate)
        return cls(
            price=price,
            rate=rate,
            covered=covered,
            list_usd=micro(qty * price),
            contracted_usd=contracted,
            effective_usd=np.where(covered, plan_rate(contracted), contracted),
            billed_usd=np.where(covered, 0, contracted),  # paid upfront by the purchase
            fx=np.where(fleet.eur[li], month.fx, 1.0),
        )

    @property
    def billed(self) -> np.ndarray:
        return micro(self.billed_usd * self.fx)
