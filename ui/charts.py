"""Charts with one look: provider colours fixed, money on the axis in the page's currency, series
biggest first with the folded tail ("Other", grey) last, and periods labelled as periods."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.format import axis_format
from ui.theme import UNALLOCATED_COLOR, VIEW_COLORS, color_map, series_colors

MAX_SERIES = 10
OTHER = "Other"
MONDAY = "2024-01-01"  # weekly date ticks count from a Monday (Plotly's own start is a Sunday)
DAY_MS = 86_400_000


def _day_ticks(fig: go.Figure, days: pd.Series) -> None:
    """Ticks for a daily axis: every day when few, else every week or two from a Monday (weeks
    start on Monday; Plotly's automatic weekly ticks fall on Sundays), else each month's 1st."""
    dates = pd.to_datetime(days)
    span = (dates.max() - dates.min()).days + 1 if len(dates) else 0
    if span <= 14:
        fig.update_xaxes(tickmode="linear", tick0=MONDAY, dtick=DAY_MS, tickformat="%-d %b")
    elif span <= 140:
        weeks = 1 if span <= 70 else 2
        fig.update_xaxes(tickmode="linear", tick0=MONDAY, dtick=7 * weeks * DAY_MS)
        fig.update_xaxes(tickformat="%-d %b")
    else:
        fig.update_xaxes(tickmode="linear", tick0="2024-01-01", dtick="M1", tickformat="%b %Y")


def _money_axis(fig: go.Figure, currency: str | None, axis: str = "y") -> go.Figure:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(**axis_format(currency))
    fig.update_layout(
        legend_title_text="",
        legend_traceorder="normal",  # stacked bars would list the legend bottom-up otherwise
        # Room above the plot for Plotly's toolbar, which otherwise covers the legend's top row.
        margin={"t": 36, "b": 10, "l": 10, "r": 10},
    )
    return fig


def by_size(df: pd.DataFrame, series: str, value: str) -> list[str]:
    """Series names, biggest total first, 'Other' always last whatever its size."""
    totals = (
        df.groupby(series, dropna=False)[value].sum().sort_values(ascending=False, kind="stable")
    )
    names = [str(n) for n in totals.index]
    return [n for n in names if n != OTHER] + [n for n in names if n == OTHER]


def stacked_daily(daily: pd.DataFrame, currency: str | None) -> go.Figure:
    plot = daily.astype({"billed_cost": "float64"})
    order = by_size(plot, "provider", "billed_cost")
    fig = px.bar(
        plot,
        x="charge_date",
        y="billed_cost",
        color="provider",
        color_discrete_map=color_map(order),
        category_orders={"provider": order},
        labels={"charge_date": "Date", "billed_cost": "Billed cost", "provider": "Provider"},
    )
    fig.update_layout(barmode="stack")
    _day_ticks(fig, plot["charge_date"])
    return _money_axis(fig, currency)


def provider_bars(totals: pd.DataFrame, currency: str | None) -> go.Figure:
    plot = totals.astype({"billed_cost": "float64"})
    order = by_size(plot, "provider", "billed_cost")
    fig = px.bar(
        plot,
        x="billed_cost",
        y="provider",
        orientation="h",
        color="provider",
        color_discrete_map=color_map(order),
        category_orders={"provider": order},
        labels={"billed_cost": "Billed cost", "provider": ""},
    )
    fig.update_layout(showlegend=False, height=260)
    return _money_axis(fig, currency, axis="x")


def top_series(df: pd.DataFrame, series: str, value: str, keep: int = MAX_SERIES) -> pd.DataFrame:
    """Period, series and value only, the biggest series kept and the rest folded into 'Other'
    so a chart stays legible. Only the columns the chart draws are grouped on: a column that is
    all None (the explorer's second dimension when there is none) would drop every row as a
    missing group key."""
    out = df[["period", series, value]].copy()
    totals = out.groupby(series, dropna=False)[value].sum().sort_values(ascending=False)
    if len(totals) > keep:
        kept = set(totals.index[: keep - 1])
        out[series] = out[series].where(out[series].isin(kept), OTHER)
    return out.groupby(["period", series], as_index=False, dropna=False)[value].sum()


def period_text(start: date, granularity: str, first: date, last: date, with_year: bool) -> str:
    """'Nov 2026' for a month; 'Week of 2 Nov' for a week (weeks start on Monday), marked
    '(partial)' when the dates shown cover only part of it."""
    if granularity == "month":
        return f"{start:%b %Y}"
    text = f"Week of {start.day} {start:%b}" + (f" {start:%Y}" if with_year else "")
    partial = start < first or start + timedelta(days=6) > last
    return f"{text} (partial)" if partial else text


def _as_date(value: object) -> date:
    return pd.Timestamp(value).date()


def stacked_periods(
    df: pd.DataFrame,
    series: str,
    label: str,
    metric_label: str,
    currency: str | None,
    granularity: str = "day",
    dates: tuple[date, date] | None = None,
) -> go.Figure:
    """Explorer chart: one bar per period, stacked by the first group-by dimension. Months and
    weeks sit on a category axis, one tick per period: a date axis would put its own ticks
    between them (a November bar ticked 'Oct 31', weekly ticks on Sundays)."""
    plot = top_series(df.astype({"cost": "float64"}), series, "cost")
    plot[series] = plot[series].astype(str)
    order = by_size(plot, series, "cost")
    periods = sorted({_as_date(p) for p in plot["period"]})
    ticks: list[str] = []
    if granularity in ("month", "week"):
        first, last = dates or (periods[0], periods[-1] + timedelta(days=6))
        with_year = periods[0].year != periods[-1].year
        text = {p: period_text(p, granularity, first, last, with_year) for p in periods}
        ticks = [text[p] for p in periods]
        plot["period"] = [text[_as_date(p)] for p in plot["period"]]
    fig = px.bar(
        plot,
        x="period",
        y="cost",
        color=series,
        color_discrete_map=series_colors(order, providers=series == "dim1" and label == "Provider"),
        category_orders={series: order, **({"period": ticks} if ticks else {})},
        labels={"period": "", "cost": metric_label, series: label},
    )
    if ticks:
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=ticks)
    else:
        _day_ticks(fig, plot["period"])
    fig.update_layout(barmode="stack", clickmode="event+select")
    return _money_axis(fig, currency)


def showback_bars(
    long: pd.DataFrame, tag_key: str, untagged: str, metric_label: str, currency: str | None
) -> go.Figure:
    """Cost per tag value (before, and after allocation when a rule applies), biggest first;
    the untagged bucket last and in its own colour, so unallocated spend stands out."""
    plot = long.astype({"cost": "float64"})
    before = plot[plot["view"] == plot["view"].iloc[0]] if len(plot) else plot
    sizes = before.groupby("tag_value")["cost"].sum().sort_values(ascending=False, kind="stable")
    order = [v for v in sizes.index if v != untagged] + [v for v in sizes.index if v == untagged]
    fig = go.Figure()
    for i, (view, rows) in enumerate(plot.groupby("view", sort=False)):
        rows = rows.set_index("tag_value").reindex(order).reset_index()
        tagged = VIEW_COLORS[i % len(VIEW_COLORS)]
        fig.add_bar(
            x=rows["tag_value"],
            y=rows["cost"],
            name=str(view),
            marker_color=[
                UNALLOCATED_COLOR if v == untagged else tagged for v in rows["tag_value"]
            ],
            marker_pattern_shape="/" if i else "",  # after allocation: hatched, untagged too
        )
    fig.update_layout(barmode="group", xaxis_title=tag_key, yaxis_title=metric_label)
    fig.update_layout(showlegend=len(fig.data) > 1)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    return _money_axis(fig, currency)
