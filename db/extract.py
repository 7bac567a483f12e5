"""FOCUS line-item extracts for finance, streamed from Postgres straight into a gzip file.

COPY ... TO STDOUT hands rows over in chunks; nothing holds the month's rows in memory, so a
month of ten million line items costs the app only the compressed file on disk.

Extracts made for a spreadsheet (the dashboard's download) neutralize CSV injection in SQL, as
the rows stream: a text cell a spreadsheet would run as a formula gets a leading quote
(`spreadsheet_text` is the same rule in Python, for the dashboard's other CSV downloads).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

from db.sql import source
from db.users import Scope
from focus.columns import COLUMNS


@dataclass(frozen=True)
class Extract:
    path: Path
    bytes: int


_ISO_UTC = "to_char(s.{} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS {}"


# OWASP "CSV injection": a cell starting with one of these is a formula to Excel and its kin ...
FORMULA_START = r"^[=+@\t\r-]"
# ... unless it is a plain number, which stays a number (-12.50, +3, 1e-5).
PLAIN_NUMBER = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_SAFE_TEXT = "CASE WHEN s.{0} ~ {1} AND s.{0} !~ {2} THEN '''' || s.{0} ELSE s.{0} END AS {3}"
_FORMULA, _NUMBER = re.compile(FORMULA_START), re.compile(PLAIN_NUMBER)


def spreadsheet_text(value: str) -> str:
    """`value` as a spreadsheet shows it as text: a leading quote before a would-be formula."""
    if _FORMULA.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def _select_list(spreadsheet: bool) -> sql.Composable:
    """FOCUS display names; timestamps as ISO 8601 UTC ("2024-09-01T00:00:00Z") as FOCUS asks."""
    items = []
    for c in COLUMNS:
        column, name = sql.Identifier(c.sql), sql.Identifier(c.name)
        if c.kind == "timestamp":
            items.append(sql.SQL(_ISO_UTC).format(column, name))
        elif c.kind == "text" and spreadsheet:
            rule = (sql.Literal(FORMULA_START), sql.Literal(PLAIN_NUMBER))
            items.append(sql.SQL(_SAFE_TEXT).format(column, *rule, name))
        else:
            items.append(sql.SQL("s.{} AS {}").format(column, name))
    return sql.SQL(", ").join(items)


def write_line_items(
    engine: sa.Engine,
    out: Path,
    period: date,
    scope: Scope,
    providers: tuple[str, ...] = (),
    accounts: tuple[str, ...] = (),
    *,
    spreadsheet: bool = False,
) -> Extract:
    """Write the period's FOCUS line items for the scope to `out` (gzip CSV with a header);
    `spreadsheet`: neutralize would-be formulas in text cells, as the dashboard's download
    does (the module's docstring says why)."""
    statement = sql.SQL(source("line_items")).format(columns=_select_list(spreadsheet))
    params = scope.params() | {
        "period": period,
        "providers": list(providers),
        "all_providers": not providers,
        "accounts": list(accounts),
        "all_accounts": not accounts,
    }
    with engine.connect() as conn, gzip.open(out, "wb", compresslevel=5) as gz:
        raw: psycopg.Connection = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(statement, params) as copy:
            for chunk in copy:
                gz.write(chunk)
    return Extract(out, out.stat().st_size)
