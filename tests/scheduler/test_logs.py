"""Structured logs: one JSON object per line with the event's context; secrets masked."""

from __future__ import annotations

import io
import json
import logging
from urllib.parse import quote

import pytest

import logs

pytestmark = pytest.mark.fast  # no database: `make test-fast`


@pytest.fixture
def captured() -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonLines())
    logger = logging.getLogger("cloudlens.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_line_per_event_with_its_context(captured: io.StringIO) -> None:
    log = logs.Events("cloudlens.test", source="billing").bind(run_id=7)
    log.info("file_loaded", file="a.csv", rows=3)
    log.warning("retry", attempt=2)
    first, second = lines(captured)
    assert first["event"] == "file_loaded" and first["level"] == "info"
    assert (first["source"], first["run_id"], first["file"], first["rows"]) == (
        "billing",
        7,
        "a.csv",
        3,
    )
    assert first["ts"].endswith("Z") and first["logger"] == "cloudlens.test"
    assert (second["event"], second["attempt"], second["run_id"]) == ("retry", 2, 7)


def test_secrets_are_masked_everywhere(captured: io.StringIO) -> None:
    secret = "p@ss/word+with=signs"
    logs.hide(secret)
    log = logs.Events("cloudlens.test", source="vault")
    try:
        raise PermissionError(f"403 for https://x.example/?sig={quote(secret, safe='')}")
    except PermissionError:
        log.error("failed", exc_info=True, detail=[f"token {secret}"], nested={"k": secret})
    text = captured.getvalue()
    assert secret not in text and quote(secret, safe="") not in text
    [line] = lines(captured)
    assert line["detail"] == ["token ***"] and line["nested"] == {"k": "***"}
    assert line["error"] == "PermissionError: 403 for https://x.example/?sig=***"
    assert logs.redact(f"a {secret} b") == "a *** b"


def test_short_values_are_not_treated_as_secrets() -> None:
    logs.hide("ab")
    assert logs.redact("abcab") == "abcab"


def test_library_records_are_the_same_json_lines(captured: io.StringIO) -> None:
    """A record from plain logging (APScheduler, Alembic) gets the same keys as an event."""
    try:
        raise TimeoutError("no answer")
    except TimeoutError:
        logging.getLogger("cloudlens.test.library").error("job %s missed", "sync", exc_info=True)
    [line] = lines(captured)
    assert list(line)[:4] == ["ts", "level", "event", "logger"]
    assert (line["level"], line["event"], line["logger"]) == (
        "error",
        "job sync missed",
        "cloudlens.test.library",
    )
    assert line["error"] == "TimeoutError: no answer"
    assert line["traceback"].startswith("Traceback") and "no answer" in line["traceback"]


def test_below_the_level_nothing_is_written(captured: io.StringIO) -> None:
    logging.getLogger("cloudlens.test").setLevel(logging.INFO)
    logs.Events("cloudlens.test").debug("noise", n=1)
    logs.Events("cloudlens.test").info("kept", n=2)
    assert [(line["event"], line["n"]) for line in lines(captured)] == [("kept", 2)]


def test_a_notice_off_a_terminal_is_one_masked_json_line(capsys: pytest.CaptureFixture) -> None:
    """stderr is a log when it is not a terminal (make run, docker): the notice is a log line."""
    logs.hide("notice-secret-1")
    logs.tell("the file is /x/y; token notice-secret-1", "password_written", "cloudlens.users")
    [line] = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    assert list(line)[:4] == ["ts", "level", "event", "logger"]
    assert (line["event"], line["logger"], line["level"]) == (
        "password_written",
        "cloudlens.users",
        "info",
    )
    assert line["message"] == "the file is /x/y; token ***" and line["ts"].endswith("Z")
