"""What the CLI, the page and the scheduler do with a configured source: add or change it
(settings validated by its kind's model, credentials sealed), build its connector with the
credentials opened, and list what it would load.

This is where connectors meet `db` (app.source, the credentials vault) and `config`; the
connectors themselves and the registry (`kinds`) import neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

import logs
from config import Settings
from db import sources as sources_db
from db.credentials import CredentialsError, Vault
from db.sources import KEEP, Source
from ingestion import schedules
from ingestion.sources.base import (
    Connector,
    ExportRef,
    PermanentError,
    SourceConfigError,
    Waiting,
    validate_settings,
)
from ingestion.sources.kinds import connector_class


def _checked(
    kind: str, settings: Mapping[str, str], secrets: Mapping[str, str] | None
) -> dict[str, str]:
    """The settings as stored, once the kind's model accepts them and the secrets given are
    ones the kind knows."""
    cls = connector_class(kind)
    if secrets:
        extra = sorted(set(secrets) - set(cls.SECRETS))
        if extra:
            known = ", ".join(cls.SECRETS) or "none: it needs no credentials"
            raise SourceConfigError(
                f"{kind} has no secret {', '.join(extra)}; its secrets: {known}"
            )
    return validate_settings(kind, cls.settings_model, settings).stored()


def add_source(
    engine: sa.Engine,
    app_settings: Settings,
    *,
    name: str,
    kind: str,
    settings: Mapping[str, str],
    schedule: str = schedules.DEFAULT,
    secrets: Mapping[str, str] | None = None,
    enabled: bool = True,
    actor: str | None = None,
) -> Source:
    """Validate with the kind's settings model, seal the secrets, store; raises
    SourceConfigError, ScheduleError, SourceError or CredentialsError with a message for the
    person adding it."""
    if secrets:
        logs.hide(*secrets.values())
    normalized = _checked(kind, settings, secrets)
    token = Vault.from_settings(app_settings).seal(secrets) if secrets else None
    return sources_db.add_source(
        engine,
        name=name,
        kind=kind,
        settings=normalized,
        schedule=schedules.parse(schedule),
        credentials=token,
        enabled=enabled,
        actor=actor,
    )


def edit_source(
    engine: sa.Engine,
    app_settings: Settings,
    source: Source,
    *,
    settings: Mapping[str, str] | None = None,
    schedule: str | None = None,
    enabled: bool | None = None,
    secrets: Mapping[str, str] | None = None,
    actor: str | None = None,
) -> None:
    """Change what is given. `secrets` replaces the stored fields it names and keeps the rest
    (the page leaves a field empty to keep it)."""
    if secrets:
        logs.hide(*secrets.values())
    normalized = None
    if settings is not None:
        normalized = _checked(source.kind, settings, secrets)
    elif secrets:
        _checked(source.kind, source.settings, secrets)
    credentials: bytes | None | object = KEEP
    if secrets:
        vault = Vault.from_settings(app_settings)
        current = vault.open(source.credentials) if source.credentials else {}
        credentials = vault.seal(current | dict(secrets))
    sources_db.update_source(
        engine,
        source.name,
        settings=normalized,
        schedule=schedules.parse(schedule) if schedule is not None else None,
        enabled=enabled,
        credentials=credentials,
        actor=actor,
    )


def connector_for(source: Source, app_settings: Settings) -> Connector:
    """The source's connector with its credentials opened; their values are registered with the
    log redaction before anything could print them."""
    cls = connector_class(source.kind)
    credentials: dict[str, str] = {}
    if source.credentials is not None:
        try:
            credentials = Vault.from_settings(app_settings).open(source.credentials)
        except CredentialsError as exc:
            raise PermanentError(str(exc)) from None
        logs.hide(*credentials.values())
    try:
        return cls.from_settings(source.settings, credentials)
    except (SourceConfigError, KeyError, ValueError) as exc:
        raise PermanentError(f"the source's settings are not usable: {exc}") from None


@dataclass(frozen=True)
class Listing:
    new: list[ExportRef]  # what the next sync would load, in load order
    waiting: list[Waiting]  # seen, but left for a later run, and why


def preview(source: Source, app_settings: Settings) -> Listing:
    """What the next sync would load (`source test`, and the scheduler's answer to the page's
    "Test connection"): the connector's listing, nothing fetched, nothing stored."""
    connector = connector_for(source, app_settings)
    new = connector.list_new(source.state)
    return Listing(new, list(getattr(connector, "waiting", ())))
