"""A stream of Arrow record batches read as an export: what a query-based connector (BigQuery,
for example) hands over instead of a file.

The batches carry a named format's own columns (ingestion.formats.FORMATS), so the format binds
to the stream's schema names as it binds to a file's header, and each batch then goes through the
same canonical conversion and value checks as a file's (ExportFile), with the same messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa

from ingestion.formats.export_file import ExportFile

OpenBatches = Callable[[], Iterable[pa.RecordBatch]]


@dataclass
class BatchStream(ExportFile):
    # opens the stream; called again for a second read (a delivery retried after a deadlock)
    stream: OpenBatches | None = None
    # the stream opened to read its schema, not read yet
    pending: Iterator[pa.RecordBatch] | None = None

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        batches, self.pending = self.pending, None
        if batches is None:
            assert self.stream is not None
            batches = iter(self.stream())
        wanted = self.fmt.read_columns
        for batch in batches:
            if missing := [c for c in wanted if c not in batch.schema.names]:
                raise self._bad("a later batch lacks this column", column=missing[0])
            yield batch.select(wanted)


def peek_schema(batches: Iterable[pa.RecordBatch]) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """The stream's column names and the stream, whole again. A RecordBatchReader states its
    schema; another iterable shows it in its first batch (an empty one has none: [])."""
    schema = getattr(batches, "schema", None)
    it = iter(batches)
    if isinstance(schema, pa.Schema):
        return list(schema.names), it
    first = next(it, None)
    if first is None:
        return [], it
    return list(first.schema.names), _chain(first, it)


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest
