"""The explorer's drill path: its filters as a breadcrumb and as removable chips, the steps a
click or a chip takes, and the URL kept as browser history so Back undoes a step.

The view lives in the widgets' session state (keys ex_g1, ex_g2, ex_f_<dimension>, ex_tag,
ex_f_tag); the functions here read and change that mapping, so they run in callbacks (before
the widgets are drawn) and in tests on a plain dict.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import streamlit as st

from db.explore import DIMENSIONS, METRICS, PERIODS, TAG_PREFIX, label
from ui import state
from ui.charts import OTHER
from ui.explorer import NAMED, TOTAL, next_dimension

NONE = "(none)"
# The order a breadcrumb reads in: down the drill hierarchy, then the side filters.
ORDER = (
    "provider",
    "billing_account",
    "sub_account",
    "service",
    "region",
    "service_category",
    "charge_category",
)
PUBLISHED = "ex_published"  # the view this session last wrote to the URL
View = dict[str, list[str]]
State = MutableMapping[str, object]


@dataclass(frozen=True)
class Step:
    """One filter on the drill path: a dimension (or tag:key) and the values kept."""

    key: str
    values: tuple[str, ...]


def path(ss: State) -> list[Step]:
    """The active filters in breadcrumb order."""
    steps = [Step(k, tuple(ss.get(f"ex_f_{k}") or ())) for k in ORDER]
    tag = ss.get("ex_tag")
    if isinstance(tag, str) and tag != NONE:
        steps.append(Step(tag, tuple(ss.get("ex_f_tag") or ())))
    return [s for s in steps if s.values]


def _set(ss: State, key: str, values: list[str]) -> None:
    if key.startswith(TAG_PREFIX):
        ss["ex_tag"] = key if values else NONE
        ss["ex_f_tag"] = values
    else:
        ss[f"ex_f_{key}"] = values


def _group(ss: State, key: str) -> None:
    ss["ex_g1"] = key
    if ss.get("ex_g2") == key:
        ss["ex_g2"] = NONE


def drill(ss: State, value: str) -> None:
    """Filter to the clicked value of the first group-by and group by the next level down."""
    key = str(ss["ex_g1"])
    if value in (OTHER, TOTAL):
        return
    _set(ss, key, [value])
    _group(ss, next_dimension(key))


def remove(ss: State, key: str, value: str) -> None:
    """A chip's ✕: drop one value from one filter."""
    step = next((s for s in path(ss) if s.key == key), None)
    if step is not None:
        _set(ss, key, [v for v in step.values if v != value])


def go_up(ss: State, index: int) -> None:
    """A breadcrumb click: keep the filters before `index` and group by the dimension of the
    step at `index`, as the view stood before that step was taken."""
    steps = path(ss)
    if not 0 <= index < len(steps):
        return
    for step in steps[index:]:
        _set(ss, step.key, [])
    _group(ss, steps[index].key)


# -- the URL as history ----------------------------------------------------------------------
def keys() -> list[str]:
    return ["g", "gran", "metric", "tag", "f.tag", *(f"f.{k}" for k in DIMENSIONS)]


def url_view() -> View:
    return {k: list(st.query_params.get_all(k)) for k in keys()}


def load(ss: State, group_options: list[str], tag_options: list[str]) -> None:
    """Give the widgets the URL's view: on the first visit, and again whenever the URL changed
    under them (the browser's Back or Forward reruns the page with the older URL, while the
    widgets still hold the newer view)."""
    url = url_view()
    force = PUBLISHED in ss and ss[PUBLISHED] != url

    def put(key: str, value: object) -> None:
        if force or key not in ss:
            ss[key] = value

    groups = [g for g in url["g"] if g in group_options] or ["provider"]
    put("ex_g1", groups[0])
    put("ex_g2", groups[1] if len(groups) > 1 else NONE)
    gran = url["gran"][0] if url["gran"] else None
    put("ex_gran", gran if gran in PERIODS else "day")
    metric = url["metric"][0] if url["metric"] else None
    put("ex_metric", metric if metric in METRICS else "billed_cost")
    for key in DIMENSIONS:
        put(f"ex_f_{key}", url[f"f.{key}"])
    tag = url["tag"][0] if url["tag"] else None
    put("ex_tag", tag if tag in tag_options else NONE)
    put("ex_f_tag", url["f.tag"])


def publish(values: dict[str, str | list[str] | None], ss: State) -> None:
    """Write the view to the URL in one update: the browser makes each update a history entry,
    so one drill (new filter and new grouping together) is one step for Back."""
    wanted: View = {
        k: [] if v is None else ([v] if isinstance(v, str) else list(v)) for k, v in values.items()
    }
    ss[PUBLISHED] = {k: wanted.get(k, []) for k in keys()}
    state.publish(values)


def step_text(step: Step, names: dict[str, dict[str, str]]) -> str:
    """'Billing account: Payer' or 'Service: 3 values' (names for account ids)."""
    if len(step.values) == 1:
        shown = names.get(step.key, {}).get(step.values[0], step.values[0])
    else:
        shown = f"{len(step.values)} values"
    return f"{label(step.key)}: {shown}"


def step_help(step: Step, action: str) -> str:
    """A tooltip: what a click does, and the ids behind names (links and the bill use ids)."""
    if step.key not in NAMED:
        return action
    return f"{action} · id {', '.join(step.values)}"
