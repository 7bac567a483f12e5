"""Run Alembic migrations programmatically, serialized by a Postgres advisory lock.

The app and the scheduler may start at the same moment; the lock makes the second one wait and
then find nothing left to do.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 7_402_113_001  # arbitrary, fixed: "cloudlens migrations"


def alembic_config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade_head(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        command.upgrade(alembic_config(conn), "head")


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        exists = conn.execute(sa.text("SELECT to_regclass('public.alembic_version')")).scalar()
        if not exists:
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
