"""Answer a "Test connection" the page queued: the source's listing, run where credentials may
be opened (the scheduler), its answer written back for the page to show.

Nothing is fetched and nothing is stored but the answer: how many exports the next sync would
load, the first of them, how many wait to settle, or why the listing failed (secrets redacted).
"""

from __future__ import annotations

import sqlalchemy as sa

import logs
from config import Settings
from db import source_tests
from db import sources as sources_db
from db.credentials import CredentialsError
from ingestion.sources.base import SourceConfigError, SyncError
from ingestion.sources.service import preview
from ingestion.sync import RUNNER

LISTED = 20  # the first exports the answer names; the count covers them all
_ERROR_CHARS = 2000

log = logs.Events("cloudlens.scheduler")


def answer(engine: sa.Engine, app_settings: Settings, test_id: int, name: str) -> bool:
    """Run the queued test `test_id` of source `name`; False when there was nothing to run
    (the test was answered or replaced meanwhile, or its source removed)."""
    source = sources_db.get_source(engine, name)
    if source is None or not source_tests.claim(engine, test_id, RUNNER):
        return False
    try:
        listing = preview(source, app_settings)
    except (SyncError, SourceConfigError, CredentialsError, OSError) as exc:
        error = logs.redact(str(exc))[:_ERROR_CHARS]
    except Exception as exc:  # noqa: BLE001 - the page gets an answer whatever went wrong
        error = logs.redact(f"{type(exc).__name__}: {' '.join(str(exc).split())}")[:_ERROR_CHARS]
    else:
        listed = [source_tests.Listed(ref.name, ref.size) for ref in listing.new[:LISTED]]
        source_tests.finish(
            engine, test_id, exports=len(listing.new), waiting=len(listing.waiting), listed=listed
        )
        log.info(
            "source_tested",
            source=name,
            test_id=test_id,
            exports=len(listing.new),
            waiting=len(listing.waiting),
        )
        return True
    source_tests.finish(engine, test_id, error=error)
    log.warning("source_test_failed", source=name, test_id=test_id, error=error)
    return True
