"""Find, in CSV text, what Arrow refused without saying where: a ragged row, bytes that are not
UTF-8, a field over the size limit. Run on the failure path only (a second read of the file),
so a good file pays nothing; every finding names the 1-based data row and the column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any

DEFAULT_FIELD_BYTES = 16 * 1024 * 1024  # CLOUDLENS_LOAD_FIELD_MB's default
_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes that were not UTF-8, kept by surrogateescape
_CHUNK = 1024 * 1024
_Reader = Any  # the type of csv.reader(...), which the csv module does not export


def csv_reader(text: IO[str], delimiter: str, limit: int) -> _Reader:
    """Python's csv reader with the field limit set (its default, 128 KiB, refuses real Tags)."""
    csv.field_size_limit(limit)
    return csv.reader(text, delimiter=delimiter)


def not_utf8_reason(value: str, encoding: str = "utf-8") -> str | None:
    """Why a value read with surrogateescape is not text in `encoding`, and, for UTF-8, what
    it looks like instead."""
    if encoding != "utf-8":
        return f"not {encoding.upper()} text" if "\ufffd" in value else None
    found = _ESCAPED.search(value)
    if found is None:
        return None
    byte = found.group().encode("utf-8", "surrogateescape")[0]
    reason = f"not UTF-8 text (byte 0x{byte:02X})"
    raw = value.encode("utf-8", "surrogateescape")
    try:
        as_cp1252 = raw.decode("cp1252")
    except UnicodeDecodeError:
        return reason
    if all(c.isprintable() for c in as_cp1252):
        shown = as_cp1252 if len(as_cp1252) <= 40 else as_cp1252[:37] + "..."
        reason += (
            f": it looks like Latin-1/Windows-1252 ({shown!r} read that way); "
            "save the file as UTF-8"
        )
    return reason


@dataclass(frozen=True)
class Finding:
    row: int | None  # 1-based data row
    column: str | None
    reason: str


@dataclass(frozen=True)
class Layout:
    """How the file's rows are meant to look, so only real faults are reported."""

    delimiter: str
    encoding: str
    header: Sequence[str]
    read: frozenset[str]  # the columns the format reads (Arrow decodes only those)
    widths: frozenset[int]  # field counts a row may have (old CURs end rows early)


def diagnose(
    text: IO[str],
    layout: Layout,
    limit: int,
    reopen: Callable[[], AbstractContextManager[IO[str]]],
) -> Finding | None:
    """Read the text as Arrow would, up to the first row Arrow cannot read, and say why.

    `reopen()` gives the text again from the start: needed only to find which field of a row
    is over the limit, as Python's csv module does not say.
    """
    delimiter, header = layout.delimiter, layout.header
    rows = csv_reader(text, delimiter, limit)
    next(rows, None)  # the header, already checked
    number, line = 0, 1
    try:
        for fields in rows:
            if not fields:  # Arrow skips empty lines too
                line = rows.line_num
                continue
            number += 1
            for name, value in zip(header, fields, strict=False):
                if name in layout.read and (reason := not_utf8_reason(value, layout.encoding)):
                    return Finding(number, name, reason)
            if len(fields) not in layout.widths:
                shape = f"Expected {len(header)} columns, got {len(fields)}"  # Arrow's words
                return Finding(number, None, f"malformed CSV: {shape}")
            line = rows.line_num
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            return Finding(number + 1, None, f"malformed CSV: {exc}")
        with reopen() as again:
            for _ in range(line):
                again.readline()
            index = oversized_field(again, delimiter, limit)
        column = header[index] if index is not None and index < len(header) else None
        return Finding(number + 1, column, too_large(limit))
    return None


def oversized_field(text: IO[str], delimiter: str, limit: int) -> int | None:
    """Index of the first field, in the row starting where `text` stands, longer than `limit`
    characters; read in chunks, so the field itself is never held whole."""
    special = re.compile(f'["{re.escape(delimiter)}\r\n]')
    index = size = 0
    quoted = False
    while chunk := text.read(_CHUNK):
        i = 0
        while i < len(chunk):
            if quoted:
                j = chunk.find('"', i)
                if j < 0:
                    size, i = size + len(chunk) - i, len(chunk)
                else:
                    if j + 1 == len(chunk):
                        chunk += text.read(1)
                    size += j - i
                    if chunk[j + 1 : j + 2] == '"':
                        size, i = size + 1, j + 2
                    else:
                        quoted, i = False, j + 1
            else:
                found = special.search(chunk, i)
                if found is None:
                    size, i = size + len(chunk) - i, len(chunk)
                else:
                    size, i = size + found.start() - i, found.end()
                    char = found.group()
                    if char == '"':
                        quoted = True
                    elif char == delimiter:
                        index, size = index + 1, 0
                    else:
                        return None
            if size > limit:
                return index
    return None


def too_large(limit: int) -> str:
    """The one wording of a field over the limit, whichever reader finds it."""
    mib = limit / (1024 * 1024)
    size = f"{mib:g} MiB" if mib >= 1 else f"{limit:,} bytes"
    return f"a field larger than the limit of {size} (CLOUDLENS_LOAD_FIELD_MB)"
