"""The demo company's catalogue: its clouds, accounts, services, SKUs, resources and workloads,
and the story's events, spikes and credits, read once from the data files in `data/`.

The tables are data, not code, so a price or a workload changes without touching the simulation.
Row order matters: it fixes the order resources are drawn in, so the same seed gives the same
bytes. Numbers are parsed from their text exactly as written (`float("0.0000166667")`).

`data/`: `providers.csv` (one row a cloud: names, growth, discount, tax, invoice ids, tag key
spellings), and per cloud (`provider` column) `billing_accounts.csv`, `accounts.csv` (sub
accounts), `regions.csv`, `services.csv` (FOCUS service name and categories), `skus.csv` (list
prices), `resources.csv` (id and name templates, `z`: zonal) and `workloads.csv` (what runs where:
resource, SKUs, daily quantity range, count, usage shape, accounts, regions, apps, options);
`company.json` holds the apps and their teams, the name slugs, the events, spikes and credits.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Usage shapes, in the order the simulation's shape arrays index them.
KINDS = ("steady", "office", "traffic", "storage", "batch")


@dataclass(frozen=True)
class Account:
    key: str
    billing_id: str
    billing_name: str
    currency: str
    sub_id: str
    sub_name: str
    env: str


@dataclass(frozen=True)
class Sku:
    key: str
    service: str
    meter: str
    unit: str  # PricingUnit
    price: float  # list price, USD per pricing unit
    consumed_unit: str
    block: float  # consumed units per pricing unit (1000 tokens, 10000 operations)


@dataclass(frozen=True)
class Resource:
    type: str | None
    id: str  # str.format template; "" when the charge has no resource (data transfer)
    name: str | None  # template; None: the id's last segment
    zonal: bool


@dataclass(frozen=True)
class Workload:
    """`count` resources of one kind, each billed on one line per SKU. `qty` is the first SKU's
    daily quantity range at the end of the window; later SKUs scale it by their ratio."""

    resource: str
    skus: tuple[tuple[str, float, int], ...]  # sku key, ratio, kind
    qty: tuple[float, float]
    count: int
    kind: int
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    apps: tuple[str, ...]
    step: float = 0.0  # quantities are whole multiples of it (24 hours, 96 core-hours ...)
    start: float = 0.0  # window fraction where the workload appears
    end: float = math.inf  # window fraction where it is switched off
    late: float | None = None  # share of resources added during the window (fleet growth)
    untagged: float = 0.04
    committed: bool = False  # covered by the Savings Plan once bought
    spot: bool = False


@dataclass(frozen=True)
class Provider:
    key: str  # file and source suffix
    name: str  # ProviderName, PublisherName
    issuer: str  # InvoiceIssuerName
    billing_type: str
    sub_type: str
    growth: float  # month-over-month growth of usage-driven spend
    discount: float  # negotiated discount off list (EDP, MACC, Universal Credits)
    tax_rate: float
    invoice: tuple[str, int]  # invoice id prefix and digits
    tag_keys: tuple[str, str, str, str]  # this cloud's spelling of team, env, cost-center, app
    accounts: dict[str, Account]
    regions: dict[str, tuple[str | None, str | None]]
    services: dict[str, tuple[str, str, str]]  # key -> name, category, subcategory
    skus: dict[str, Sku]
    resources: dict[str, Resource]
    workloads: tuple[Workload, ...]


@dataclass(frozen=True)
class Spike:
    """A bad day: the first live line of `sku` costs `extra_usd` more (at list) for `days`."""

    provider: str
    sku: str
    when: float
    days: int
    extra_usd: float


@dataclass(frozen=True)
class Credit:
    """A monthly credit: `share` of the month's BilledCost of one service, at most `cap` USD,
    for `months` billing months starting with the one at window fraction `first`."""

    provider: str
    account: str
    service: str
    description: str
    first: float
    months: int
    share: float
    cap: float


def _csv(name: str) -> list[dict[str, str]]:
    """Every cell as text: numbers are parsed where their meaning is known."""
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _table(name: str) -> dict[str, list[dict[str, str]]]:
    """One CSV of `data/`, its rows grouped by provider (in file order)."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in _csv(name):
        out.setdefault(row.pop("provider"), []).append(row)
    return out


_COMPANY = json.loads((DATA / "company.json").read_text(encoding="utf-8"))
APPS: dict[str, tuple[str, str]] = {app: tuple(v) for app, v in _COMPANY["apps"].items()}
APP_GROUPS: dict[str, str] = _COMPANY["app_groups"]  # shorthands in the workload table
WORDS: list[str] = _COMPANY["words"]  # resource name slugs
# Events, as fractions of the window, so any --months shows all of them.
EVENTS: dict[str, float] = _COMPANY["events"]


def _when(value: str | float) -> float:
    """A window fraction, or an event's name; `+event` is a little after it, `-event` before."""
    if isinstance(value, float | int):
        return value
    if value in EVENTS:
        return EVENTS[value]
    return EVENTS[value[1:]] + (0.03 if value[0] == "+" else -0.08)


def _option(value: str) -> object:
    """A workload option's value: a bare flag is True; values may name an event."""
    if not value:
        return True
    if value in EVENTS or (value[0] in "+-" and value[1:] in EVENTS):
        return _when(value)
    return float(value)


def _sku_ref(text: str, default_kind: str) -> tuple[str, float, int]:
    """`key*ratio/kind`: the SKU, its quantity relative to the first SKU, its usage shape."""
    text, _, kind = text.partition("/")
    key, _, ratio = text.partition("*")
    return key, float(ratio or 1), KINDS.index(kind or default_kind)


def _workload(row: dict[str, str]) -> Workload:
    """`skus`: `key*ratio/kind` each, the first SKU's ratio 1 and the row's kind by default;
    `qty_high` empty: a fixed quantity; `options`: `name=value` Workload fields."""
    kind = row["kind"]
    options: dict[str, object] = {}
    for opt in row["options"].split():
        name, _, value = opt.partition("=")
        options[name] = _option(value)
    return Workload(
        resource=row["resource"],
        skus=tuple(_sku_ref(s, kind) for s in row["skus"].split()),
        qty=(float(row["qty_low"]), float(row["qty_high"] or row["qty_low"])),
        count=int(row["count"]),
        kind=KINDS.index(kind),
        accounts=tuple(row["accounts"].split()),
        regions=tuple(row["regions"].split()),
        apps=tuple(row["apps"].split()),
        **options,
    )


def _sku(row: dict[str, str]) -> Sku:
    """Without a consumed unit, the SKU is consumed in its pricing unit, one for one."""
    consumed_unit, block = row["consumed_unit"] or row["unit"], float(row["block"] or 1.0)
    price = float(row["price"])
    return Sku(row["key"], row["service"], row["meter"], row["unit"], price, consumed_unit, block)


def _resource(row: dict[str, str], id_prefix: str) -> Resource:
    """`~` in an id stands for the provider's common id prefix (Azure's resource group path)."""
    template = row["id"].replace("~", id_prefix)
    return Resource(row["type"] or None, template, row["name"] or None, row["zonal"] == "z")


def _providers() -> tuple[Provider, ...]:
    billing, accounts, regions = _table("billing_accounts"), _table("accounts"), _table("regions")
    services, skus, resources = _table("services"), _table("skus"), _table("resources")
    workloads = _table("workloads")
    out = []
    for p in _csv("providers"):
        key = p["key"]
        bills = {b["key"]: (b["id"], b["name"], b["currency"]) for b in billing[key]}
        out.append(
            Provider(
                key=key,
                name=p["name"],
                issuer=p["issuer"],
                billing_type=p["billing_type"],
                sub_type=p["sub_type"],
                growth=float(p["growth"]),
                discount=float(p["discount"]),
                tax_rate=float(p["tax_rate"]),
                invoice=(p["invoice_prefix"], int(p["invoice_digits"])),
                tag_keys=(p["tag_team"], p["tag_env"], p["tag_cost_center"], p["tag_app"]),
                accounts={
                    a["key"]: Account(
                        a["key"], *bills[a["billing"]], a["sub_id"], a["sub_name"], a["env"]
                    )
                    for a in accounts[key]
                },
                regions={r["key"]: (r["id"] or None, r["name"] or None) for r in regions[key]},
                services={
                    s["key"]: (s["name"], s["category"], s["subcategory"]) for s in services[key]
                },
                skus={s["key"]: _sku(s) for s in skus[key]},
                resources={r["key"]: _resource(r, p["id_prefix"]) for r in resources[key]},
                workloads=tuple(_workload(w) for w in workloads[key]),
            )
        )
    return tuple(out)


PROVIDERS = _providers()
SPIKES = tuple(Spike(**{k: v for k, v in s.items() if k != "why"}) for s in _COMPANY["spikes"])
CREDITS = tuple(Credit(**c | {"first": _when(c["first"])}) for c in _COMPANY["credits"])
