"""The one interface every connector implements, its settings model, and the errors it raises.

A connector lists what is new since its last state, hands each export over (`fetch`) as an
`ingestion.delivery.Delivery`, and says what its state is once that export is in the database.
A delivery's parts are either local files in any format the loader detects (a folder, an object
store: the file is downloaded, or read where it lies) or, for a query-based source such as
BigQuery, callables opening a stream of Arrow record batches in a named format's own columns;
the delivery's mode says whether it replaces its billing periods or appends its own slice.
A connector holds no SQL, no scheduling and no `db` or `streamlit` import: ingestion/sync.py
stores the state, runs the loader, retries, records progress and honours cancellation, the same
way for every kind.

The client seam: a connector's constructor takes its client (the cloud SDK's client object; for
local_folder the folder itself) and never builds one. `from_settings` is the one place that
builds the real client, from the validated settings and the opened credentials, so a test hands
the constructor the same SDK's client pointed at an emulator or a local fake endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

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


class SourceSettings(BaseModel):
    """A kind's settings, as a person gives them (text from the page's fields or `--setting
    KEY=VALUE`) and as app.source stores them (`stored()`: text again, normalized). Each field's
    `title` labels it on the page and its `description` says what it means (page and CLI help);
    a setting the kind does not have is refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    def stored(self) -> dict[str, str]:
        """What app.source keeps: the settings given, normalized, as text."""
        return {
            name: f"{value:g}" if isinstance(value, float) else str(value)
            for name, value in self.model_dump(exclude_none=True).items()
        }


S = TypeVar("S", bound=SourceSettings)


def validate_settings(kind: str, model: type[S], settings: Mapping[str, object]) -> S:
    """The settings checked by the kind's model; SourceConfigError naming the setting at fault
    (an empty field counts as not given, as the page sends it)."""
    given = {name: value for name, value in settings.items() if str(value).strip()}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise SourceConfigError(_explain(kind, model, exc)) from None


def _explain(kind: str, model: type[SourceSettings], exc: ValidationError) -> str:
    errors = exc.errors()
    unknown = [str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        return (
            f"{kind} has no setting {', '.join(sorted(unknown))}; "
            f"its settings: {', '.join(model.model_fields)}"
        )
    first = errors[0]
    name = str(first["loc"][0]) if first["loc"] else "?"
    field = model.model_fields.get(name)
    if first["type"] == "missing":
        meaning = field.description if field and field.description else name
        return (
            f"{kind} needs the setting {name} ({meaning}; from the command line: "
            f"--setting {name}=...)"
        )
    why = first["msg"].removeprefix("Value error, ")
    return f"{kind} setting {name}={first['input']!r} is not usable: {why[:1].lower()}{why[1:]}"


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
    settings_model: ClassVar[type[SourceSettings]]
    SECRETS: ClassVar[dict[str, str]]  # credential field -> its label; none when a chain serves

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], credentials: Mapping[str, str]
    ) -> Connector:
        """Validate the stored settings with `settings_model`, build the real client from them
        and `credentials` (or the SDK's default credential chain when there are none), and pass
        it to the constructor. Nothing is contacted yet: list_new is the first call out."""
        ...

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
        """The state once `ref` is in the database (loaded, or skipped as already loaded).
        State stays small: a cursor per export or billing period, never an entry per file ever
        seen; an entry for an export that no longer exists is dropped."""
        ...
