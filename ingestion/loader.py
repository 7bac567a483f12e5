"""Load files end to end: find them, skip what was loaded, read FOCUS, hand batches to db.load.

Every attempt ends in app.load_log as loaded, skipped or failed; a failure never touches the
data already loaded (db.load runs each file in one transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from db import load
from ingestion.errors import BadInput
from ingestion.formats import open_export
from ingestion.formats.bounds import Bounds
from ingestion.formats.columns import BY_SQL
from ingestion.formats.export_file import DEFAULT_BATCH_BYTES, Batch, ExportFile
from ingestion.formats.values import BadValue


@dataclass
class FileResult:
    path: Path
    status: str  # loaded | skipped | failed
    seconds: float
    format: str | None = None
    summary: load.LoadSummary | None = None
    error: str | None = None
    bad_input: bool = False
    warnings: list[str] = field(default_factory=list)


class DatabaseLost(Exception):
    """The connection failed while a file was loading: its transaction is gone, so nothing of
    the file was kept. The driver's own text is the exception's cause (for debug output)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path.name}: the database stopped answering during the load; "
            "nothing of this file was kept"
        )


def checksum(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def load_file(
    engine: sa.Engine,
    path: Path,
    *,
    source: str = "local",
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    force: bool = False,
) -> FileResult:
    started = time.perf_counter()
    if not path.is_file():
        return FileResult(path, "failed", 0.0, error=f"{path}: no such file", bad_input=True)
    digest = checksum(path)
    facts = {
        "source": source,
        "file_path": str(path.resolve()),
        "file_name": path.name,
        "file_bytes": path.stat().st_size,
        "checksum": digest,
    }
    previous = None if force else load.already_loaded(engine, source, digest)
    if previous is not None:
        load_id = load.start_log(engine, format=None, **facts)
        seconds = time.perf_counter() - started
        load.skip_log(engine, load_id, seconds, previous)
        return FileResult(path, "skipped", seconds)

    focus = unreadable = None
    try:
        focus = open_export(path, batch_bytes)
    except BadInput as exc:
        unreadable = exc
    load_id = load.start_log(engine, format=focus.format if focus else None, **facts)
    bounds = Bounds()
    try:
        if unreadable:
            raise unreadable
        summary = load.replace_periods(
            engine,
            source=source,
            dataset=focus.dataset,
            load_id=load_id,
            batches=_bounded(focus.batches(), bounds),
            started=started,
            empty_ok=focus.fmt.empty_ok,
        )
    except (BadInput, load.RejectedData) as exc:
        message = str(_as_bad_input(path, exc, focus))
        load.fail_log(engine, load_id, message, time.perf_counter() - started)
        return FileResult(
            path,
            "failed",
            time.perf_counter() - started,
            format=focus.format if focus else None,
            error=message,
            bad_input=True,
        )
    except Exception as exc:
        if load.connection_lost(exc):
            lost = DatabaseLost(path)
            # Recorded if the server is still there (a terminated connection, not a stopped one).
            with contextlib.suppress(sa.exc.DBAPIError):
                load.fail_log(engine, load_id, str(lost), time.perf_counter() - started)
            raise lost from exc
        message = f"{path.name}: {type(exc).__name__}: {exc}"
        load.fail_log(engine, load_id, message, time.perf_counter() - started)
        raise
    return FileResult(
        path,
        "loaded",
        time.perf_counter() - started,
        format=focus.format,
        summary=summary,
        warnings=focus.warnings + bounds.finish(),
    )


def _bounded(batches: Iterable[Batch], bounds: Bounds) -> Iterator[Batch]:
    """The batches, each checked against what a bill can hold before it is copied."""
    for batch in batches:
        try:
            bounds.check(batch.data, batch.first_row)
        except BadValue as bad:
            raise load.RejectedData(bad.reason, batch.first_row + bad.index, bad.column) from None
        yield batch


def _as_bad_input(
    path: Path, exc: BadInput | load.RejectedData, export: ExportFile | None
) -> BadInput:
    if isinstance(exc, BadInput):
        return exc
    column = exc.column
    if column in BY_SQL:
        name = BY_SQL[column].name
        column = export.fmt.source_column(name) if export else name
    fmt = export.fmt.name if export else None
    return BadInput(path.name, exc.reason, row=exc.row, column=column, fmt=fmt)
