"""The one error type for files a person has to fix: it always names the file (and its format,
once known), and where known the row and the column as the file spells it, so the CLI, the sync
log and the UI can show it as one line."""

from __future__ import annotations


class BadInput(Exception):
    def __init__(
        self,
        file: str,
        reason: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fmt: str | None = None,
    ) -> None:
        self.file, self.reason, self.row, self.column, self.fmt = file, reason, row, column, fmt
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [f"{self.file} ({self.fmt})" if self.fmt else self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}"
