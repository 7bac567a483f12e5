"""FOCUS line-item extracts for finance, streamed from Postgres straight into a gzip file.

COPY ... TO STDOUT hands rows over in chunks; nothing holds the month's rows in memory, so a
month of ten million line items costs the app only the compressed file on disk.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

from db.sql import source
from db.users import Scope
from ingestion.formats.columns import COLUMNS


@dataclass(frozen=True)
class Extract:
    path: Path
    bytes: int


_ISO_UTC = "to_char(s.{} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS {}"


def _select_list() -> sql.Composable:
    """FOCUS display names; timestamps as ISO 8601 UTC ("2024-09-01T00:00:00Z") as FOCUS asks."""
    return sql.SQL(", ").join(
        sql.SQL(_ISO_UTC if c.kind == "timestamp" else "s.{} AS {}").format(
            sql.Identifier(c.sql), sql.Identifier(c.name)
        )
        for c in COLUMNS
    )


def write_line_items(
    engine: sa.Engine,
    out: Path,
    period: date,
    scope: Scope,
    providers: tuple[str, ...] = (),
    accounts: tuple[str, ...] = (),
) -> Extract:
    """Write the period's FOCUS line items for the scope to `out` (gzip CSV with a header)."""
    template = source("line_items").replace("{COLUMNS}", "{columns}")
    statement = sql.SQL(template).format(columns=_select_list())
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
