"""Cost explorer: any one or two dimensions, filters, granularity and cost metric; click to drill.

The whole view lives in the URL, so a view can be bookmarked or sent to a colleague.
"""

from __future__ import annotations

import streamlit as st

from db.explore import DIMENSIONS, METRICS, PERIODS, TAG_PREFIX, ExploreQuery, label
from ui import data, state
from ui.charts import OTHER, stacked_periods
from ui.explorer import TOTAL, next_dimension, pivot
from ui.format import in_currency
from ui.page import start
from ui.tables import slug, table

NONE = "(none)"

ctx = start(__file__, "Cost explorer")
f = ctx.cost
tag_options = [f"{TAG_PREFIX}{k}" for k in data.tag_keys(f)]
group_options = [*DIMENSIONS, *tag_options]

# -- view state: URL first, then the widgets own it ------------------------------------------
groups = [g for g in state.get_list("g") if g in group_options] or ["provider"]
state.seed("ex_g1", groups[0])
state.seed("ex_g2", groups[1] if len(groups) > 1 else NONE)
state.seed("ex_gran", state.get("gran") if state.get("gran") in PERIODS else "day")
state.seed("ex_metric", state.get("metric") if state.get("metric") in METRICS else "billed_cost")
for key in DIMENSIONS:
    state.seed(f"ex_f_{key}", state.get_list(f"f.{key}"))
url_tag = state.get("tag")
state.seed("ex_tag", url_tag if url_tag in tag_options else NONE)
state.seed("ex_f_tag", state.get_list("f.tag"))


def drill(value: str) -> None:
    """Filter to the clicked value and group by the next dimension down."""
    key = st.session_state["ex_g1"]
    if value in (OTHER, TOTAL):
        return
    if key.startswith(TAG_PREFIX):
        st.session_state["ex_tag"] = key
        st.session_state["ex_f_tag"] = [value]
    else:
        st.session_state[f"ex_f_{key}"] = [value]
    st.session_state["ex_g1"] = next_dimension(key)
    if st.session_state["ex_g2"] == st.session_state["ex_g1"]:
        st.session_state["ex_g2"] = NONE


def on_table_select() -> None:
    rows = st.session_state["ex_table"].selection.rows
    if rows:
        drill(st.session_state["ex_row_values"][rows[0]])


def on_chart_select() -> None:
    points = st.session_state["ex_chart"].selection.points
    if points:
        drill(st.session_state["ex_trace_names"][points[0]["curve_number"]])


# -- controls -------------------------------------------------------------------------------
c1, c2, c3, c4 = st.columns(4)
g1 = c1.selectbox("Group by", group_options, key="ex_g1", format_func=label)
g2 = c2.selectbox(
    "Then by",
    [NONE, *[g for g in group_options if g != g1]],
    key="ex_g2",
    format_func=lambda k: "—" if k == NONE else label(k),
)
granularity = (
    c3.segmented_control("Granularity", list(PERIODS), key="ex_gran", format_func=str.capitalize)
    or "day"
)
metric = c4.selectbox("Cost metric", list(METRICS), key="ex_metric", format_func=METRICS.get)

with st.expander("Filters", icon=":material/filter_list:"):
    columns = st.columns(4)
    filters: list[tuple[str, tuple[str, ...]]] = []
    for i, key in enumerate(DIMENSIONS):
        picked = columns[i % 4].multiselect(
            DIMENSIONS[key].label,
            data.dimension_values(key, f),
            key=f"ex_f_{key}",
            placeholder="All",
        )
        if picked:
            filters.append((key, tuple(picked)))
    tag = columns[3].selectbox(
        "Tag",
        [NONE, *tag_options],
        key="ex_tag",
        format_func=lambda k: "—" if k == NONE else label(k),
    )
    if tag != NONE:
        tag_values = st.multiselect(
            f"Values of {tag.removeprefix(TAG_PREFIX)}",
            data.dimension_values(tag, f),
            key="ex_f_tag",
            placeholder="All",
        )
        if tag_values:
            filters.append((tag, tuple(tag_values)))

group_by = (g1,) if g2 == NONE else (g1, g2)
state.publish(
    {
        "g": list(group_by),
        "gran": granularity,
        "metric": metric,
        "tag": None if tag == NONE else tag,
        "f.tag": st.session_state["ex_f_tag"] if tag != NONE else None,
        **{f"f.{key}": list(dict(filters).get(key, ())) for key in DIMENSIONS},
    }
)

try:
    query = ExploreQuery(f, group_by, granularity, metric, tuple(filters))
except ValueError as exc:
    st.error(f"{exc}. Pick one tag key for grouping and filtering.")
    st.stop()

# -- results --------------------------------------------------------------------------------
result = data.explore(query)
if result.empty:
    st.info("No cost matches these filters in the selected dates. Widen the dates or filters.")
    st.stop()

cur = f.currency
series_label = label(g1)
st.caption(
    f"{METRICS[metric]}{in_currency(cur)}, {f.start:%d %b %Y} – {f.end:%d %b %Y}, "
    f"by {series_label.lower()}{'' if g2 == NONE else ' and ' + label(g2).lower()} · "
    "click a bar or a row to drill down"
)
chart = stacked_periods(
    result, "dim1", series_label, METRICS[metric], cur, granularity, (f.start, f.end)
)
st.session_state["ex_trace_names"] = [trace.name for trace in chart.data]
st.plotly_chart(
    chart,
    width="stretch",
    key="ex_chart",
    on_select=on_chart_select,
    selection_mode="points",
)

wide = pivot(result, ["dim1"] if g2 == NONE else ["dim1", "dim2"], granularity)
st.session_state["ex_row_values"] = list(wide["dim1"])
periods = [c for c in wide.columns if c not in ("dim1", "dim2")]
labels = {"dim1": series_label}
if g2 != NONE:
    labels["dim2"] = label(g2)
labels |= {p: p for p in periods}
table(
    wide,
    labels=labels,
    money=tuple(periods),
    file_name=f"cost-explorer_{slug(*group_by, granularity, metric, f.start, f.end, cur)}",
    key="ex_table",
    on_select=on_table_select,
    selection_mode="single-row",
)
