"""Every table comes with a CSV of exactly what it shows (same rows, same filters), at full
precision: the screen rounds money to cents, the file never does."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from db.extract import spreadsheet_text
from ui.auth import audit_export


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


def table(
    df: pd.DataFrame,
    *,
    labels: dict[str, str],
    file_name: str,
    money: tuple[str, ...] = (),
    key: str,
    **dataframe_args: object,
) -> object:
    """st.dataframe with readable headers and money at two decimals, plus its CSV download."""
    config = {col: st.column_config.TextColumn(text) for col, text in labels.items()}
    for col in money:
        config[col] = st.column_config.NumberColumn(labels.get(col, col), format="accounting")
    shown = df.copy()
    for col in money:
        shown[col] = shown[col].astype("float64")
    event = st.dataframe(
        shown,
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
