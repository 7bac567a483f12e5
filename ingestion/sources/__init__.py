"""Source kinds, by name, and what the CLI and the page do with a source: add or change it
(validated by its connector, credentials sealed), build its connector, list what it would load.

KINDS is the one registry: adding a cloud is one module and one line. A kind whose connector has
not shipped yet is listed (its name is part of app.source's contract) but cannot be configured.
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
)
from ingestion.sources.local_folder import LocalFolder


@dataclass(frozen=True)
class Kind:
    label: str
    connector: type[Connector] | None  # None: comes in a later release


KINDS: dict[str, Kind] = {
    "local_folder": Kind("Local folder", LocalFolder),
    "aws_s3_export": Kind("AWS S3 (CUR 2.0 / Data Exports)", None),
    "azure_blob_export": Kind("Azure Blob Storage (Cost Management exports)", None),
    "gcp_bigquery_export": Kind("Google BigQuery (billing export)", None),
    "oci_object_storage_reports": Kind("OCI Object Storage (cost reports)", None),
}


def available() -> list[str]:
    return [name for name, kind in KINDS.items() if kind.connector is not None]


def connector_class(kind: str) -> type[Connector]:
    spec = KINDS.get(kind)
    if spec is None:
        raise SourceConfigError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    if spec.connector is None:
        raise SourceConfigError(
            f"{kind} sources are not available yet: their connector comes in a later "
            f"release. Available now: {', '.join(available())}"
        )
    return spec.connector


def _checked(
    kind: str, settings: Mapping[str, str], secrets: Mapping[str, str] | None
) -> tuple[type[Connector], dict[str, str]]:
    cls = connector_class(kind)
    unknown = sorted(set(settings) - set(cls.SETTINGS))
    if unknown:
        raise SourceConfigError(
            f"{kind} has no setting {', '.join(unknown)}; its settings: {', '.join(cls.SETTINGS)}"
        )
    if secrets:
        extra = sorted(set(secrets) - set(cls.SECRETS))
        if extra:
            known = ", ".join(cls.SECRETS) or "none: it needs no credentials"
            raise SourceConfigError(
                f"{kind} has no secret {', '.join(extra)}; its secrets: {known}"
            )
    missing = [name for name in cls.REQUIRED if not str(settings.get(name, "")).strip()]
    if missing:
        meaning = cls.SETTINGS[missing[0]]
        raise SourceConfigError(
            f"{kind} needs the setting {missing[0]} ({meaning}; from the command line: "
            f"--setting {missing[0]}=...)"
        )
    return cls, cls.normalize(settings)


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
    """Validate with the kind's connector, seal the secrets, store; raises SourceConfigError,
    ScheduleError, SourceError or CredentialsError with a message for the person adding it."""
    if secrets:
        logs.hide(*secrets.values())
    _, normalized = _checked(kind, settings, secrets)
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
        _, normalized = _checked(source.kind, settings, secrets)
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


def preview(source: Source, app_settings: Settings) -> list[ExportRef]:
    """What the next sync would load ("test connection"): the connector's listing, nothing
    fetched, nothing stored."""
    return connector_for(source, app_settings).list_new(source.state)
