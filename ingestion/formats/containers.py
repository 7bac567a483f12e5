"""What holds an export's rows, told from the bytes, never from the name.

CSV text (plain, gzip or a one-file ZIP, as AWS delivers a legacy CUR; UTF-8, or UTF-16 with a
byte-order mark as Excel's "Unicode text" writes it, comma- or tab-separated), Parquet (also in
a ZIP), and JSON records (newline-delimited, as BigQuery exports a billing table, or one JSON
array; plain, gzip or ZIP). Anything else is refused here with the reason a person can act on.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ingestion.errors import BadInput
from ingestion.formats import json_rows
from ingestion.formats.text_checks import DEFAULT_FIELD_BYTES, csv_reader, not_utf8_reason
from ingestion.formats.values import NULL_TOKENS

_HEAD_BYTES = 64 * 1024  # enough to see a BOM, the first character and a header line
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}  # never in text exports
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive's end record


@dataclass(frozen=True)
class Container:
    kind: str  # "csv" | "parquet" | "json" | "arrow" (record batches handed over by a connector)
    compression: str = ""  # "" | "gzip" | "zip"
    member: str = ""  # the ZIP member holding the rows
    encoding: str = "utf-8"  # "utf-8" or "utf-16" (BOM-marked)
    delimiter: str = ","
    json_shape: str = ""  # "lines" | "array"

    @property
    def label(self) -> str:
        """As the load line and app.load_log show it: "CSV", "CSV (gzip)", "Parquet", ..."""
        base = {"csv": "CSV", "parquet": "Parquet", "json": f"JSON {self.json_shape}"}.get(
            self.kind, "Arrow record batches"
        )
        extra = []
        if self.compression == "zip":
            shown = self.member if len(self.member) <= 80 else f"...{self.member[-77:]}"
            extra.append(f"ZIP member {shown}")
        elif self.compression:
            extra.append(self.compression)
        if self.encoding != "utf-8":
            extra.append(self.encoding.upper())
        if self.delimiter == "\t":
            extra.append("tab-separated")
        return f"{base} ({', '.join(extra)})" if extra else base

    @contextmanager
    def binary(self, path: Path) -> Iterator[IO[bytes]]:
        """The decompressed bytes of the rows."""
        if self.compression == "zip":
            with zipfile.ZipFile(path) as archive, archive.open(self.member) as member:
                yield member
        elif self.compression == "gzip":
            with gzip.open(path, "rb") as raw:
                yield raw
        else:
            with open(path, "rb") as raw:
                yield raw

    @contextmanager
    def text(self, path: Path, errors: str = "strict") -> Iterator[IO[str]]:
        """The rows as text; `errors="surrogateescape"` keeps undecodable bytes findable (UTF-16
        cannot escape them: they become U+FFFD there)."""
        encoding = "utf-8-sig" if self.encoding == "utf-8" else self.encoding
        if errors == "surrogateescape" and self.encoding != "utf-8":
            errors = "replace"
        with self.binary(path) as raw:
            yield io.TextIOWrapper(raw, encoding, errors=errors, newline="")

    def arrow_stream(self, path: Path) -> pa.NativeFile:
        """The rows as an Arrow input stream (Arrow decompresses gzip itself, in C++)."""
        if self.compression == "zip":
            archive = zipfile.ZipFile(path)
            member = archive.open(self.member)
            archive.close()  # the member keeps the file open until it is closed itself
            return pa.PythonFile(member, mode="r")
        stream = pa.OSFile(str(path))
        return pa.CompressedInputStream(stream, "gzip") if self.compression == "gzip" else stream

    def csv_strings(
        self,
        path: Path,
        columns: Sequence[str],
        block_bytes: int,
        column_names: Sequence[str] | None = None,
    ) -> pa_csv.CSVStreamingReader:
        """The CSV rows' `columns` as strings, streamed in blocks of `block_bytes`.

        Every reader of export text opens it here, so all read a cell alike: Arrow guesses no
        type (each value is parsed by the FOCUS column it becomes); an empty unquoted cell or a
        NULL token is NULL, but a quoted "" is an empty string, as its writer chose to say. A
        column named but absent reads as NULL. `column_names` replaces the file's header line.
        """
        return pa_csv.open_csv(
            self.arrow_stream(path),
            read_options=pa_csv.ReadOptions(
                block_size=block_bytes,
                encoding="utf8" if self.encoding == "utf-8" else self.encoding,
                column_names=list(column_names or ()),
                skip_rows=1 if column_names else 0,
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, delimiter=self.delimiter),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in columns},
                include_columns=list(columns),
                include_missing_columns=True,
                null_values=NULL_TOKENS,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )

    def parquet(self, path: Path) -> pq.ParquetFile:
        if self.compression == "zip":
            archive = zipfile.ZipFile(path)
            member = archive.open(self.member)
            archive.close()
            return pq.ParquetFile(member)
        return pq.ParquetFile(path)


def detect(path: Path, field_bytes: int = DEFAULT_FIELD_BYTES) -> tuple[Container, list[str]]:
    """The container and the header (column names), or BadInput saying why the file is unread."""
    name = path.name
    if not path.is_file():
        raise BadInput(name, "no such file")
    if path.stat().st_size == 0:
        raise BadInput(name, "the file is empty")
    with open(path, "rb") as f:
        magic = f.read(4)
    compression, member = "", ""
    if magic in _ZIP_MAGIC:
        compression, member = "zip", _only_member(path)
    elif magic[:2] == b"\x1f\x8b":
        compression = "gzip"
    head = _head_bytes(Container("csv", compression, member), path)
    if head[:4] == b"PAR1":
        if compression == "gzip":
            raise BadInput(name, "a gzip-compressed Parquet file: decompress it first")
        container = Container("parquet", compression, member)
        try:
            return container, container.parquet(path).schema_arrow.names
        except (pa.ArrowInvalid, OSError) as exc:
            raise BadInput(name, f"not a readable Parquet file ({exc})") from None
    if not head.strip():
        raise BadInput(name, "no header line: the file has no content")
    encoding = _encoding(name, head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{") or (text.startswith("[") and text[1:].lstrip()[:1] in ("{", "]")):
        container = Container(
            "json", compression, member, encoding, json_shape="array" if text[0] == "[" else "lines"
        )
        try:
            with container.text(path) as stream:
                return container, json_rows.header(name, stream)
        except UnicodeDecodeError as exc:
            raise BadInput(name, f"not {encoding.upper()} text ({exc.reason})") from None
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
            raise BadInput(name, "the compressed data is truncated or corrupt") from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    container = Container("csv", compression, member, encoding, delimiter)
    return container, _csv_header(name, container, path, field_bytes)


def _only_member(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            files = [
                i.filename
                for i in archive.infolist()
                if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BadInput(path.name, f"not a readable ZIP archive ({exc})") from None
    if not files:
        raise BadInput(path.name, "a ZIP archive with no file in it")
    if len(files) > 1:
        shown = ", ".join(files[:3]) + (", ..." if len(files) > 3 else "")
        raise BadInput(
            path.name,
            f"a ZIP archive of {len(files)} files ({shown}): one archive must hold one export; "
            "unzip it and load the files",
        )
    return files[0]


def _head_bytes(container: Container, path: Path) -> bytes:
    try:
        with container.binary(path) as raw:
            return raw.read(_HEAD_BYTES)
    except RuntimeError as exc:  # zipfile's word for an encrypted member
        raise BadInput(path.name, f"the ZIP member cannot be read ({exc})") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError) as exc:
        what = "ZIP member" if container.compression == "zip" else "gzip data"
        raise BadInput(path.name, f"the {what} is truncated or corrupt ({exc})") from None


def _encoding(name: str, head: bytes) -> str:
    """UTF-8 unless a UTF-16 byte-order mark says otherwise; UTF-16 without one is refused."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    sample = head[:1024]
    if sample.count(b"\x00") > len(sample) // 4:
        raise BadInput(
            name,
            "the file looks like UTF-16 text without a byte-order mark: save it as UTF-8 "
            '(or as Excel\'s "Unicode text", which marks it)',
        )
    first_line = sample.split(b"\n", 1)[0]
    controls = sum(byte in _CONTROL for byte in sample)
    if controls > len(sample) // 100 or any(byte in _CONTROL for byte in first_line):
        shown = " ".join(f"{b:02X}" for b in head[:4])
        raise BadInput(name, f"not a CSV text file (binary data; it starts {shown})")
    return "utf-8"


def _csv_header(name: str, container: Container, path: Path, field_bytes: int) -> list[str]:
    try:
        with container.text(path, errors="surrogateescape") as text:
            header = next(csv_reader(text, container.delimiter, field_bytes), None)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
        raise BadInput(name, "the compressed data is truncated or corrupt") from None
    except UnicodeDecodeError as exc:  # only UTF-16 can fail here: UTF-8 escapes bad bytes
        raise BadInput(name, f"not {container.encoding.upper()} text ({exc.reason})") from None
    except csv.Error as exc:
        raise BadInput(name, f"the header line is not valid CSV ({exc})") from None
    if not header or not any(h.strip() for h in header):
        raise BadInput(name, "no header line: the file has no content")
    for column in header:
        if reason := not_utf8_reason(column):
            shown = column.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise BadInput(name, f"the header is {reason}", column=shown)
    return header
