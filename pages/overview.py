"""Overview: where spend stands this month, how it moves day by day, what drives and moves it."""

from __future__ import annotations

import streamlit as st

from ui import data
from ui.charts import provider_bars, stacked_daily
from ui.format import change, in_currency, money
from ui.freshness import with_status
from ui.overview import RUN_RATE_DAYS, month_figures
from ui.page import start
from ui.tables import slug, table

ctx = start(__file__, "Overview")
f = ctx.cost
cur = f.currency
m = month_figures(f, ctx.as_of)  # the month the range ends in, up to the data's last day
st.caption(f"Billed cost{in_currency(cur)} · data through {ctx.as_of:%d %b %Y}")

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    f"Month to date ({m.as_of:%b %Y})",
    money(m.month_to_date, cur),
    delta=change(m.change_pct),
    delta_color="inverse",
    help=f"{m.window.month_start:%d %b} – {m.as_of:%d %b %Y}, against the same days last month",
)
c2.metric(
    f"Same point last month (to {m.window.last_month_same_day:%d %b})",
    money(m.last_month_to_date, cur),
)
c3.metric(f"Last month ({m.window.last_month_start:%b %Y})", money(m.last_month, cur))
c4.metric(
    "30-day run rate",
    money(m.run_rate, cur),
    help=f"Month-to-date daily average × {RUN_RATE_DAYS}",
)

scope = slug(f.start, f.end, cur)
left, right = st.columns([2, 1])
with left:
    st.subheader("Daily cost by provider")
    daily = data.daily_by_provider(f)
    if daily.empty:
        st.info("No cost in the selected date range and providers.")
    else:
        st.plotly_chart(stacked_daily(daily, cur), width="stretch", key="daily_chart")
with right:
    st.subheader("Spend by provider")
    totals = data.provider_totals(f)
    if not totals.empty:
        st.plotly_chart(provider_bars(totals, cur), width="stretch", key="provider_chart")
        table(
            totals,
            labels={"provider": "Provider", "billed_cost": "Billed cost"},
            money=("billed_cost",),
            file_name=f"spend-by-provider_{scope}",
            key="provider_table",
        )

st.subheader("Top movers")
st.caption(
    f"{f.start:%d %b} – {f.end:%d %b %Y} against the {(f.end - f.start).days + 1} days before"
)
# Tables take the full width, one under the other: side by side, long service names and
# account ids pushed the last columns out of a half-width table at 1440 px.
for key, title in (("service", "Services"), ("sub_account", "Sub-accounts")):
    moved = data.movers(f, key)
    st.markdown(f"**{title}**")
    if moved.empty:
        st.info("Nothing moved in this window.")
        continue
    # Accounts read by name; the id stays beside it (names repeat across clouds).
    named = {"name": title[:-1], "value": "Id"} if key == "sub_account" else {"value": title[:-1]}
    if key == "sub_account":
        names = data.account_names(f.scope, key)
        moved = moved.assign(name=[names.get(v, v) for v in moved["value"]])
    table(
        moved,
        labels={
            **named,
            "previous_cost": "Before",
            "current_cost": "Now",
            "change": "Change",
        },
        money=("previous_cost", "current_cost", "change"),
        file_name=f"top-movers-{key}_{scope}",
        key=f"movers_{key}",
    )

st.subheader("Top services")
table(
    data.top_services(f),
    labels={"service_name": "Service", "provider": "Provider", "billed_cost": "Billed cost"},
    money=("billed_cost",),
    file_name=f"top-services_{scope}",
    key="top_services",
)
st.subheader("Top accounts")
table(
    data.top_accounts(f),
    labels={
        "provider": "Provider",
        "sub_account_name": "Name",
        "billed_cost": "Billed cost",
        "sub_account_id": "Sub-account",
        "billing_account_id": "Billing account",
    },
    money=("billed_cost",),
    file_name=f"top-accounts_{scope}",
    key="top_accounts",
)

if f.scope.unlimited:  # sources span accounts: only users who see everything see them
    st.subheader("Data freshness")
    fresh = data.freshness()
    if fresh.empty:
        st.info("No loads recorded yet.")
    else:
        table(
            with_status(fresh),
            labels={
                "source": "Source",
                "status": "Status",
                "stale_since": "Stale since",
                "last_loaded_at": "Last loaded",
                "last_charge_date": "Data through",
                "files_loaded": "Files loaded",
                "last_error": "Last error",
            },
            status=("status",),
            file_name="data-freshness",
            key="freshness",
        )
