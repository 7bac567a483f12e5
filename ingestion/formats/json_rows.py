"""JSON records as rows: newline-delimited JSON (BigQuery's export of a billing table) or one
JSON array of the same objects.

Each record is flattened the way BigQuery flattens a table to CSV: RECORD fields become dotted
columns (`service.description`, `project.labels`), repeated fields (`credits`, `labels`) stay
one cell of JSON text, numbers keep the digits the file wrote. The formats then read the rows
exactly as they read that CSV. Records are parsed one at a time, never the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO

import pyarrow as pa

from ingestion.errors import BadInput

HEADER_RECORDS = 1000  # the columns are the keys of the first records (BigQuery omits nulls)
_BATCH_ROWS = 20_000
_READ = 1024 * 1024
_MAX_RECORD = 64 * 1024 * 1024  # past this, a record that does not parse is reported as is
_DECODER = json.JSONDecoder(parse_float=Decimal)


def header(name: str, text: IO[str]) -> list[str]:
    """The flattened keys of the first records, in the order they first appear."""
    seen: dict[str, None] = {}
    try:
        for number, record in enumerate(_records(name, text), start=1):
            seen.update(dict.fromkeys(flatten(record)))
            if number >= HEADER_RECORDS:
                break
    except BadInput:
        if not seen:
            raise
        # a bad record among the first: reported when the rows are read, naming the format
    if not seen:
        raise BadInput(name, "no records: the JSON file has no rows")
    return list(seen)


def batches(
    name: str, text: IO[str], columns: Sequence[str], known: set[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """String columns named as the header names them. Keys outside `known` (the header: keys
    first seen after its records) are not read, and added to `known` for the caller to tell."""
    rows: list[dict[str, str | None]] = []
    for record in _records(name, text):
        rows.append(flatten(record))  # as deep as the decoder went, which is bounded
        if known is not None:
            known.update(rows[-1])
        if len(rows) == _BATCH_ROWS:
            yield _batch(rows, columns)
            rows = []
    if rows:
        yield _batch(rows, columns)


def flatten(record: dict, prefix: str = "") -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, default=_number, ensure_ascii=False)
        elif value is None:
            out[name] = None
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


def _number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)  # its repr is the shortest text of that double: the file's digits
    raise TypeError(type(value).__name__)


def _batch(rows: list[dict[str, str | None]], columns: Sequence[str]) -> pa.RecordBatch:
    arrays = [pa.array([r.get(c) for r in rows], pa.string()) for c in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _records(name: str, text: IO[str]) -> Iterator[dict]:
    """Objects one by one, whether one per line or inside one array; BadInput names the record
    (counted from 1, as rows are) that is not valid JSON or not an object."""
    buffer, pos, number, done = "", 0, 0, False
    in_array: bool | None = None

    def fill() -> bool:
        nonlocal buffer, pos
        more = text.read(_READ)
        buffer, pos = buffer[pos:] + more, 0
        return bool(more)

    while True:
        while True:  # skip whitespace and the array's punctuation
            while pos < len(buffer) and buffer[pos] in " \t\r\n\ufeff":
                pos += 1
            if pos == len(buffer):
                if done or not fill():
                    done = True
                    break
                continue
            char = buffer[pos]
            if in_array is None:
                in_array = char == "["
                if in_array:
                    pos += 1
                    continue
            if in_array and char in ",]":
                pos += 1
                continue
            break
        if pos >= len(buffer):
            return
        try:
            value, end = _DECODER.raw_decode(buffer, pos)
        except RecursionError:
            raise BadInput(name, "a record nested too deeply to read", row=number + 1) from None
        except json.JSONDecodeError as exc:
            where = f"character {exc.pos - pos + 1} of the record"
            if len(buffer) - pos < _MAX_RECORD and fill():
                continue  # the record runs past what was read: read more, decode again
            reason = f"not valid JSON ({exc.msg.removesuffix(' at')}, {where})"
            raise BadInput(name, reason, row=number + 1) from None
        number += 1
        if not isinstance(value, dict):
            raise BadInput(name, "a record that is not a JSON object", row=number)
        pos = end
        yield value
