"""Sync one source: list what is new, load it file by file, record the run in app.sync_run.

The same path serves the scheduler's jobs, "Sync now" requests and `scheduler.py --once`:
- one sync per source at a time, across processes: the source's advisory lock is held for the
  whole run (a second caller finds it taken and leaves); a 'running' row whose lock is free
  belonged to a process that died, and is marked failed;
- each export loads as one delivery in one transaction (ingestion.loader), so it is in whole or
  not at all, whatever happens to this process; cancellation and shutdown are honoured between
  exports;
- transient errors (throttling, 5xx, timeouts, a dropped database connection) are retried with
  exponential backoff and jitter; permanent ones (bad credentials, a missing folder, a bad file)
  end the run at once with a message a person can act on. Files after a bad one wait: the name
  order is the load order, so a later file must never land before an earlier one is fixed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import psycopg
import sqlalchemy as sa
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

import logs
from config import Settings
from db import sources as sources_db
from db import sync_runs
from db.sources import Source
from ingestion.errors import BadInput
from ingestion.loader import FileResult, load_delivery
from ingestion.sources.base import (
    Connector,
    ExportRef,
    PermanentError,
    SourceConfigError,
    SyncError,
    TransientError,
    Waiting,
)
from ingestion.sources.service import connector_for

T = TypeVar("T")

# Set when the scheduler process is asked to stop: runs end at their next file boundary.
SHUTDOWN = threading.Event()
RUNNER = f"{socket.gethostname()}:{os.getpid()}"
_ERROR_CHARS = 2000


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries per step (listing, or one file), the first included
    initial_s: float = 1.0
    max_s: float = 60.0
    jitter_s: float = 1.0


@dataclass
class Outcome:
    run_id: int
    source: str
    status: str  # succeeded | failed | cancelled
    error: str | None = None
    bad_input: bool = False  # a person must fix a file, a setting or a credential
    files: int = 0
    skipped: int = 0
    rows: int = 0
    periods: set[date] = field(default_factory=set)
    waiting: list[Waiting] = field(default_factory=list)  # left for a later run, and why


def is_transient(exc: BaseException) -> bool:
    """Worth another try: the connector says so, or the network or the database hiccupped."""
    if isinstance(exc, PermanentError | BadInput):
        return False
    return isinstance(
        exc,
        TransientError
        | TimeoutError
        | ConnectionError
        | sa.exc.OperationalError
        | psycopg.OperationalError,
    )


def run_source(
    engine: sa.Engine,
    app_settings: Settings,
    name: str,
    *,
    reason: str,
    run_id: int | None = None,
    policy: RetryPolicy | None = None,
) -> Outcome | None:
    """Sync the source called `name` now. None when there was nothing to run: the source is
    gone or disabled, another process is syncing it, or the queued run asked for was cancelled
    or taken meanwhile."""
    log = logs.Events("cloudlens.sync", source=name)
    source = sources_db.get_source(engine, name)
    if source is None or not source.enabled:
        why = f"source {name} was removed" if source is None else f"source {name} is disabled"
        if run_id is not None:
            sync_runs.drop_request(engine, run_id, why)
        log.info("source_skipped", why=why, run_id=run_id)
        return None
    with sync_runs.source_lock(engine, source.source_id) as held:
        if not held:
            log.debug("source_busy", why="another process is syncing it", run_id=run_id)
            return None
        for dead, _ in sync_runs.fail_abandoned(engine, source.name, lock_held=True):
            log.warning("run_abandoned", run_id=dead, error=sync_runs.ABANDONED)
        claimed = sync_runs.start(engine, source, reason=reason, runner=RUNNER, run_id=run_id)
        if claimed is None:
            log.info("request_gone", run_id=run_id, why="cancelled or taken before it started")
            return None
        return _Run(engine, app_settings, source, claimed, policy or RetryPolicy()).execute()


class _Run:
    def __init__(
        self,
        engine: sa.Engine,
        app_settings: Settings,
        source: Source,
        run_id: int,
        policy: RetryPolicy,
    ) -> None:
        self.engine, self.app_settings, self.source = engine, app_settings, source
        self.policy = policy
        self.outcome = Outcome(run_id, source.name, "running")
        self.log = logs.Events("cloudlens.sync", source=source.name, run_id=run_id)

    @property
    def run_id(self) -> int:
        return self.outcome.run_id

    def execute(self) -> Outcome:
        started = time.perf_counter()
        self.log.info("run_started", kind=self.source.kind, runner=RUNNER)
        try:
            self._sync()
        except (SyncError, BadInput, SourceConfigError) as exc:
            self._end("failed", str(exc), bad_input=not is_transient(exc))
        except Exception as exc:  # noqa: BLE001 - a run records every failure; the job survives
            self._end("failed", f"{type(exc).__name__}: {' '.join(str(exc).split())}")
        if self.outcome.periods:  # gold was rebuilt inside each delivery's load transaction
            periods = sorted(p.isoformat()[:7] for p in self.outcome.periods)
            self.log.info("refreshed", gold=periods)
        self.log.info(
            "run_finished",
            status=self.outcome.status,
            files=self.outcome.files,
            skipped=self.outcome.skipped,
            rows=self.outcome.rows,
            periods=sorted(p.isoformat()[:7] for p in self.outcome.periods),
            seconds=round(time.perf_counter() - started, 3),
            error=self.outcome.error,
        )
        return self.outcome

    def _sync(self) -> None:
        connector = connector_for(self.source, self.app_settings)
        state = dict(self.source.state)
        refs = self._retrying("list", lambda: connector.list_new(state))
        sync_runs.progress(self.engine, self.run_id, files_total=len(refs))
        self.outcome.waiting = list(getattr(connector, "waiting", ()))
        self.log.info(
            "listed",
            new=len(refs),
            files=[r.name for r in refs[:20]],
            waiting=[w.name for w in self.outcome.waiting[:20]],
        )
        for waiting in self.outcome.waiting[:20]:
            self.log.info("file_waiting", file=waiting.name, why=waiting.why)
        for done, ref in enumerate(refs):
            if self._stopping(done, len(refs)):
                return
            sync_runs.progress(self.engine, self.run_id, current_file=ref.name)
            self._retrying(ref.name, lambda ref=ref: self._load(connector, ref))
            state = connector.advance(state, ref)
            sources_db.save_state(self.engine, self.source.source_id, state)
            o = self.outcome
            sync_runs.progress(
                self.engine,
                self.run_id,
                files=o.files,
                files_skipped=o.skipped,
                rows=o.rows,
                periods=sorted(o.periods),
            )
        self._end("succeeded")

    def _load(self, connector: Connector, ref: ExportRef) -> None:
        with connector.fetch(ref) as delivery:
            result = load_delivery(
                self.engine,
                delivery,
                source=self.source.name,
                batch_bytes=self.app_settings.load_batch_bytes,
            )
        if result.status == "failed":
            # The loader recorded it in app.load_log; its message names file, row and column.
            raise PermanentError(result.error or f"{ref.name}: not loaded")
        for part, file in zip(delivery.parts, result.files, strict=True):
            self._count(part.name, file)

    def _count(self, name: str, result: FileResult) -> None:
        if result.status == "skipped":
            self.outcome.skipped += 1
            self.log.info("file_skipped", file=name, why="same content already loaded")
            return
        summary = result.summary
        assert summary is not None
        self.outcome.files += 1
        self.outcome.rows += summary.row_count
        self.outcome.periods.update(summary.billing_periods)
        self.log.info(
            "file_loaded",
            file=name,
            format=result.format,
            rows=summary.row_count,
            periods=[p.isoformat()[:7] for p in summary.billing_periods],
            seconds=round(result.seconds, 3),
            warnings=len(result.warnings),
        )

    def _stopping(self, done: int, total: int) -> bool:
        """At a file boundary: was the run cancelled, or is the process stopping?"""
        if sync_runs.cancel_requested(self.engine, self.run_id):
            why = f"cancelled after {done} of {total} files; the rest wait for the next run"
        elif SHUTDOWN.is_set():
            why = f"scheduler stopped after {done} of {total} files; the rest wait for the next run"
        else:
            return False
        self._end("cancelled", why)
        return True

    def _retrying(self, step: str, call: Callable[[], T]) -> T:
        p = self.policy

        def before_sleep(retry: RetryCallState) -> None:
            exc = retry.outcome.exception() if retry.outcome else None
            sync_runs.add_attempt(self.engine, self.run_id)
            self.log.warning(
                "retry",
                step=step,
                attempt=retry.attempt_number + 1,
                wait_s=round(retry.next_action.sleep if retry.next_action else 0, 2),
                error=f"{type(exc).__name__}: {exc}" if exc else None,
            )

        retrying = Retrying(
            stop=stop_after_attempt(p.attempts),
            wait=wait_exponential_jitter(multiplier=p.initial_s, max=p.max_s, jitter=p.jitter_s),
            retry=retry_if_exception(is_transient),
            before_sleep=before_sleep,
            sleep=SHUTDOWN.wait,  # a stopping scheduler does not sit out a backoff
            reraise=True,
        )
        return retrying(call)

    def _end(self, status: str, error: str | None = None, *, bad_input: bool = False) -> None:
        message = logs.redact(error)[:_ERROR_CHARS] if error else None
        self.outcome.status, self.outcome.error = status, message
        self.outcome.bad_input = bad_input and status == "failed"
        sync_runs.finish(self.engine, self.run_id, status, message)
