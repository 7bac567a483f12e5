"""The one interface every connector implements, and the errors it raises.

A connector lists what is new since its last state, hands each export over as a delivery (local
files or record-batch streams in a format the loader knows), and says what its state is once that
export is in the database. It holds no SQL and no scheduling: ingestion/sync.py stores the
state, runs the loader, retries, records progress and honours cancellation, the same way for
every kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from ingestion.delivery import Delivery


class SourceConfigError(ValueError):
    """A setting or credential a person gave is wrong or missing; the message names it."""


class SyncError(Exception):
    """A sync cannot go on. Connectors translate their SDK's errors into one of the two below,
    with a message a person can act on, and never with a secret in it."""


class TransientError(SyncError):
    """Throttling, a 5xx, a timeout: worth retrying with backoff."""


class PermanentError(SyncError):
    """Bad credentials, a missing bucket or folder, a bad file: retrying cannot help."""


@dataclass(frozen=True)
class ExportRef:
    """One export at one version. `name` orders the loads; `version` changes whenever the
    content may have (size and mtime, an ETag, an object generation)."""

    name: str
    version: str
    size: int | None = None


@dataclass(frozen=True)
class Waiting:
    """An export the last listing saw but left for a later run, and why (a person reading the
    log must not think it was missed)."""

    name: str
    why: str
    ready_at: datetime | None = None  # when a run may take it; None: not known


class Connector(Protocol):
    SETTINGS: ClassVar[dict[str, str]]  # setting -> what it means (CLI help, page help)
    LABELS: ClassVar[dict[str, str]]  # setting or secret -> its field's label on the page
    REQUIRED: ClassVar[tuple[str, ...]]
    SECRETS: ClassVar[tuple[str, ...]]  # credential fields; none when a default chain serves

    @classmethod
    def normalize(cls, settings: Mapping[str, str]) -> dict[str, str]:
        """The settings as stored (e.g. a folder made absolute); SourceConfigError if wrong."""
        ...

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], credentials: Mapping[str, str]
    ) -> Connector: ...

    def list_new(self, state: Mapping[str, object]) -> list[ExportRef]:
        """Exports not yet handed over at their current version, in the order to load them.
        A connector that leaves some for later (still being written) may name them in an
        attribute `waiting: list[Waiting]`, set by this call."""
        ...

    def fetch(self, ref: ExportRef) -> AbstractContextManager[Delivery]:
        """The export as a delivery (ingestion.delivery) for the duration of the block: its
        parts (local files in any format the loader reads, or Arrow record-batch streams in a
        named format) and its mode, loaded in one transaction. A file that is a whole export is
        `Delivery.of_file(path, ref.name)`."""
        ...

    def advance(self, state: Mapping[str, object], ref: ExportRef) -> dict[str, object]:
        """The state once `ref` is in the database (loaded, or skipped as already loaded)."""
        ...
