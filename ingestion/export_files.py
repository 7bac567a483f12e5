"""Which files in a folder are exports: shared by `load FOLDER` and the local_folder connector,
which must not import the loader (connectors import nothing of `db`)."""

from __future__ import annotations

from pathlib import Path

# What a folder scan picks up; a file named on the command line is read whatever its name.
SUFFIXES = (".csv", ".csv.gz", ".parquet", ".zip", ".json", ".jsonl", ".ndjson", ".json.gz",
            ".jsonl.gz", ".ndjson.gz")  # fmt: skip


def expand(paths: list[Path]) -> list[Path]:
    """Files as given, folders as their export files (recursively), each folder in name order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES)
            ]
            out.extend(sorted(found))
        else:
            out.append(path)
    return out
