"""Every export format Cloudlens reads, listed by name; detection tries them in this order.

Native formats come first (their headers are distinctive); FOCUS last, so a file with a few
FOCUS-looking columns but a provider's native layout is read as the native format.
"""

from __future__ import annotations

from pathlib import Path

from config import Settings
from ingestion.errors import BadInput
from ingestion.formats.aws_cur import AwsCur
from ingestion.formats.azure import AzureCost
from ingestion.formats.base import ExportFormat
from ingestion.formats.batch_stream import BatchStream, OpenBatches, peek_schema
from ingestion.formats.containers import Container, detect
from ingestion.formats.export_file import DEFAULT_BATCH_BYTES, ExportFile
from ingestion.formats.focus import Focus
from ingestion.formats.gcp import GcpBilling
from ingestion.formats.oci import OciReport

FORMATS: dict[str, ExportFormat] = {
    "aws_cur": AwsCur(),
    "azure": AzureCost(),
    "gcp": GcpBilling(),
    "oci": OciReport(),
    "focus": Focus(),
}


def open_export(
    path: Path, batch_bytes: int = DEFAULT_BATCH_BYTES, field_bytes: int | None = None
) -> ExportFile:
    """Look at a file's bytes and header, pick its format, or raise BadInput saying why not.

    `field_bytes` (the largest field read) defaults to CLOUDLENS_LOAD_FIELD_MB from the
    environment, so every caller (CLI, sync, app upload) applies the one configured limit.
    """
    if field_bytes is None:
        field_bytes = Settings.from_env().load_field_bytes
    container, header = detect(path, field_bytes)
    for fmt in FORMATS.values():
        if fmt.matches(header):
            bound = fmt.bind(header, path)
            return ExportFile(path, container, bound, batch_bytes, field_bytes)
    shown = ", ".join(header[:5])
    raise BadInput(
        path.name,
        "not a recognized cost export: neither FOCUS nor an AWS, Azure, GCP or OCI export "
        f"(header starts: {shown})",
    )


def open_stream(
    name: str,
    format_name: str,
    batches: OpenBatches,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    field_bytes: int | None = None,
) -> ExportFile:
    """Record batches in the format named (a key of FORMATS), bound to the stream's column
    names, or BadInput saying why not. The stream is opened here, to read its schema."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise BadInput(name, f"unknown format {format_name!r} (known: {', '.join(FORMATS)})")
    if field_bytes is None:
        field_bytes = Settings.from_env().load_field_bytes
    header, pending = peek_schema(batches())
    if not header:
        raise BadInput(name, "the batch stream has no schema: no columns and no rows")
    bound = fmt.bind(header, Path(name))
    return BatchStream(
        Path(name),
        Container("arrow"),
        bound,
        batch_bytes,
        field_bytes,
        stream=batches,
        pending=pending,
    )
