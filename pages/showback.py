"""Showback / chargeback: cost per tag value, an explicit untagged bucket, and allocation rules
that spread shared or untagged cost; the total after allocation always equals the bill."""

from __future__ import annotations

from html import escape as html_escape

import pandas as pd
import streamlit as st

from ui import data, state
from ui.auth import current_user
from ui.charts import showback_bars
from ui.explorer import METRICS
from ui.format import escape_md, money
from ui.page import start
from ui.showback import METHODS, UNTAGGED_LABEL, default_tag_key, labelled, rule_from_form, totals
from ui.tables import slug, table

NO_RULE = "No allocation"


def plain(text: str) -> str:
    """Tag text for Plotly, which reads <a href>, <b> and the like in labels as markup."""
    return html_escape(text, quote=False)


ctx = start(__file__, "Showback")
f = ctx.cost
cur = f.currency
keys = data.tag_keys(f)
if not keys:
    st.info("No tags in the selected dates: showback needs cost rows with tags.")
    st.stop()

preferred = default_tag_key(keys)
state.seed("sb_key", state.get("key") if state.get("key") in keys else preferred)
state.seed("sb_metric", state.get("metric") if state.get("metric") in METRICS else "billed_cost")

c1, c2, c3 = st.columns(3)
tag_key = c1.selectbox("Tag key", keys, key="sb_key")
metric = c2.selectbox("Cost metric", list(METRICS), key="sb_metric", format_func=METRICS.get)
key_rules = [r for r in data.allocation_rules() if r.tag_key == tag_key]
rule_names = [NO_RULE, *[r.name for r in key_rules]]
state.seed("sb_rule", state.get("rule") if state.get("rule") in rule_names else NO_RULE)
if "sb_rule_pending" in st.session_state:  # a rule just saved becomes the one shown
    st.session_state["sb_rule"] = st.session_state.pop("sb_rule_pending")
if st.session_state["sb_rule"] not in rule_names:
    st.session_state["sb_rule"] = NO_RULE
rule_name = c3.selectbox("Allocation rule", rule_names, key="sb_rule")
rule = next((r for r in key_rules if r.name == rule_name), None)
state.publish({"key": tag_key, "metric": metric, "rule": None if rule is None else rule_name})

result = data.showback(f, tag_key, rule, metric)
shown = labelled(result)
sums = totals(result)

k1, k2, k3 = st.columns(3)
k1.metric(f"Total {METRICS[metric].lower()}", money(float(sums.before), cur))
k2.metric(f"Untagged by {escape_md(tag_key)}", money(float(sums.untagged), cur))
k3.metric(
    "Tagged share",
    "—" if sums.tagged_share is None else f"{sums.tagged_share * 100:.1f}%",
    help="Share of cost carrying this tag key",
)
if rule is not None:
    pool = "untagged cost" if rule.pool_value is None else f"cost tagged {rule.pool_value!r}"
    st.caption(
        f"Rule “{escape_md(rule.name)}”: {METHODS[rule.method].lower()} of {escape_md(pool)}."
    )

views = {"Before": shown["before"]}
if rule is not None:
    views["After allocation"] = shown["after"]
long = pd.concat(
    pd.DataFrame({"tag_value": shown["value"].map(plain), "view": view, "cost": costs})
    for view, costs in views.items()
)
fig = showback_bars(long, plain(tag_key), UNTAGGED_LABEL, METRICS[metric], cur)
st.plotly_chart(fig, width="stretch", key="sb_chart")

total_row = pd.DataFrame(
    [{"value": "Total", "before": sums.before, "allocated": sums.allocated, "after": sums.after}]
)
table(
    pd.concat([shown, total_row], ignore_index=True),
    labels={"value": tag_key, "before": "Before", "allocated": "Allocated", "after": "After"},
    money=("before", "allocated", "after"),
    file_name="showback_" + slug(tag_key, rule_name, metric, f.start, f.end, cur),
    key="sb_table",
)

with st.expander("Allocation rules", icon=":material/rule:"):
    if not current_user().can("allocation_rules"):
        st.caption("Only an admin can add or change allocation rules.")
        st.stop()
    st.caption(
        "A rule spreads the untagged bucket, or a value that stands for shared cost, over the "
        "other values of the key. Totals never change: what leaves the pool lands on values."
    )
    for r in key_rules:
        left, right = st.columns([5, 1])
        detail = ", ".join(f"{k} {v}%" for k, v in r.percentages.items())
        pool = "untagged" if r.pool_value is None else repr(r.pool_value)
        left.markdown(
            f"**{escape_md(r.name)}**: {METHODS[r.method].lower()} of {escape_md(pool)}"
            + (f" ({escape_md(detail)})" if detail else "")
        )
        if right.button("Delete", key=f"sb_del_{r.rule_id}"):
            data.delete_rule(r.rule_id, current_user().username)
            st.cache_data.clear()
            st.rerun()
    values = [v for v in result["value"] if v is not None]
    with st.form("sb_new_rule", clear_on_submit=False):
        st.markdown(f"**New rule for {escape_md(tag_key)}**")
        name = st.text_input("Name", key="sb_new_name")
        pool_choice = st.selectbox("Cost to spread", [UNTAGGED_LABEL, *values], key="sb_new_pool")
        method = st.radio(
            "How", list(METHODS), format_func=METHODS.get, key="sb_new_method", horizontal=True
        )
        shares = st.data_editor(
            pd.DataFrame({"value": values, "percent": [0.0] * len(values)}),
            num_rows="dynamic",
            key="sb_new_shares",
            column_config={
                "value": st.column_config.TextColumn(tag_key),
                "percent": st.column_config.NumberColumn(
                    "Percent (fixed only)", min_value=0.0, max_value=100.0
                ),
            },
            hide_index=True,
        )
        if st.form_submit_button("Save rule"):
            new, problems = rule_from_form(name, tag_key, method, pool_choice, shares)
            if problems:
                st.error(" ".join(problems))
            else:
                data.save_rule(new, current_user().username)
                st.cache_data.clear()
                st.session_state["sb_rule_pending"] = new.name
                st.rerun()
