"""Source kinds, by name: the one registry. Adding a cloud is one module and one line.

A kind whose connector has not shipped yet is listed (its name is part of app.source's
contract) but cannot be configured. Importing this module imports the connectors and nothing of
`db` or `config`: the page's labels and the CLI's help read it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.sources.base import Connector, SourceConfigError
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
