"""Charts with one look: provider colours fixed, money on the axis in the page's currency."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from ui.format import SYMBOLS
from ui.theme import color_map

MAX_SERIES = 10
OTHER = "Other"


def _money_axis(fig: go.Figure, currency: str | None, axis: str = "y") -> go.Figure:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickprefix=SYMBOLS.get(currency or "", ""), tickformat=",.2f")
    fig.update_layout(legend_title_text="", margin={"t": 10, "b": 10, "l": 10, "r": 10})
    return fig


def stacked_daily(daily: pd.DataFrame, currency: str | None) -> go.Figure:
    fig = px.bar(
        daily.astype({"billed_cost": "float64"}),
        x="charge_date",
        y="billed_cost",
        color="provider",
        color_discrete_map=color_map(daily["provider"].unique().tolist()),
        labels={"charge_date": "Date", "billed_cost": "Billed cost", "provider": "Provider"},
    )
    fig.update_layout(barmode="stack")
    return _money_axis(fig, currency)


def provider_bars(totals: pd.DataFrame, currency: str | None) -> go.Figure:
    fig = px.bar(
        totals.astype({"billed_cost": "float64"}),
        x="billed_cost",
        y="provider",
        orientation="h",
        color="provider",
        color_discrete_map=color_map(totals["provider"].tolist()),
        labels={"billed_cost": "Billed cost", "provider": ""},
    )
    fig.update_layout(showlegend=False, height=260)
    return _money_axis(fig, currency, axis="x")


def top_series(df: pd.DataFrame, series: str, value: str, keep: int = MAX_SERIES) -> pd.DataFrame:
    """Keep the biggest series by total and fold the rest into 'Other', so a chart stays legible."""
    totals = df.groupby(series)[value].sum().sort_values(ascending=False)
    if len(totals) <= keep:
        return df
    kept = set(totals.index[: keep - 1])
    out = df.copy()
    out[series] = out[series].where(out[series].isin(kept), OTHER)
    return out.groupby([c for c in out.columns if c != value], as_index=False)[value].sum()


def stacked_periods(
    df: pd.DataFrame, series: str, label: str, metric_label: str, currency: str | None
) -> go.Figure:
    """Explorer chart: one bar per period, stacked by the first group-by dimension."""
    plot = top_series(df.astype({"cost": "float64"}), series, "cost")
    providers = series == "dim1" and label == "Provider"
    fig = px.bar(
        plot,
        x="period",
        y="cost",
        color=series,
        color_discrete_map=color_map(plot[series].unique().tolist()) if providers else None,
        labels={"period": "", "cost": metric_label, series: label},
    )
    fig.update_layout(barmode="stack", clickmode="event+select")
    return _money_axis(fig, currency)
