"""The one way to get a database engine: DATABASE_URL, or the embedded server when it is unset.

Every entry point calls `get_engine()`, which also brings the schema to the latest migration, so
the app, the CLI, the scheduler and the tests never see an old schema.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa

from config import Settings
from db import embedded, migrate, users


def resolve_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return embedded.start(settings.home / "pgdata")


def make_engine(url: str) -> sa.Engine:
    """An engine whose sessions read and write timestamps in UTC, whatever the server's zone, and
    aggregate in memory: page queries group tens of thousands of gold rows, which the default
    4 MB of work_mem sends to disk (a third of their time)."""
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": "-c TimeZone=UTC -c work_mem=64MB"},
    )


@lru_cache(maxsize=4)
def _engine_for(url: str, admin_password: str) -> sa.Engine:
    engine = make_engine(url)
    migrate.upgrade_head(engine)
    users.ensure_admin(engine, admin_password)
    return engine


def get_engine(settings: Settings | None = None) -> sa.Engine:
    """A migrated engine for the configured database (cached per URL within a process); on an
    empty install it also creates the first admin."""
    settings = settings or Settings.from_env()
    return _engine_for(resolve_url(settings), settings.admin_password)
