"""`local_folder`: export files dropped into a folder (or a mounted share), the reference
connector. Any format the loader reads (CSV, gzip CSV, Parquet; FOCUS or a native export),
searched recursively and taken in name order, which is the load order: a later file for the same
billing period replaces an earlier one.

Its state maps each file it handed over to the size and mtime it had then; a file is new when
it is absent from the state or either changed. The loader's checksum check still skips a file
whose bytes were already loaded (a touched or copied-again file). A file modified within the last
`settle_seconds` waits for the next run, so a copy still being written is never read half-way;
moving a finished file into the folder (rename is atomic) avoids that wait.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from ingestion.delivery import Delivery
from ingestion.loader import expand
from ingestion.sources.base import ExportRef, PermanentError, SourceConfigError, Waiting

DEFAULT_SETTLE_SECONDS = 5


class LocalFolder:
    SETTINGS: ClassVar[dict[str, str]] = {
        "path": "Folder to watch (absolute; searched recursively)",
        "settle_seconds": f"Wait this long after a file's last change (default "
        f"{DEFAULT_SETTLE_SECONDS}), so a copy still being written is not read half-way",
    }
    LABELS: ClassVar[dict[str, str]] = {
        "path": "Folder",
        "settle_seconds": "Wait after a file's last change (seconds)",
    }
    REQUIRED: ClassVar[tuple[str, ...]] = ("path",)
    SECRETS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, folder: Path, settle_seconds: float = DEFAULT_SETTLE_SECONDS) -> None:
        self.folder = folder
        self.settle_seconds = settle_seconds
        self.waiting: list[Waiting] = []  # files the last listing left to settle

    @classmethod
    def normalize(cls, settings: Mapping[str, str]) -> dict[str, str]:
        path = str(settings.get("path", "")).strip()
        if not path:
            raise SourceConfigError("local_folder needs the setting path (--setting path=FOLDER)")
        out = {"path": str(Path(path).expanduser().resolve())}
        settle = str(settings.get("settle_seconds", "")).strip()
        if settle:
            try:
                if float(settle) < 0:
                    raise ValueError
            except ValueError:
                raise SourceConfigError(
                    f"settle_seconds must be a number of seconds, not {settle!r}"
                ) from None
            out["settle_seconds"] = settle
        return out

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], credentials: Mapping[str, str]
    ) -> LocalFolder:
        settle = float(settings.get("settle_seconds") or DEFAULT_SETTLE_SECONDS)
        return cls(Path(settings["path"]), settle)

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
        for path in expand([self.folder]):
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
        return {**state, str(self.folder / ref.name): ref.version}
