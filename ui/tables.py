"""Every table comes with a CSV of exactly what it shows (same rows, same filters), at full
precision: the screen rounds money to cents, the file never does."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from db.extract import spreadsheet_text
from ui.auth import audit_export
from ui.format import readable
from ui.theme import status_color


def slug(*parts: object) -> str:
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower()


def to_csv(df: pd.DataFrame, labels: dict[str, str]) -> bytes:
    """Decimal values are written as their exact digits (pandas would go through float). Text
    a spreadsheet would run as a formula (resource names, tags) gets a leading quote. Lines end
    in CRLF (RFC 4180), so a carriage return inside a cell is quoted too."""
    out = df.rename(columns=labels).rename(columns=_safe).map(_safe)
    return out.to_csv(index=False, lineterminator="\r\n").encode()


def _safe(value: object) -> object:
    return spreadsheet_text(value) if isinstance(value, str) else value


TOTAL = "Total"
ROW_PX = 35  # the grid's default row height


def shown_frame(df: pd.DataFrame, money: tuple[str, ...]) -> pd.DataFrame:
    """What the grid is given: money as floats (the column format rounds it), dates and moments
    as ISO text in UTC (the grid would show a timestamp as epoch milliseconds, or in the
    viewer's own zone), mappings and lists as readable text; everything else as it is."""
    shown = df.copy()
    for col in shown.columns:
        if col in money:
            shown[col] = shown[col].astype("float64")
        elif not pd.api.types.is_numeric_dtype(shown[col]) or is_datetime(shown[col]):
            shown[col] = pd.Series(
                [readable(v) for v in shown[col].astype(object)], index=shown.index, dtype=object
            )
    return shown


def is_datetime(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column)


def has_total_row(df: pd.DataFrame, labels: dict[str, str]) -> bool:
    first = next(iter(labels), None)
    return first is not None and first in df and (df[first] == TOTAL).any()


def tone(value: object) -> str:
    color = status_color(value)
    return f"color: {color}; font-weight: 600" if color else ""


def table(
    df: pd.DataFrame,
    *,
    labels: dict[str, str],
    file_name: str,
    money: tuple[str, ...] = (),
    status: tuple[str, ...] = (),
    key: str,
    **dataframe_args: object,
) -> object:
    """st.dataframe with readable headers, money at two decimals, dates as dates, status words
    in their colour, plus its CSV download. A table with a Total row shows every row (a total
    behind an inner scroll is a total nobody sees); a Total column is pinned beside the first."""
    config = {col: st.column_config.TextColumn(text) for col, text in labels.items()}
    for col in money:
        config[col] = st.column_config.NumberColumn(labels.get(col, col), format="accounting")
    first = next(iter(labels))
    if TOTAL in labels and len(labels) > 2:
        for col in (first, TOTAL):
            config[col] = {**config[col], "pinned": True}
    shown = shown_frame(df, money)
    if has_total_row(shown, labels):
        dataframe_args.setdefault("height", "content")
    data: object = shown
    if status:
        data = shown.style.map(tone, subset=[c for c in status if c in shown])
    event = st.dataframe(
        data,
        hide_index=True,
        width="stretch",
        column_config=config,
        column_order=list(labels),
        key=key,
        **dataframe_args,
    )
    st.download_button(
        "Download CSV",
        data=to_csv(df[list(labels)], labels),
        file_name=f"{file_name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click=audit_export,
        args=(f"{file_name}.csv",),
    )
    return event
