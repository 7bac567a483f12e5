"""app.source: the configured sources, as stored. Which kinds exist and what their settings mean
is the connectors' business (ingestion/sources); this module only keeps rows, audits changes,
and never sees a secret in clear: credentials arrive and leave as Fernet tokens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from db.sql import statement

# Advisory locks (key pairs): (SOURCE_LOCK, source_id) is held by whoever syncs that source, so
# a source never syncs twice at once and a 'running' row whose lock is free is a dead run's.
SOURCE_LOCK = 74_021_130
KEEP = object()  # update_source: leave the credentials as they are


class SourceError(ValueError):
    """A source change a person asked for that cannot be made; the message says why."""


@dataclass(frozen=True)
class Source:
    source_id: int
    name: str
    kind: str
    settings: dict[str, str]
    schedule: str
    enabled: bool
    state: dict
    created_at: datetime
    updated_at: datetime
    credentials: bytes | None = field(default=None, repr=False)  # the Fernet token

    @property
    def has_credentials(self) -> bool:
        return self.credentials is not None


def _source(row: sa.Row) -> Source:
    token = row.credentials
    return Source(
        row.source_id,
        row.name,
        row.kind,
        dict(row.settings),
        row.schedule,
        row.enabled,
        dict(row.state),
        row.created_at,
        row.updated_at,
        bytes(token) if token is not None else None,
    )


def all_sources(engine: sa.Engine) -> list[Source]:
    with engine.connect() as conn:
        return [_source(r) for r in conn.execute(statement("sources"), {"name": None})]


def get_source(engine: sa.Engine, name: str) -> Source | None:
    with engine.connect() as conn:
        row = conn.execute(statement("sources"), {"name": name}).first()
    return _source(row) if row else None


def _audit(conn: sa.Connection, actor: str | None, action: str, detail: dict) -> None:
    conn.execute(
        statement("audit_insert"),
        {"username": actor, "action": action, "detail": json.dumps(detail, default=str)},
    )


def add_source(
    engine: sa.Engine,
    *,
    name: str,
    kind: str,
    settings: dict[str, str],
    schedule: str,
    credentials: bytes | None,
    enabled: bool = True,
    actor: str | None = None,
) -> Source:
    if get_source(engine, name):
        raise SourceError(f"a source named {name!r} exists already")
    params = {
        "name": name,
        "kind": kind,
        "settings": json.dumps(settings, sort_keys=True),
        "credentials": credentials,
        "schedule": schedule,
        "enabled": enabled,
    }
    try:
        with engine.begin() as conn:
            conn.execute(statement("source_insert"), params)
            detail = {"source": name, "kind": kind, "schedule": schedule, "enabled": enabled}
            _audit(conn, actor, "source_added", detail | {"credentials": credentials is not None})
    except sa.exc.IntegrityError as exc:
        raise SourceError(
            f"source name {name!r} is not allowed: 1 to 64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (or the name exists already)"
        ) from exc
    source = get_source(engine, name)
    assert source is not None
    return source


def update_source(
    engine: sa.Engine,
    name: str,
    *,
    settings: dict[str, str] | None = None,
    schedule: str | None = None,
    enabled: bool | None = None,
    credentials: bytes | None | object = KEEP,
    actor: str | None = None,
) -> None:
    """Change what is given; `credentials=None` removes stored credentials (the SDK's default
    chain then serves), KEEP leaves them."""
    params = {
        "name": name,
        "settings": json.dumps(settings, sort_keys=True) if settings is not None else None,
        "schedule": schedule,
        "enabled": enabled,
        "set_credentials": credentials is not KEEP,
        "credentials": None if credentials is KEEP else credentials,
    }
    changed = {
        "settings": settings,
        "schedule": schedule,
        "enabled": enabled,
    }
    detail: dict[str, object] = {"source": name} | {
        k: v for k, v in changed.items() if v is not None
    }
    if credentials is not KEEP:
        detail["credentials"] = "replaced" if credentials is not None else "removed"
    with engine.begin() as conn:
        if conn.execute(statement("source_update"), params).first() is None:
            raise SourceError(f"no source {name!r}")
        _audit(conn, actor, "source_changed", detail)


def remove_source(engine: sa.Engine, name: str, actor: str | None = None) -> None:
    """The configuration goes; the data it loaded and its run history stay."""
    source = get_source(engine, name)
    if source is None:
        raise SourceError(f"no source {name!r}")
    with engine.begin() as conn:
        params = {"source_id": source.source_id, "lock_namespace": SOURCE_LOCK}
        if conn.execute(statement("source_delete"), params).first() is None:
            raise SourceError(
                f"a sync of {source.name!r} is running; cancel it or wait until it ends"
            )
        _audit(conn, actor, "source_removed", {"source": source.name, "kind": source.kind})


def save_state(engine: sa.Engine, source_id: int, state: dict) -> None:
    with engine.begin() as conn:
        conn.execute(
            statement("source_state_save"),
            {"source_id": source_id, "state": json.dumps(state, sort_keys=True)},
        )
