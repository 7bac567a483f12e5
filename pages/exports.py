"""Exports for finance: monthly cost per billing account × cost centre, and FOCUS line items."""

from __future__ import annotations

import streamlit as st

from db.explore import METRICS
from ui import data, state
from ui.auth import audit_export
from ui.explorer import pivot
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
    default = next((k for k in ("cost-center", "costcenter", "cost-centre") if k in keys), keys[0])
    state.seed("xp_key", state.get("key") if state.get("key") in keys else default)
    state.seed(
        "xp_metric", state.get("metric") if state.get("metric") in METRICS else "billed_cost"
    )
    c1, c2 = st.columns(2)
    tag_key = c1.selectbox("Cost centre tag", keys, key="xp_key")
    metric = c2.selectbox("Cost metric", list(METRICS), key="xp_metric", format_func=METRICS.get)
    state.publish({"key": tag_key, "metric": metric})
    long = data.account_tag_months(f, tag_key, metric).rename(columns={"month": "period"})
    wide = pivot(long, ["provider", "billing_account_id", "tag_value"], "month")
    names = data.account_names(f.scope)
    wide.insert(2, "billing_account_name", [names.get(a, "") for a in wide["billing_account_id"]])
    months = [c for c in wide.columns if c[:2] == "20" or c == "Total"]
    st.caption(
        f"{METRICS[metric]}{in_currency(cur)}, {f.start:%b %Y} – {f.end:%b %Y}; "
        "the file keeps every digit, the screen rounds to cents."
    )
    table(
        wide,
        labels={
            "provider": "Provider",
            "billing_account_id": "Billing account",
            "billing_account_name": "Account name",
            "tag_value": tag_key,
        }
        | {m: m for m in months},
        money=tuple(months),
        file_name="cost-by-account-"
        + slug(tag_key, metric, f"{f.start:%Y-%m}", f"{f.end:%Y-%m}", cur),
        key="xp_accounts",
    )

st.subheader("FOCUS line items")
st.caption(
    "Every FOCUS column for one billing period and scope (the sidebar's providers, and the "
    "billing accounts picked here), as a gzip CSV streamed from the database."
)
periods = data.billing_periods(f.scope)
c1, c2 = st.columns(2)
period = c1.selectbox(
    "Billing period", periods, format_func=lambda p: f"{p:%B %Y}", key="xp_period"
)
accounts = c2.multiselect(
    "Billing accounts",
    data.dimension_values("billing_account", f),
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
