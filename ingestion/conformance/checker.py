"""Check a file against the FOCUS rules: read its header, pick the version, stream its rows.

The file is read as the loader reads it (containers.detect, the same CSV options and null
tokens), in batches, so a file of any size is checked in bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import ALIASES, BY_SQL, COLUMNS, KEYS, FocusColumn, header_key
from ingestion.conformance.evaluate import Rows, violations
from ingestion.conformance.report import CheckReport
from ingestion.conformance.rules import HEADER_CHECKS, RULES, Rule, version_key
from ingestion.errors import BadInput
from ingestion.formats import json_rows
from ingestion.formats.containers import Container, detect
from ingestion.formats.export_file import arrow_reason

_BY_NAME: dict[str, FocusColumn] = {c.name: c for c in COLUMNS}


def detect_version(present: Iterable[str]) -> tuple[str, str]:
    """The newest FOCUS version whose columns the file uses, and why (1.0 when none is newer)."""
    newest = max(present, key=lambda c: version_key(_BY_NAME[c].since), default=None)
    if newest is None or _BY_NAME[newest].since == "1.0":
        return "1.0", "no column introduced after 1.0"
    since = _BY_NAME[newest].since
    return since, f"has {newest}, introduced in {since}"


@dataclass(frozen=True)
class _Header:
    raw: dict[str, str]  # FOCUS column -> the file's column name
    misspelled: list[str]  # file names read as a FOCUS column but not spelled as the spec
    unprefixed: list[str]  # other columns without the x_ prefix


def _read_header(header: list[str]) -> _Header:
    raw: dict[str, str] = {}
    misspelled, unprefixed = [], []
    for name in header:
        key = header_key(name)
        col = KEYS.get(key) or (BY_SQL[ALIASES[key]] if key in ALIASES else None)
        if col is None:
            if not name.lower().startswith("x_"):
                unprefixed.append(repr(name))
            continue
        if col.name in raw:
            continue
        raw[col.name] = name
        if name != col.name:
            misspelled.append(f"{name!r} (read as {col.name})")
    return _Header(raw, misspelled, unprefixed)


def check_file(
    path: Path, version: str | None = None, batch_bytes: int = 16 * 1024 * 1024
) -> CheckReport:
    """Every rule of RULES that applies to the file; raises BadInput if it cannot be read."""
    container, header = detect(path)
    head = _read_header(header)
    detected, reason = detect_version(head.raw)
    if version:
        reason = f"as asked; its columns suggest {detected}"
    report = CheckReport(path.name, container.label, version or detected, reason, len(header))
    rules = [r for r in RULES if version_key(r.since) <= version_key(report.version)]
    header_rules = [r for r in rules if r.check in HEADER_CHECKS]
    _check_header(report, head, header_rules)
    row_rules = [
        r for r in rules if r.check not in HEADER_CHECKS and all(c in head.raw for c in r.columns)
    ]
    report.checked = len(header_rules) + len(row_rules)
    first_row = 1
    for batch in _batches(path, container, head.raw, batch_bytes):
        rows = Rows(batch, head.raw)
        for rule in row_rules:
            mask = violations(rule, rows)
            if (count := pc.sum(mask).as_py() or 0) > 0:
                i = pc.index(mask, True).as_py()
                report.add(rule, count, first_row + i, rows.shown(rule, i))
        first_row += batch.num_rows
    report.rows = first_row - 1
    return report


def _check_header(report: CheckReport, head: _Header, rules: list[Rule]) -> None:
    for rule in rules:
        if rule.check in ("present", "recommended") and rule.column not in head.raw:
            report.add(rule, 1, None, None)
        names = {"column_id": head.misspelled, "custom_prefix": head.unprefixed}.get(rule.check)
        if names:
            report.add(rule, len(names), None, names[0])


def _batches(
    path: Path, container: Container, raw: dict[str, str], batch_bytes: int
) -> Iterator[pa.RecordBatch]:
    """The file's FOCUS columns in batches: text for CSV and JSON (as the loader reads them),
    typed for Parquet. Unreadable content becomes BadInput naming the file and, where known,
    the row."""
    names = list(raw.values())
    try:
        if container.kind == "parquet":
            yield from container.parquet(path).iter_batches(batch_size=131_072, columns=names)
            return
        if container.kind == "json":
            with container.text(path) as text:
                yield from json_rows.batches(path.name, text, names)
            return
        yield from container.csv_strings(path, names, batch_bytes)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        found = re.search(r"[Rr]ow #(\d+)", str(exc))
        row = int(found.group(1)) if found else None
        raise BadInput(path.name, arrow_reason(exc), row=row) from None
