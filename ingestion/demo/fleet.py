"""The demo company's fleet: every resource its workloads run, placed in an account and region,
named and tagged the way its cloud would, and billed on one line per SKU.

A fleet is drawn once per provider from the seed and the scale; the simulation then prices its
lines day by day. Lines are kept as parallel arrays, so a month of millions of rows is a few
array operations rather than a Python loop per row.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ingestion.demo.catalog import (
    APP_GROUPS,
    APPS,
    KINDS,
    PROVIDERS,
    WORDS,
    Account,
    Provider,
    Sku,
    Workload,
)

SPOT_RATE = 0.34  # spot price as a share of the on-demand list price


@dataclass
class Fleet:
    """Every billed line (resource x SKU) of one provider, as parallel arrays."""

    provider: Provider
    text: dict[str, pa.Array]  # per-line FOCUS text columns
    sku: np.ndarray
    kind: np.ndarray
    qty: np.ndarray  # daily pricing quantity at the end of the window, before shape and noise
    price: np.ndarray  # list unit price, USD
    rate: np.ndarray  # contracted / list
    block: np.ndarray
    start: np.ndarray  # window fractions
    end: np.ndarray
    committed: np.ndarray
    spot: np.ndarray
    eur: np.ndarray
    account: np.ndarray  # index into provider.accounts
    service: np.ndarray  # index into provider.services
    billing: np.ndarray  # index into billing_ids(provider)


@dataclass(frozen=True)
class Placed:
    """One resource of a workload: where it lives, what it is called, its tags, size, life."""

    account: Account
    region: tuple[str | None, str | None]
    zone: str | None
    resource: tuple[str | None, str | None, str | None]  # id, name, type
    tags: str | None
    qty: float
    start: float
    end: float


def billing_ids(p: Provider) -> list[str]:
    """A provider's billing accounts in catalog order: InvoiceId is chosen by index into it."""
    return list(dict.fromkeys(a.billing_id for a in p.accounts.values()))


def draw_fleet(p: Provider, seed: int, scale: int) -> Fleet:
    """Every resource of every workload, `scale` times over. One generator per (seed, provider,
    scale): a provider's fleet does not change when another cloud's catalog does."""
    rng = np.random.default_rng([seed, PROVIDERS.index(p), scale])
    columns: dict[str, list] = defaultdict(list)
    counters: Counter[tuple[str, str, str]] = Counter()
    for w in p.workloads:
        for _ in range(w.count * scale):
            placed = _place(p, w, rng, counters)
            for sku_key, ratio, kind in w.skus:
                for name, value in _line(p, w, placed, p.skus[sku_key], ratio, kind).items():
                    columns[name].append(value)
    text = {k: pa.array(v, pa.string()) for k, v in columns.items() if k[0].isupper()}
    numeric = {k: np.array(v) for k, v in columns.items() if k[0].islower()}
    return Fleet(provider=p, text=text, **numeric)


def _pick(options: tuple[str, ...], rng: np.random.Generator) -> str:
    """The first option most often: accounts and regions are rarely used evenly."""
    weights = 0.55 ** np.arange(len(options))
    return options[rng.choice(len(options), p=weights / weights.sum())]


def _place(
    p: Provider, w: Workload, rng: np.random.Generator, counters: Counter[tuple[str, str, str]]
) -> Placed:
    account = p.accounts[_pick(w.accounts, rng)]
    region = _pick(w.regions, rng)
    apps = [a for token in w.apps for a in APP_GROUPS.get(token, token).split()]
    app = str(rng.choice(apps)) if apps else ""
    counters[w.resource, app, account.env] += 1
    n = counters[w.resource, app, account.env]
    word = WORDS[(n - 1) % len(WORDS)]
    hexed = rng.bytes(16).hex()
    resource = p.resources[w.resource]
    region_id, region_name = p.regions[region]
    zone = _zone(p.key, region_id, int(rng.integers(3))) if resource.zonal else None
    fields = {
        "acct": account.sub_id,
        "region": region_id or "",
        "rkey": region,
        "zone": zone,
        "app": app or "adhoc",
        "env": account.env,
        "n": n,
        "slug": word if n <= len(WORDS) else f"{word}-{(n - 1) // len(WORDS) + 1}",
        "hex": hexed,
        "HEX": hexed.upper(),
        "uuid": f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}",
        "ocid": f"amaaaaaa{hexed}{hexed[::-1]}"[:60],
    }
    rid = resource.id.format(**fields) or None
    name = resource.name.format(**fields) if resource.name and rid else rid
    return Placed(
        account=account,
        region=(region_id, region_name),
        zone=zone,
        resource=(rid, name and name.rsplit("/", 1)[-1].rsplit(":", 1)[-1], resource.type),
        tags=_tags(p, w, account, app, rng),
        qty=_quantity(w, rng),
        start=_start(w, rng),
        end=w.end + rng.uniform(0, 0.015) if math.isfinite(w.end) else math.inf,
    )


def _zone(provider: str, region: str | None, i: int) -> str:
    """us-east-1b, 2 (Azure), us-central1-b, kIdk:US-ASHBURN-AD-2 (OCI availability domain)."""
    formats = {"aws": "{r}{a}", "azure": "{n}", "gcp": "{r}-{a}", "oci": "kIdk:{city}-AD-{n}"}
    city = str(region).upper().rsplit("-", 1)[0]
    return formats[provider].format(r=region, city=city, a="abc"[i], n=i + 1)


def _quantity(w: Workload, rng: np.random.Generator) -> float:
    lo, hi = w.qty
    qty = math.exp(rng.uniform(math.log(lo), math.log(hi))) if hi > lo else lo
    return max(w.step, round(qty / w.step) * w.step) if w.step else qty


def _start(w: Workload, rng: np.random.Generator) -> float:
    """Event workloads start together (a few days' stagger); others partly join over time."""
    if w.start:
        return w.start + rng.uniform(0, 0.015)
    late = w.late if w.late is not None else (0.25 if w.kind <= KINDS.index("office") else 0.1)
    return rng.uniform(0.02, 0.95) if rng.random() < late else 0.0


def _tags(
    p: Provider, w: Workload, account: Account, app: str, rng: np.random.Generator
) -> str | None:
    """Full tags mostly; else none, only env (and app), or no cost center: the usual gaps."""
    team_key, env_key, cc_key, app_key = p.tag_keys
    untagged = max(w.untagged, 0.7) if account.env == "sandbox" else w.untagged
    u = rng.random()
    if not app or u < untagged * 0.6:
        return None
    if u < untagged:
        tags = {env_key: account.env} | ({app_key: app} if u > untagged * 0.8 else {})
    else:
        team, cost_center = APPS[app]
        tags = {team_key: team, env_key: account.env, cc_key: cost_center, app_key: app}
        if u < untagged + 0.05:
            del tags[cc_key]
    return json.dumps(tags, separators=(",", ":"))


def _line(
    p: Provider, w: Workload, placed: Placed, sku: Sku, ratio: float, kind: int
) -> dict[str, object]:
    """One billed line: its text columns (FOCUS names) and the numbers the generator needs."""
    account = placed.account
    service, category, subcategory = p.services[sku.service]
    sku_id, price_id = _sku_ids(p.key, sku.key)
    negotiated = 1 - p.discount if account.currency == "USD" else 1.0  # the GmbH pays list
    return {
        "AvailabilityZone": placed.zone,
        "BillingAccountId": account.billing_id,
        "BillingAccountName": account.billing_name,
        "BillingCurrency": account.currency,
        "ChargeDescription": f"${plain_number(sku.price)} per {_per(sku.unit)}, {sku.meter}",
        "ConsumedUnit": sku.consumed_unit,
        "PricingUnit": sku.unit,
        "RegionId": placed.region[0],
        "RegionName": placed.region[1],
        "ResourceId": placed.resource[0],
        "ResourceName": placed.resource[1],
        "ResourceType": placed.resource[2] if placed.resource[0] else None,
        "ServiceCategory": category,
        "ServiceName": service,
        "ServiceSubcategory": subcategory,
        "SkuId": sku_id,
        "SkuMeter": sku.meter,
        "SkuPriceId": price_id,
        "SubAccountId": account.sub_id,
        "SubAccountName": account.sub_name,
        "Tags": placed.tags,
        "sku": sku.key,
        "kind": kind,
        "qty": placed.qty * ratio,
        "price": sku.price,
        "rate": SPOT_RATE if w.spot else negotiated,
        "block": sku.block,
        "start": placed.start,
        "end": placed.end,
        "committed": w.committed,
        "spot": w.spot,
        "eur": account.currency == "EUR",
        "account": list(p.accounts).index(account.key),
        "service": list(p.services).index(sku.service),
        "billing": billing_ids(p).index(account.billing_id),
    }


def plain_number(value: float) -> str:
    """A price as people write it: `0.0832`, `5`, never `5.0000000000`."""
    return f"{value:.10f}".rstrip("0").rstrip(".")


def _per(unit: str) -> str:
    """'Hours' -> 'Hour', 'Queries' -> 'Query'; '1000 Tokens' stays (a block of them)."""
    if unit[0].isdigit() or not unit.endswith("s"):
        return unit
    return unit[:-3] + "y" if unit.endswith("ies") else unit[:-1]


def _sku_ids(provider: str, key: str) -> tuple[str, str]:
    """Stable SKU and price ids in each provider's usual shape."""
    digest = hashlib.sha256(f"{provider}:{key}".encode()).hexdigest()
    if provider == "aws":
        code = _alnum(digest, 16)
        return code, f"{code}.JRTCKXETXF.6YS6EN2CT7"
    if provider == "azure":
        code = _alnum(digest, 12)
        return code, f"{code}/{_alnum(digest[32:], 4)}"
    if provider == "gcp":
        code = "-".join(digest[i : i + 4] for i in (0, 4, 8)).upper()
        return code, code
    code = f"B{int(digest[:8], 16) % 100_000:05d}"
    return code, code


def _alnum(digest: str, n: int) -> str:
    value, out = int(digest, 16), []
    for _ in range(n):
        value, r = divmod(value, 36)
        out.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r])
    return "".join(out)
