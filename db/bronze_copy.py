"""COPY bronze-ready Arrow batches into bronze.focus_cost: render each as CSV text (on a thread,
overlapping the server's COPY of the previous one), and turn a value Postgres refuses into the
row and column it came from."""

from __future__ import annotations

import contextlib
import io
import queue
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from psycopg import sql

T = TypeVar("T")


class RejectedData(Exception):
    """Postgres refused a value (or there was nothing to load); the caller names the file."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None) -> None:
        self.reason, self.row, self.column = reason, row, column  # column: bronze SQL name
        super().__init__(reason)


class Batch(Protocol):
    first_row: int  # 1-based data row of the batch's first row, for error messages
    data: pa.RecordBatch  # columns named as in bronze.focus_cost


def _constant(value: object, n: int) -> pa.DictionaryArray:
    """A column holding one value n times, without building n Python objects."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int8)), pa.array([value]))


def rendered(
    batches: Iterable[Batch], constants: dict[str, object]
) -> Iterator[tuple[Batch, list[str], bytes]]:
    """Each batch with its bronze columns and the CSV text COPY will read."""
    for batch in batches:
        n = batch.data.num_rows
        table = pa.Table.from_batches([batch.data])
        for i, column in enumerate(table.columns):
            if pa.types.is_timestamp(column.type):
                table = table.set_column(i, table.field(i).name, _timestamp_text(column))
        for name, value in constants.items():
            table = table.append_column(name, _constant(value, n))
        buf = io.BytesIO()
        pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False))
        yield batch, table.column_names, buf.getvalue()


def _timestamp_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO text for COPY. Cost data repeats a few thousand distinct hours, so each distinct
    instant is formatted once: the CSV writer's own timestamp formatting was the largest single
    cost of rendering a batch."""
    chunks = []
    for chunk in column.chunks:
        encoded = pc.dictionary_encode(chunk)
        text = pc.strftime(encoded.dictionary, format="%Y-%m-%dT%H:%M:%SZ")
        chunks.append(pa.DictionaryArray.from_arrays(encoded.indices, text))
    return pa.chunked_array(chunks, pa.dictionary(pa.int32(), pa.string()))


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce the next items on a thread while the caller uses this one: reading, converting
    and rendering a batch (mostly Arrow C++, outside the GIL) overlap the server's COPY of the
    previous one. Errors reach the caller in order; a caller that stops early stops the thread."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put((item, None), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            slots.put((done, exc))

    worker = threading.Thread(target=produce, name="load-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                slots.get(timeout=0.2)


def copy(raw: psycopg.Connection, batch: Batch, columns: list[str], text: bytes) -> None:
    copy_sql = sql.SQL("COPY bronze.focus_cost ({}) FROM STDIN (FORMAT csv)").format(
        sql.SQL(", ").join(sql.Identifier(name) for name in columns)
    )
    try:
        with raw.cursor() as cur, cur.copy(copy_sql) as copy:
            copy.write(text)
    except psycopg.errors.DataError as exc:
        raise _rejected(batch, exc) from None


def _rejected(batch: Batch, exc: psycopg.errors.DataError) -> RejectedData:
    """Turn Postgres' 'COPY focus_cost, line 3, column tags: ...' into the file's row and column."""
    context = exc.diag.context or ""
    found = re.search(r"COPY \w+, line (\d+)(?:, column (\w+))?", context)
    row = batch.first_row + int(found.group(1)) - 1 if found else None
    column = found.group(2) if found else None
    reason = (exc.diag.message_primary or str(exc)).strip()
    if exc.diag.message_detail:
        reason = f"{reason} ({exc.diag.message_detail.strip().rstrip('.')})"
    return RejectedData(reason, row, column)
