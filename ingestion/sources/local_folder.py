"""`local_folder`: export files dropped into a folder (or a mounted share), the reference
connector. Any format the loader reads (CSV, gzip CSV, Parquet; FOCUS or a native export),
searched recursively and taken in name order, which is the load order: a later file for the same
billing period replaces an earlier one.

Its state maps each file it handed over, and still present, to the size and mtime it had then;
a file is new when it is absent from the state or either changed. Files that left the folder
drop out of the state at the next advance, so it never outgrows the folder. The loader's
checksum check still skips a file whose bytes were already loaded (a touched or copied-again
file). A file modified within the last `settle_seconds` waits for the next run, so a copy still
being written is never read half-way; moving a finished file into the folder (rename is atomic)
avoids that wait.

Its "client" is the folder: the constructor takes it, as a cloud connector's takes its SDK client.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator

from ingestion.delivery import Delivery
from ingestion.export_files import expand
from ingestion.sources.base import (
    ExportRef,
    PermanentError,
    SourceSettings,
    Waiting,
    validate_settings,
)

DEFAULT_SETTLE_SECONDS = 5


class LocalFolderSettings(SourceSettings):
    path: str = Field(
        title="Folder", description="Folder to watch (absolute; searched recursively)"
    )
    settle_seconds: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        title="Wait after a file's last change (seconds)",
        description=f"Wait this long after a file's last change (default "
        f"{DEFAULT_SETTLE_SECONDS}), so a copy still being written is not read half-way",
    )

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        """Stored absolute, so the scheduler reads the folder the person meant, whatever its
        working directory."""
        return str(Path(path).expanduser().resolve())


class LocalFolder:
    settings_model: ClassVar[type[SourceSettings]] = LocalFolderSettings
    SECRETS: ClassVar[dict[str, str]] = {}

    def __init__(self, folder: Path, settle_seconds: float = DEFAULT_SETTLE_SECONDS) -> None:
        self.folder = folder  # the client: what every call reads
        self.settle_seconds = settle_seconds
        self.waiting: list[Waiting] = []  # files the last listing left to settle
        self._present: set[str] | None = None  # state keys of the files the last listing saw

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], credentials: Mapping[str, str]
    ) -> LocalFolder:
        checked = validate_settings("local_folder", LocalFolderSettings, settings)
        settle = checked.settle_seconds
        return cls(Path(checked.path), DEFAULT_SETTLE_SECONDS if settle is None else settle)

    def list_new(self, state: Mapping[str, object]) -> list[ExportRef]:
        if not self.folder.is_dir():
            raise PermanentError(
                f"folder {self.folder} does not exist or is not a folder: create or mount it, "
                "or change the source's path"
            )
        try:
            return self._new_files(state)
        except TimeoutError:
            raise  # a share that is slow to answer: worth a retry
        except OSError as exc:  # unreadable folder, a file gone while listing, a lost mount
            raise PermanentError(f"cannot read folder {self.folder}: {exc}") from None

    def _new_files(self, state: Mapping[str, object]) -> list[ExportRef]:
        now = time.time()
        new, self.waiting = [], []
        self._present = set()
        for path in expand([self.folder]):
            self._present.add(str(path))
            stat = path.stat()
            version = f"{stat.st_size}:{stat.st_mtime_ns}"
            if state.get(str(path)) == version:
                continue
            name = path.relative_to(self.folder).as_posix()
            if stat.st_mtime > now - self.settle_seconds:
                ready = datetime.fromtimestamp(stat.st_mtime + self.settle_seconds, UTC)
                why = (
                    f"{name} changed {max(now - stat.st_mtime, 0):.0f} s ago: waits to settle "
                    f"(settle_seconds={self.settle_seconds:g}, no change until "
                    f"{ready:%H:%M:%S} UTC), so a copy still being written is not read half-way"
                )
                self.waiting.append(Waiting(name, why, ready))
                continue
            new.append(ExportRef(name, version, stat.st_size))
        return new

    @contextlib.contextmanager
    def fetch(self, ref: ExportRef) -> Iterator[Delivery]:
        path = self.folder / ref.name
        if not path.is_file():
            raise PermanentError(f"{ref.name} disappeared from {self.folder} before it was read")
        yield Delivery.of_file(path, ref.name)

    def advance(self, state: Mapping[str, object], ref: ExportRef) -> dict[str, object]:
        """The state with `ref` at its version, less the files gone from the folder since they
        were handed over (known from the last listing, else asked of the folder)."""
        present = self._present
        kept = {
            key: version
            for key, version in state.items()
            if (key in present if present is not None else Path(key).is_file())
        }
        return {**kept, str(self.folder / ref.name): ref.version}
