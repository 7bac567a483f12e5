"""app.source_test: "Test connection" as a request the page queues and the scheduler answers.

The web process never opens a source's credentials: it writes a queued row and reads the answer
back; the scheduler, the one process that opens them, runs the source's listing and writes what
the next sync would load (or why it cannot) into the row. Each source keeps its latest answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from db.sources import Source
from db.sql import statement

ACTIVE = ("queued", "running")
ABANDONED = "the scheduler stopped before it answered; test again"


@dataclass(frozen=True)
class Listed:
    name: str
    size: int | None


@dataclass(frozen=True)
class SourceTest:
    source_test_id: int
    source: str
    requested_by: str | None
    requested_at: datetime
    status: str  # queued | running | succeeded | failed
    started: datetime | None
    finished: datetime | None
    exports: int | None  # what the next sync would load
    waiting: int | None  # seen, left for a later run
    listed: list[Listed]  # the first exports, in load order
    error: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def request(engine: sa.Engine, source: Source, requested_by: str | None) -> int:
    """Queue a test for the scheduler; returns the test to watch."""
    with engine.begin() as conn:
        test_id = conn.execute(
            statement("source_test_request"),
            {"source_id": source.source_id, "source": source.name, "requested_by": requested_by},
        ).scalar_one()
        conn.execute(
            statement("audit_insert"),
            {
                "username": requested_by,
                "action": "source_test_requested",
                "detail": json.dumps({"source": source.name, "test": test_id}),
            },
        )
    return test_id


def latest(
    engine: sa.Engine, *, source: str | None = None, test_id: int | None = None
) -> SourceTest | None:
    """The newest test of a source (or the test asked for), if any."""
    with engine.connect() as conn:
        row = conn.execute(
            statement("source_tests"), {"source": source, "test_id": test_id}
        ).first()
    if row is None:
        return None
    fields = dict(row._mapping)
    fields["listed"] = [Listed(item["name"], item.get("size")) for item in fields["listed"] or []]
    return SourceTest(**fields)


def queued(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(statement("source_test_queued"))]


def claim(engine: sa.Engine, test_id: int, runner: str) -> bool:
    """Take a queued test; False when it is no longer queued (answered, or its source gone)."""
    with engine.begin() as conn:
        taken = conn.execute(statement("source_test_claim"), {"test_id": test_id, "runner": runner})
        return taken.scalar() is not None


def finish(
    engine: sa.Engine,
    test_id: int,
    *,
    exports: int | None = None,
    waiting: int | None = None,
    listed: list[Listed] | None = None,
    error: str | None = None,
) -> None:
    """Record the answer: what the listing found, or (error) why it failed."""
    params = {
        "test_id": test_id,
        "status": "failed" if error is not None else "succeeded",
        "exports": exports,
        "waiting": waiting,
        "listed": json.dumps([{"name": i.name, "size": i.size} for i in listed or []]),
        "error": error,
    }
    with engine.begin() as conn:
        conn.execute(statement("source_test_finish"), params)


def fail_abandoned(engine: sa.Engine) -> list[tuple[int, str]]:
    """Tests a dead scheduler left running; a new leader calls this before it answers any."""
    with engine.begin() as conn:
        return [
            tuple(r) for r in conn.execute(statement("source_test_abandoned"), {"error": ABANDONED})
        ]
