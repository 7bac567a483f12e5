"""The scheduler process: `python scheduler.py` keeps the database filled; the app only reads.

    python scheduler.py                          run until stopped (SIGTERM/SIGINT)
    python scheduler.py --once [--source NAME]   run what is due now (or NAME), then exit

Only the leader runs jobs: the first instance to take a Postgres advisory lock. Another instance
waits, polling the lock, and takes over when the leader's connection drops (its process died, or
lost the database). The leader runs APScheduler 3 with its jobs in Postgres (app.scheduler_job):
one job per enabled source, on the source's schedule, and a short poll that follows changes to
app.source and starts the "Sync now" requests the page queues. The syncs themselves are
ingestion.sync's, the same code `--once` runs.

When the database goes away the leader stops its jobs (a running sync ends at its next file
boundary; the next run loads the rest), keeps trying to reach the database with backoff (doubling
from --poll up to 30 s, each try logged as `database_unreachable`) and leads again once it is
back: the process only ends when asked to.

Exit codes: 0 stopped cleanly, or every --once run succeeded; 2 a run failed on something a
person must fix (a bad file, a setting, a credential) or an unknown/disabled --source; 1 any
other failure.
"""

from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

import logs
from config import Settings
from db import source_tests, sync_runs
from db import sources as sources_db
from db.engine import get_engine
from ingestion import jobs, schedules, sync

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2
MAX_BACKOFF_S = 30.0  # the longest wait between two tries to reach the database
log = logs.Events("cloudlens.scheduler")


def _error(exc: BaseException) -> str:
    return logs.redact(f"{type(exc).__name__}: {' '.join(str(exc).split())}")[:500]


class Leadership:
    """The leader lock, on a connection of its own named after this process (the page shows
    who leads). The server releases the lock when that connection ends, however it ends."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.conn: sa.Connection | None = None

    def try_acquire(self) -> bool:
        if self.conn is None:
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.conn.execute(
                sa.text("SELECT set_config('application_name', :name, false)"),
                {"name": f"cloudlens-scheduler {sync.RUNNER}"},
            )
        lock = sa.text("SELECT pg_try_advisory_lock(:key)")
        return bool(self.conn.execute(lock, {"key": sync_runs.LEADER_LOCK}).scalar())

    def alive(self) -> bool:
        try:
            assert self.conn is not None
            self.conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def release(self) -> None:
        """Close the connection rather than hand it back to the pool still holding the lock."""
        if self.conn is not None:
            try:
                self.conn.invalidate()
                self.conn.close()
            except sa.exc.SQLAlchemyError:
                pass  # the connection is gone already, and the lock with it
            self.conn = None


def backoff(failures: int, first_s: float) -> float:
    """Seconds to wait after `failures` failed tries in a row: doubling, at most MAX_BACKOFF_S."""
    return min(first_s * 2 ** max(failures - 1, 0), MAX_BACKOFF_S)


class Scheduler:
    """Leads, runs the jobs while it leads, and when the database goes away (the lock goes with
    its connection) stops the jobs, waits for the database with backoff and leads again: the
    process only ends when asked to."""

    def __init__(self, engine: sa.Engine, poll_s: float, workers: int) -> None:
        self.engine, self.poll_s, self.workers = engine, poll_s, workers
        self.leadership = Leadership(engine)
        self.stopping = threading.Event()  # the process is asked to stop
        self.term_over = threading.Event()  # this spell as leader ends (stop, or lock lost)
        self.exit_code = EXIT_OK
        self.apscheduler: BlockingScheduler | None = None
        self._dispatched: set[str] = set()  # job ids of requests handed to APScheduler
        self._shutdowns: list[threading.Thread] = []
        self._lock = threading.Lock()
        # Held by a poll while it calls into APScheduler, and by the shutdown (see _shutdown).
        self._polling = threading.Lock()

    def serve(self) -> int:
        while self._lead():
            try:
                self._run_term()
            except sa.exc.SQLAlchemyError as exc:
                log.warning("database_unreachable", error=_error(exc), state="leading")
            finally:
                for shutdown in self._shutdowns:  # its running jobs have ended
                    shutdown.join()
                self.leadership.release()
                with self._lock:
                    self._shutdowns.clear()
                    self.apscheduler = None
                    self._dispatched.clear()
            if not self.stopping.is_set():
                log.info("reconnecting", why="no longer the leader; waiting to lead again")
        log.info("stopped", exit_code=self.exit_code)
        return self.exit_code

    def _run_term(self) -> None:
        """Run the jobs until stopped or the leader lock is lost."""
        for run_id, source in sync_runs.fail_abandoned(self.engine):
            log.warning("run_abandoned", source=source, run_id=run_id)
        for test_id, source in source_tests.fail_abandoned(self.engine):
            log.warning("source_test_abandoned", source=source, test_id=test_id)
        scheduler = BlockingScheduler(
            jobstores={
                "sources": SQLAlchemyJobStore(
                    engine=self.engine, tablename="scheduler_job", tableschema="app"
                ),
                "control": MemoryJobStore(),
            },
            executors={
                "default": ThreadPoolExecutor(self.workers),
                "control": ThreadPoolExecutor(1),  # the poll never queues behind a sync
                "tests": ThreadPoolExecutor(2),  # a "Test connection" neither: it lists only
            },
            timezone=UTC,
        )
        scheduler.add_job(
            self._poll,
            "interval",
            seconds=self.poll_s,
            id="poll",
            jobstore="control",
            executor="control",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
        with self._lock:  # a stop from now on shuts it down (or its first poll does)
            self.apscheduler = scheduler
        scheduler.start()  # returns after shutdown, once running syncs have ended

    def _lead(self) -> bool:
        """Wait until this process holds the leader lock; False if asked to stop first. While
        the database is unreachable, tries again with backoff, logging each try."""
        waiting_logged, failures = False, 0
        while not self.stopping.is_set():
            wait = self.poll_s
            try:
                if self.leadership.try_acquire():
                    if failures:
                        log.info("database_reachable", after_tries=failures)
                    with self._lock:
                        self.term_over.clear()
                        sync.SHUTDOWN.clear()
                    if self.stopping.is_set():
                        break
                    log.info("leader", runner=sync.RUNNER)
                    return True
                if failures:
                    log.info("database_reachable", after_tries=failures)
                    failures = 0
                if not waiting_logged:
                    current = sync_runs.leader(self.engine)
                    log.info("waiting_for_leadership", leader=current.name if current else None)
                    waiting_logged = True
            except sa.exc.SQLAlchemyError as exc:
                failures += 1
                wait = backoff(failures, self.poll_s)
                log.warning(
                    "database_unreachable",
                    error=_error(exc),
                    tries=failures,
                    retry_in_s=round(wait, 2),
                )
                self.leadership.release()
                waiting_logged = False
            self.stopping.wait(wait)
        return False

    def stop(self, exit_code: int = EXIT_OK) -> None:
        """Stop at the next file boundary of every running sync. Safe from a signal handler and
        from a job: the shutdown, which waits for running jobs, runs on a thread of its own."""
        with self._lock:
            self.exit_code = max(self.exit_code, exit_code)
            if self.stopping.is_set():
                return
            self.stopping.set()
        log.info("stopping", why="asked to stop")
        self._end_term()

    def _end_term(self) -> None:
        """End this spell as leader: running syncs stop at their next file boundary."""
        with self._lock:
            if self.term_over.is_set():
                return
            self.term_over.set()
            sync.SHUTDOWN.set()
            running = self.apscheduler is not None
        if running:
            self._start_shutdown()

    def _start_shutdown(self) -> None:
        thread = threading.Thread(target=self._shutdown, name="shutdown", daemon=True)
        with self._lock:
            self._shutdowns.append(thread)
        thread.start()

    def _shutdown(self) -> None:
        """APScheduler's shutdown holds its job-store lock while it waits for running jobs; a poll
        running then waits for that lock in get_jobs or add_job, and neither ends (a stop hung
        so in CI). So the shutdown first waits for a running poll to end, and a poll that finds
        the shutdown under way returns at once."""
        scheduler = self.apscheduler
        with self._polling:
            try:
                if scheduler is not None:
                    scheduler.shutdown(wait=True)
            except SchedulerNotRunningError:
                pass  # not started yet: the first poll sees `term_over` and comes back here

    def _poll(self) -> None:
        if not self._polling.acquire(blocking=False):
            return  # the shutdown is under way (see _shutdown)
        try:
            self._poll_once()
        finally:
            self._polling.release()

    def _poll_once(self) -> None:
        if self.term_over.is_set():  # ended before the scheduler had started
            self._start_shutdown()
            return
        if not self.leadership.alive():
            log.error("leadership_lost", why="the connection holding the leader lock failed")
            self._end_term()
            return
        try:
            self._follow_sources()
            self._dispatch_requests()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("poll_failed", error=_error(exc))

    def _follow_sources(self) -> None:
        """Keep one job per enabled source, on its current schedule."""
        assert self.apscheduler is not None
        wanted = {f"source:{s.name}": s for s in sources_db.all_sources(self.engine) if s.enabled}
        for job in self.apscheduler.get_jobs(jobstore="sources"):
            source = wanted.get(job.id)
            if source is None or job.name != source.schedule:
                job.remove()
                log.info("job_removed", job=job.id)
        have = {job.id for job in self.apscheduler.get_jobs(jobstore="sources")}
        if not wanted.keys() - have:
            return
        last = sync_runs.last_success_starts(self.engine)
        now = datetime.now(UTC)
        for job_id, source in wanted.items():
            if job_id in have:
                continue
            first = max(schedules.next_due(source.schedule, last.get(source.name), now), now)
            self.apscheduler.add_job(
                "ingestion.jobs:run_scheduled",
                trigger=schedules.trigger(source.schedule),
                args=[source.name],
                id=job_id,
                name=source.schedule,
                jobstore="sources",
                next_run_time=first,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                replace_existing=True,
            )
            log.info("job_scheduled", source=source.name, schedule=source.schedule, first=first)

    def _dispatch_requests(self) -> None:
        """Start the "Sync now" and "Test connection" requests the page queued."""
        for run_id, name in sync_runs.queued(self.engine):
            self._dispatch(f"request:{run_id}", "default", jobs.run_requested, run_id, name)
        for test_id, name in source_tests.queued(self.engine):
            self._dispatch(f"test:{test_id}", "tests", jobs.run_test, test_id, name)

    def _dispatch(
        self, job_id: str, executor: str, job: Callable[[int, str], object], key: int, name: str
    ) -> None:
        assert self.apscheduler is not None
        with self._lock:
            if job_id in self._dispatched:
                return
            self._dispatched.add(job_id)
        self.apscheduler.add_job(
            self._run_request,
            args=[job_id, job, key, name],
            id=job_id,
            jobstore="control",
            executor=executor,
            misfire_grace_time=None,
            replace_existing=True,
        )
        log.debug("request_dispatched", source=name, job=job_id)

    def _run_request(
        self, job_id: str, job: Callable[[int, str], object], key: int, name: str
    ) -> None:
        try:
            job(key, name)
        finally:
            with self._lock:
                self._dispatched.discard(job_id)


def run_once(engine: sa.Engine, settings: Settings, only: str | None) -> int:
    if only is not None:
        source = sources_db.get_source(engine, only)
        if source is None or not source.enabled:
            why = "no such source" if source is None else "it is disabled"
            log.error("source_refused", source=only, why=why)
            return EXIT_BAD_INPUT
    outcomes = jobs.run_due(engine, settings, only)
    failed = [o for o in outcomes if o.status == "failed"]
    if any(not o.bad_input for o in failed):
        return EXIT_ERROR
    return EXIT_BAD_INPUT if failed else EXIT_OK


def connect(
    settings: Settings, first_s: float, *, retry: bool, stopping: threading.Event
) -> sa.Engine | None:
    """The migrated engine. `--once` gives up at the first failure (its caller retries: cron);
    the long-running scheduler waits for the database with backoff until it is asked to stop."""
    failures = 0
    while True:
        try:
            return get_engine(settings)
        except Exception as exc:  # noqa: BLE001 - one line a person can act on, not a traceback
            failures += 1
            wait = backoff(failures, first_s)
            if not retry:
                log.error("database_unreachable", error=_error(exc))
                return None
            log.warning("database_unreachable", error=_error(exc), tries=failures, retry_in_s=wait)
            if stopping.wait(wait):
                return None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python scheduler.py", description=__doc__.split("\n")[0])
    p.add_argument("--once", action="store_true", help="run what is due now, then exit")
    p.add_argument("--source", metavar="NAME", help="with --once: this source only, due or not")
    p.add_argument(
        "--poll",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often to look for "
        "'Sync now' requests, source changes and a lost leader (default 2)",
    )
    p.add_argument("--workers", type=int, default=4, help="syncs that may run at once (default 4)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.source and not args.once:
        parser().error("--source goes with --once")
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # SettingsError: one line naming the variable, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    logs.configure(args.log_level)
    # `kill -USR1 PID` writes every thread's stack to standard error: what a stuck stop waits on.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: (stopping.set(), sync.SHUTDOWN.set()))
    engine = connect(settings, args.poll, retry=not args.once, stopping=stopping)
    if engine is None:
        return EXIT_ERROR if args.once or not stopping.is_set() else EXIT_OK
    log.info("started", mode="once" if args.once else "serve", runner=sync.RUNNER)
    try:
        if args.once:
            return run_once(engine, settings, args.source)
        service = Scheduler(engine, args.poll, args.workers)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: service.stop())
        if stopping.is_set():
            service.stop()
        return service.serve()
    except Exception:  # noqa: BLE001 - logged as one JSON event, traceback included
        log.error("crashed", exc_info=True)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
