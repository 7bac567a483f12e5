"""Load deliveries end to end: skip what was loaded, read each part as FOCUS, hand the parts to
db.load, which writes them in one transaction.

Every part's attempt ends in app.load_log as loaded, skipped or failed; a failure never touches
the data already loaded (db.load runs each delivery in one transaction). When one part fails, the
others' rows say they were not kept because of it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import sqlalchemy as sa

from db import load
from db.bronze_copy import RejectedData
from focus.columns import BY_SQL
from ingestion.delivery import Delivery, Part
from ingestion.errors import BadInput
from ingestion.formats import open_export, open_stream
from ingestion.formats.bounds import Bounds
from ingestion.formats.export_file import DEFAULT_BATCH_BYTES, Batch, ExportFile
from ingestion.formats.values import BadValue

# Two deliveries of one source that meet their billing periods in opposite orders deadlock on
# the period locks; Postgres ends one, which starts again (its parts are read again).
DEADLOCK_ATTEMPTS = 4


@dataclass
class FileResult:
    path: Path  # a batch stream's part: its name
    status: str  # loaded | skipped | failed
    seconds: float
    format: str | None = None
    summary: load.LoadSummary | None = None
    error: str | None = None
    bad_input: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass
class DeliveryResult:
    delivery: Delivery
    status: str  # loaded | skipped | failed
    seconds: float
    files: list[FileResult]  # one per part, in the delivery's order
    error: str | None = None
    bad_input: bool = False

    @property
    def rows(self) -> int:
        return sum(f.summary.row_count for f in self.files if f.summary)

    @property
    def periods(self) -> list[date]:
        return sorted({p for f in self.files if f.summary for p in f.summary.billing_periods})


class DatabaseLost(Exception):
    """The connection failed while a delivery was loading: its transaction is gone, so nothing
    of it was kept. The driver's own text is the exception's cause (for debug output)."""

    def __init__(self, delivery: Delivery) -> None:
        what = "file" if len(delivery.parts) == 1 else "delivery"
        super().__init__(
            f"{delivery.name}: the database stopped answering during the load; "
            f"nothing of this {what} was kept"
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
    """One file as a replace_period delivery of its own: it replaces, for its source, every
    billing period it covers."""
    delivery = Delivery.of_file(path)
    return load_delivery(
        engine, delivery, source=source, batch_bytes=batch_bytes, force=force
    ).files[0]


def load_delivery(
    engine: sa.Engine,
    delivery: Delivery,
    *,
    source: str = "local",
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    force: bool = False,
) -> DeliveryResult:
    """Load every part of the delivery in one transaction, or none of it.

    Skipped by content (SHA-256 of each file): in append mode each part whose content this
    source already loaded; in replace_period mode the whole delivery, and only when one earlier
    delivery loaded all its parts (replacing the periods with the changed parts alone would lose
    the others). A batch stream has no bytes to hash: it is always loaded."""
    started = time.perf_counter()
    parts = delivery.parts
    if missing := next((p for p in parts if p.path is not None and not p.path.is_file()), None):
        error = f"{missing.path}: no such file"
        files = [
            FileResult(_path(p), "failed", 0.0, error=_not_kept(p, missing), bad_input=True)
            for p in parts
        ]
        files[parts.index(missing)].error = error
        return DeliveryResult(delivery, "failed", 0.0, files, error, bad_input=True)
    facts = [_facts(part, source) for part in parts]
    skipped = {} if force else _seen(engine, delivery, source, facts)
    delivery_id = load.new_delivery(engine)
    log = functools.partial(load.start_log, engine, delivery_id=delivery_id, mode=delivery.mode)
    results: list[FileResult] = [FileResult(_path(p), "running", 0.0) for p in parts]
    for i, previous in skipped.items():
        load_id = log(format=None, **facts[i])
        load.skip_log(engine, load_id, time.perf_counter() - started, previous)
        results[i] = FileResult(_path(parts[i]), "skipped", time.perf_counter() - started)
    todo = [i for i in range(len(parts)) if i not in skipped]
    if not todo:
        return DeliveryResult(delivery, "skipped", time.perf_counter() - started, results)

    opened: dict[int, ExportFile] = {}
    unreadable: tuple[int, BadInput] | None = None
    for i in todo:
        try:
            opened[i] = _open(parts[i], batch_bytes)
        except BadInput as exc:
            unreadable = unreadable or (i, exc)
    load_ids = {i: log(format=_format(opened.get(i)), **facts[i]) for i in todo}
    run = _Attempt(engine, delivery, source, todo, opened, load_ids, results, started)
    if unreadable:
        return run.failed(*unreadable)
    return run.load()


class _Attempt:
    """The parts to load of one delivery, their opened exports and load_log rows: loads them,
    retrying after a deadlock, and records how each part ended."""

    def __init__(
        self,
        engine: sa.Engine,
        delivery: Delivery,
        source: str,
        todo: list[int],
        opened: dict[int, ExportFile],
        load_ids: dict[int, int],
        results: list[FileResult],
        started: float,
    ) -> None:
        self.engine, self.delivery, self.source, self.todo = engine, delivery, source, todo
        self.opened, self.load_ids, self.results, self.started = opened, load_ids, results, started

    def load(self) -> DeliveryResult:
        append = self.delivery.mode == "append"
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            bounds = {i: Bounds() for i in self.todo}
            parts = [
                load.PartLoad(
                    self.load_ids[i],
                    self.opened[i].dataset,
                    functools.partial(_bounded, self.opened[i], bounds[i]),
                    slice=self.delivery.parts[i].name if append else None,
                    empty_ok=self.opened[i].fmt.empty_ok,
                )
                for i in self.todo
            ]
            try:
                summaries = load.write_delivery(
                    self.engine,
                    source=self.source,
                    mode=self.delivery.mode,
                    parts=parts,
                    started=self.started,
                )
            except load.PartFailed as failed:
                cause = failed.__cause__ or failed
                if _deadlock(cause) and attempt < DEADLOCK_ATTEMPTS:
                    continue
                return self.failed(self.todo[failed.index], cause)
            except Exception as exc:  # noqa: BLE001 - every part's row records it, then it is raised
                if _deadlock(exc) and attempt < DEADLOCK_ATTEMPTS:
                    continue
                return self.failed(None, exc)
            for i, summary in zip(self.todo, summaries, strict=True):
                export = self.opened[i]
                self.results[i] = FileResult(
                    _path(self.delivery.parts[i]),
                    "loaded",
                    summary.seconds,
                    format=export.format,
                    summary=summary,
                    warnings=export.warnings + bounds[i].finish(),
                )
            return self._result("loaded")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def failed(self, index: int | None, exc: BaseException) -> DeliveryResult:
        """Record every part as failed (the one at fault with its error, the others as not
        kept because of it); return the result for bad input, raise anything else."""
        parts = self.delivery.parts
        culprit = parts[index] if index is not None else None
        if isinstance(exc, BadInput | RejectedData) and index is not None:
            message = str(_as_bad_input(parts[index], exc, self.opened.get(index)))
            self._record(index, message, bad_input=True)
            return self._result("failed", message, bad_input=True)
        if load.connection_lost(exc):
            lost = DatabaseLost(self.delivery)
            # Recorded if the server is still there (a terminated connection, not a stopped one).
            with contextlib.suppress(sa.exc.DBAPIError):
                self._record(index, str(lost))
            raise lost from exc
        name = culprit.name if culprit else self.delivery.name
        self._record(index, f"{name}: {type(exc).__name__}: {exc}")
        raise exc

    def _record(self, index: int | None, message: str, *, bad_input: bool = False) -> None:
        seconds = time.perf_counter() - self.started
        parts = self.delivery.parts
        for i in self.todo:
            error = message if index in (i, None) else _not_kept(parts[i], parts[index])
            self.results[i] = FileResult(
                _path(parts[i]),
                "failed",
                seconds,
                format=_format(self.opened.get(i)),
                error=error,
                bad_input=bad_input,
            )
        for i in self.todo:  # after the results: a lost server leaves them set, unlogged
            load.fail_log(self.engine, self.load_ids[i], self.results[i].error or message, seconds)

    def _result(self, status: str, error: str | None = None, **more: bool) -> DeliveryResult:
        seconds = time.perf_counter() - self.started
        return DeliveryResult(self.delivery, status, seconds, self.results, error, **more)


def _facts(part: Part, source: str) -> dict[str, object]:
    """The part's load_log columns. A batch stream has no file: its name, no size, no checksum."""
    if part.path is None:
        facts = {"file_path": part.name, "file_name": part.name, "file_bytes": None}
        return {"source": source, **facts, "checksum": ""}
    return {
        "source": source,
        "file_path": str(part.path.resolve()),
        "file_name": part.path.name,
        "file_bytes": part.path.stat().st_size,
        "checksum": checksum(part.path),
    }


def _seen(
    engine: sa.Engine, delivery: Delivery, source: str, facts: list[dict[str, object]]
) -> dict[int, int]:
    """The parts to skip (index -> the load that had the same content)."""
    sums = [str(f["checksum"]) for f in facts]
    if delivery.mode == "append":
        found = {i: load.seen_delivery(engine, source, [s]) for i, s in enumerate(sums) if s}
        return {i: previous for i, previous in found.items() if previous is not None}
    if not all(sums):
        return {}
    previous = load.seen_delivery(engine, source, sums)
    return {} if previous is None else dict.fromkeys(range(len(sums)), previous)


def _open(part: Part, batch_bytes: int) -> ExportFile:
    if part.path is not None:
        return open_export(part.path, batch_bytes)
    assert part.batches is not None and part.format is not None
    return open_stream(part.name, part.format, part.batches, batch_bytes)


def _path(part: Part) -> Path:
    return part.path if part.path is not None else Path(part.name)


def _format(export: ExportFile | None) -> str | None:
    return export.format if export else None


def _not_kept(part: Part, culprit: Part) -> str:
    return f"{part.name}: not kept: {culprit.name}, in the same delivery, failed"


def _deadlock(exc: BaseException) -> bool:
    """Postgres ended the transaction to break a lock cycle with another delivery."""
    if isinstance(exc, sa.exc.DBAPIError):
        exc = exc.orig
    return isinstance(exc, psycopg.errors.DeadlockDetected)


def _bounded(export: ExportFile, bounds: Bounds) -> Iterator[Batch]:
    """The export's batches, each checked against what a bill can hold before it is copied."""
    batches: Iterable[Batch] = export.batches()
    for batch in batches:
        try:
            bounds.check(batch.data, batch.first_row)
        except BadValue as bad:
            raise RejectedData(bad.reason, batch.first_row + bad.index, bad.column) from None
        yield batch


def _as_bad_input(part: Part, exc: BadInput | RejectedData, export: ExportFile | None) -> BadInput:
    if isinstance(exc, BadInput):
        return exc
    column = exc.column
    if column in BY_SQL:
        name = BY_SQL[column].name
        column = export.fmt.source_column(name) if export else name
    fmt = export.fmt.name if export else None
    return BadInput(_path(part).name, exc.reason, row=exc.row, column=column, fmt=fmt)
