"""Cost explorer: any one or two dimensions, filters, granularity and cost metric; click to drill.

The whole view lives in the URL, so a view can be bookmarked or sent to a colleague, and each
change is a browser history entry: Back undoes a drill step.
"""

from __future__ import annotations

import streamlit as st

from ui import data, drill
from ui.charts import stacked_periods
from ui.drill import NONE
from ui.explorer import (
    DIMENSION_KEYS,
    GRANULARITIES,
    METRICS,
    NAMED,
    TAG_PREFIX,
    ExploreQuery,
    display_names,
    label,
    pivot,
    shown,
)
from ui.format import escape_md, in_currency
from ui.page import start
from ui.tables import slug, table

ctx = start(__file__, "Cost explorer")
f = ctx.cost
ss = st.session_state
tag_options = [f"{TAG_PREFIX}{k}" for k in data.tag_keys(f)]
group_options = [*DIMENSION_KEYS, *tag_options]
names = {k: display_names(data.account_names(f.scope, k)) for k in NAMED}

# -- view state: the URL first (and again after Back), then the widgets own it -----------------
drill.load(ss, group_options, tag_options)


def on_table_select() -> None:
    rows = ss["ex_table"].selection.rows
    if rows:
        drill.drill(ss, ss["ex_row_values"][rows[0]])


def on_chart_select() -> None:
    points = ss["ex_chart"].selection.points
    if points:
        drill.drill(ss, ss["ex_trace_names"][points[0]["curve_number"]])


# -- where you are: the drill path, each step a way back up ------------------------------------
steps = drill.path(ss)
with st.container(horizontal=True, vertical_alignment="center", gap="small", key="ex_path"):
    if steps:
        st.button(
            "All costs",
            type="tertiary",
            key="ex_up_0",
            help="Back to every cost, before the first step",
            on_click=drill.go_up,
            args=(ss, 0),
        )
    else:
        st.markdown("**All costs**", width="content")
    for i, step in enumerate(steps):
        st.markdown("›", width="content")
        text = escape_md(drill.step_text(step, names))
        if i + 1 < len(steps):
            st.button(
                text,
                type="tertiary",
                key=f"ex_up_{i + 1}",
                help=drill.step_help(step, "Back to this step"),
                on_click=drill.go_up,
                args=(ss, i + 1),
            )
        else:
            here = drill.step_help(step, "Where you are") if step.key in NAMED else None
            st.markdown(f"**{text}**", width="content", help=here)
    st.markdown(f"› by {label(ss['ex_g1']).lower()}", width="content")

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
    c3.segmented_control("Granularity", GRANULARITIES, key="ex_gran", format_func=str.capitalize)
    or "day"
)
metric = c4.selectbox("Cost metric", list(METRICS), key="ex_metric", format_func=METRICS.get)

if steps:
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="ex_chips"):
        st.caption("Filtered to", width="content")
        for step in steps:
            for value in step.values:
                one = drill.Step(step.key, (value,))
                st.button(
                    escape_md(drill.step_text(one, names)),
                    icon=":material/close:",
                    key=f"ex_chip_{step.key}_{value}",
                    help=drill.step_help(one, "Remove this filter"),
                    on_click=drill.remove,
                    args=(ss, step.key, value),
                )

with st.expander("Filters", icon=":material/filter_list:"):
    columns = st.columns(4)
    filters: list[tuple[str, tuple[str, ...]]] = []
    for i, key in enumerate(DIMENSION_KEYS):
        picked = columns[i % 4].multiselect(
            label(key),
            data.dimension_values(key, f),
            key=f"ex_f_{key}",
            placeholder="All",
            format_func=lambda v, k=key: shown(k, v, names),
            help="Listed by name; the link keeps the id." if key in NAMED else None,
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
drill.publish(
    {
        "g": list(group_by),
        "gran": granularity,
        "metric": metric,
        "tag": None if tag == NONE else tag,
        "f.tag": ss["ex_f_tag"] if tag != NONE else None,
        **{f"f.{key}": list(dict(filters).get(key, ())) for key in DIMENSION_KEYS},
    },
    ss,
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
by_name = result.assign(dim1=[shown(g1, v, names) for v in result["dim1"]])
chart = stacked_periods(
    by_name, "dim1", series_label, METRICS[metric], cur, granularity, (f.start, f.end)
)
ids = {shown(g1, v, names): v for v in result["dim1"]}
ss["ex_trace_names"] = [ids.get(trace.name, trace.name) for trace in chart.data]
if g1 in NAMED:
    for trace in chart.data:  # the id under the name, in the bar's tooltip
        if trace.name in ids:
            trace.customdata = [[ids[trace.name]]] * len(trace.x)
            trace.hovertemplate = trace.hovertemplate.replace(
                "<extra>", "<br>Id: %{customdata[0]}<extra>"
            )
st.plotly_chart(
    chart,
    width="stretch",
    key="ex_chart",
    on_select=on_chart_select,
    selection_mode="points",
)

index = ["dim1"] if g2 == NONE else ["dim1", "dim2"]
wide = pivot(result, index, granularity, f.start, f.end)
ss["ex_row_values"] = list(wide["dim1"])
periods = [c for c in wide.columns if c not in index]
labels: dict[str, str] = {}
for col, key in zip(index, group_by, strict=True):
    if key in NAMED:  # the name to read, the id beside it (and in the CSV) to match the bill
        wide[f"{col}_name"] = [shown(key, v, names) for v in wide[col]]
        labels |= {f"{col}_name": label(key), col: f"{label(key)} id"}
    else:
        labels[col] = label(key)
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
