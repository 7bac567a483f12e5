"""Exports for finance: monthly cost per billing account × cost centre, and FOCUS line items."""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.auth import audit_export
from ui.explorer import METRICS, display_names
from ui.exports import account_months, default_tag_key
from ui.format import in_currency
from ui.page import start
from ui.tables import slug, table

ctx = start(__file__, "Exports")
f = ctx.cost
cur = f.currency

st.subheader("Monthly cost by billing account and cost centre")
keys = data.tag_keys(f)
if not keys:
    st.info("No tags in the selected dates: this view needs a cost-centre tag.")
else:
    default = default_tag_key(keys)
    state.seed("xp_key", state.get("key") if state.get("key") in keys else default)
    state.seed(
        "xp_metric", state.get("metric") if state.get("metric") in METRICS else "billed_cost"
    )
    state.seed("xp_whole", state.get("span") != "dates")
    c1, c2, c3 = st.columns([2, 2, 1.2], vertical_alignment="bottom")
    tag_key = c1.selectbox("Cost centre tag", keys, key="xp_key")
    metric = c2.selectbox("Cost metric", list(METRICS), key="xp_metric", format_func=METRICS.get)
    whole = c3.toggle(
        "Whole billing periods",
        key="xp_whole",
        help="On: every month the sidebar's dates touch, from its first day to its last. "
        "Off: exactly the sidebar's dates; a month they cut is labelled with its days.",
    )
    state.publish({"key": tag_key, "metric": metric, "span": None if whole else "dates"})
    m = account_months(f, tag_key, metric, whole, ctx.bounds.first_date, ctx.as_of)
    st.caption(
        f"{m.covers}. {METRICS[metric]}{in_currency(cur)}; "
        "the file keeps every digit, the screen rounds to cents."
    )
    table(
        m.table,
        labels={
            "provider": "Provider",
            "billing_account_name": "Billing account",
            "billing_account_id": "Billing account id",
            "tag_value": tag_key,
        }
        | {month: month for month in m.months},
        money=tuple(m.months),
        file_name="cost-by-account-"
        + slug(tag_key, metric, f"{m.start:%Y-%m-%d}", f"{m.end:%Y-%m-%d}", cur),
        key="xp_accounts",
    )

st.subheader("FOCUS line items")
st.caption(
    "Every FOCUS column for one billing period and scope (the sidebar's providers, and the "
    "billing accounts picked here), as a gzip CSV streamed from the database."
)
periods = data.billing_periods(f.scope)
account_labels = display_names(data.account_names(f.scope))
c1, c2 = st.columns(2)
period = c1.selectbox(
    "Billing period", periods, format_func=lambda p: f"{p:%B %Y}", key="xp_period"
)
accounts = c2.multiselect(
    "Billing accounts",
    data.dimension_values("billing_account", f),
    format_func=lambda a: account_labels.get(a, a),
    placeholder="All",
    key="xp_acct",
)
st.download_button(
    "Download line items (CSV.GZ)",
    data=data.line_items_file(period, f.scope, f.providers, tuple(accounts)),
    on_click=audit_export,
    args=("focus-line-items",),
    kwargs={"period": str(period)},
    file_name="focus-line-items_" + slug(f"{period:%Y-%m}", *f.providers, *accounts) + ".csv.gz",
    mime="application/gzip",
    icon=":material/download:",
    key="xp_line_items",
)
