"""Opening import files: CSV (sniffed separator and encoding) and XLSX (streamed), as rows.

Everything here streams: a CSV is read line by line with a cap on line length, an XLSX through
openpyxl's read-only mode, so memory stays bounded whatever the file's size. Anything that makes
a file unreadable as a whole raises :class:`FileRejected` with one plain sentence.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empower.errors import EmpowerError

__all__ = ["MAX_CELL", "MAX_EMPTY_ROWS", "MAX_LINE", "MAX_LOADED_MEMBER", "MAX_MEMBERS",
           "MAX_RATIO", "MAX_SHEET_MEMBER", "MAX_UNCOMPRESSED", "FileRejected", "Table",
           "open_table"]

# A line longer than this is not a spreadsheet row (a binary blob, a broken export).
MAX_LINE = 1_000_000
# XLSX limits, checked on the archive's directory before anything is decompressed (a zip bomb
# is refused in milliseconds). Python's zipfile never inflates a member past the size its
# directory declares, so the declared sizes bound what parsing can read.
# A member openpyxl loads whole (shared strings, styles, workbook): bytes once inflated.
MAX_LOADED_MEMBER = 64 * 1024 * 1024
# A worksheet is streamed, so it may be bigger (about two million cells).
MAX_SHEET_MEMBER = 1024 * 1024 * 1024
# Every member together, inflated.
MAX_UNCOMPRESSED = 2 * 1024 * 1024 * 1024
# Inflated / compressed size of a member over 1 MiB; real workbooks stay well under 30.
MAX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024
# Members in the archive (a real workbook has a few dozen).
MAX_MEMBERS = 10_000
# Excel itself holds at most this many characters in a cell; a longer one was not typed.
MAX_CELL = 32_767
# This many empty rows in a row end the sheet: Excel pads formatted sheets with empty rows
# to row 1,048,576, and a declared dimension (``A1:XFD1048576``) is not trusted.
MAX_EMPTY_ROWS = 10_000
# A record spanning more lines than this is an unclosed quote swallowing the rows after it.
_MAX_LINES_PER_ROW = 50
_SAMPLE = 1 << 16
_SCAN_CHUNK = 1 << 20


class FileRejected(EmpowerError):
    """The file cannot be read at all (exit status 2); ``message`` says why in one line.

    Its ``code`` and ``params`` (``name``, the file's name, and what the sentence names) say it
    in the import's language through :func:`empower.messages.describe`.
    """

    kind = "file_rejected"

    def __init__(self, message: str, *, code: str, **params: Any) -> None:
        super().__init__(message, code=code, params=params)


@dataclass
class Table:
    """Header cells, then data rows as ``(line_number, cells)``; ``position()`` for progress."""

    headers: list[Any]
    header_line: int
    rows: Iterator[tuple[int, list[Any]]]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    total: int | None = None
    _position: Any = field(default=None, repr=False)

    def position(self) -> int:
        return int(self._position()) if self._position else 0


@contextmanager
def open_table(path: str | Path) -> Iterator[Table]:
    """Open a CSV or XLSX file as a :class:`Table` (the format comes from the content)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise FileRejected(f"{path.name}: is a folder, not a file", code="file.folder",
                               name=path.name)
        with path.open("rb") as probe:
            head = probe.read(_SAMPLE)
    except FileNotFoundError as exc:
        raise FileRejected(f"{path}: no such file", code="file.missing", name=str(path)) from exc
    except PermissionError as exc:
        raise FileRejected(f"{path}: permission denied", code="file.permission_denied",
                           name=str(path)) from exc
    except OSError as exc:
        reason = str(exc.strerror or exc)
        raise FileRejected(f"{path}: cannot be read ({reason})", code="file.unreadable",
                           name=str(path), reason=reason) from exc
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FileRejected(f"{path.name}: the file is empty", code="file.empty", name=path.name)
    if head.startswith(b"PK\x03\x04"):
        with _open_xlsx(path) as table:
            yield table
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(f"{path.name}: an old Excel .xls file; save it as .xlsx or CSV",
                           code="file.old_excel", name=path.name)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise FileRejected(f"{path.name}: not a valid Excel .xlsx file", code="file.not_xlsx",
                           name=path.name)
    with _open_csv(path, head) as table:
        yield table


# ----------------------------------------------------------------------------- CSV


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return controls > max(4, len(head) // 100)


def _detect_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without BOM) when every byte decodes; else Windows-1256 or -1252."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    return _arabic_or_latin(path)


def _arabic_or_latin(path: Path) -> str:
    """Windows-1256 when high bytes come in runs of Arabic letters, else Windows-1252.

    Arabic words are runs of bytes in 0xC1-0xDF (and a few above); French text has isolated
    accented letters, mostly lower case (0xE0-0xFF), between ASCII letters. Windows-1256 also
    holds the common French lower-case accents at the same codes, so a mixed file reads well.
    """
    arabic_like = high = 0
    with path.open("rb") as fh:
        data = fh.read(4 * _SCAN_CHUNK)
    prev_high = False
    for i, b in enumerate(data):
        if b >= 0x80:
            high += 1
            if 0xC1 <= b <= 0xDF and b != 0xD7:
                nxt = data[i + 1] if i + 1 < len(data) else 0
                if prev_high or nxt >= 0xC1:
                    arabic_like += 1
            prev_high = b >= 0xC1
        else:
            prev_high = False
    return "cp1256" if high and arabic_like >= 0.2 * high else "cp1252"


def _sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@contextmanager
def _open_csv(path: Path, head: bytes) -> Iterator[Table]:
    if _looks_binary(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(f"{path.name}: not a CSV or Excel file (it holds binary data)",
                           code="file.binary", name=path.name)
    encoding = _detect_encoding(path, head)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    try:
        counter = {"line": 0}

        def lines() -> Iterator[str]:
            while True:
                try:
                    line = text.readline(MAX_LINE + 1)
                except UnicodeDecodeError as exc:
                    raise FileRejected(f"{path.name}: line {counter['line'] + 1} cannot be "
                                       f"decoded as {encoding}", code="file.undecodable",
                                       name=path.name, line=counter["line"] + 1,
                                       encoding=encoding) from exc
                if not line:
                    return
                counter["line"] += 1
                if len(line) > MAX_LINE:
                    raise FileRejected(
                        f"{path.name}: line {counter['line']} is longer than {MAX_LINE:,} "
                        f"characters; this is not a table of records", code="file.line_too_long",
                        name=path.name, line=counter["line"], max=MAX_LINE)
                if "\x00" in line:
                    raise FileRejected(f"{path.name}: line {counter['line']} holds binary data",
                                       code="file.line_binary", name=path.name,
                                       line=counter["line"])
                yield line

        source = lines()
        first: str | None = None
        for line in source:
            if line.strip():
                first = line
                break
        if first is None:
            raise FileRejected(f"{path.name}: the file is empty", code="file.empty",
                               name=path.name)
        header_line = counter["line"]
        delimiter = _sniff_delimiter(first)
        csv.field_size_limit(MAX_LINE + 1)

        def chained() -> Iterator[str]:
            yield first
            yield from source

        reader = csv.reader(chained(), delimiter=delimiter, quotechar='"', strict=False)
        try:
            headers = next(reader)
        except csv.Error as exc:
            raise FileRejected(f"{path.name}: the header line cannot be read ({exc})",
                               code="file.header_unreadable", name=path.name,
                               reason=str(exc)) from exc

        def rows() -> Iterator[tuple[int, list[Any]]]:
            start = header_line + 1
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise FileRejected(f"{path.name}: line {counter['line']} cannot be read "
                                       f"as CSV ({exc})", code="file.line_unreadable",
                                       name=path.name, line=counter["line"],
                                       reason=str(exc)) from exc
                if counter["line"] - start >= _MAX_LINES_PER_ROW:
                    raise FileRejected(
                        f"{path.name}: the quoted value starting on line {start} runs over "
                        f"{counter['line'] - start + 1} lines; a quote is probably not closed",
                        code="file.unclosed_quote", name=path.name, line=start,
                        lines=counter["line"] - start + 1)
                yield start, cells
                start = counter["line"] + 1

        size = path.stat().st_size
        yield Table(headers=headers, header_line=header_line, rows=rows(), format="csv",
                    encoding=encoding, delimiter=delimiter, total=size,
                    _position=lambda: raw.tell())
    finally:
        text.close()


# ----------------------------------------------------------------------------- XLSX


def _check_archive(path: Path) -> None:
    """Refuse a zip whose declared sizes or ratios are those of a bomb, before inflating it.

    Raises :class:`FileRejected` (``file.xlsx_too_large``, ``file.xlsx_ratio``,
    ``file.xlsx_too_many_members``); an unreadable archive is left to openpyxl's own refusal.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(members) > MAX_MEMBERS:
        raise FileRejected(f"{path.name}: the workbook holds {len(members):,} parts (at most "
                           f"{MAX_MEMBERS:,})", code="file.xlsx_too_many_members",
                           name=path.name, count=len(members), max=MAX_MEMBERS)
    total = 0
    for info in members:
        total += info.file_size
        limit = (MAX_SHEET_MEMBER if info.filename.startswith("xl/worksheets/")
                 else MAX_LOADED_MEMBER)
        if info.file_size > limit or total > MAX_UNCOMPRESSED:
            raise FileRejected(
                f"{path.name}: the workbook's part {info.filename} inflates to more than "
                f"{limit // (1024 * 1024):,} MB; this is not a table of records",
                code="file.xlsx_too_large", name=path.name, part=info.filename,
                max=limit // (1024 * 1024))
        if info.file_size > _RATIO_FLOOR \
                and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRejected(
                f"{path.name}: the workbook's part {info.filename} inflates more than "
                f"{MAX_RATIO} times; this is a compressed bomb, not a table of records",
                code="file.xlsx_ratio", name=path.name, part=info.filename, max=MAX_RATIO)


def _blank(values: Any) -> bool:
    return not any(v is not None and str(v).strip() for v in values)


def _check_cells(path: Path, number: int, values: Any) -> None:
    for value in values:
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise FileRejected(f"{path.name}: row {number} holds a cell longer than "
                               f"{MAX_CELL:,} characters; this is not a table of records",
                               code="file.cell_too_long", name=path.name, line=number,
                               max=MAX_CELL)


def _until_empty_run(values_by_row: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """The rows, ending after :data:`MAX_EMPTY_ROWS` empty rows in a row."""
    empty = 0
    for number, values in values_by_row:
        if _blank(values):
            empty += 1
            if empty >= MAX_EMPTY_ROWS:
                return
        else:
            empty = 0
        yield number, values


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import openpyxl

    _check_archive(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(f"{path.name}: not a readable Excel .xlsx file",
                           code="file.xlsx_unreadable", name=path.name) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise FileRejected(f"{path.name}: not a readable Excel .xlsx file ({type(exc).__name__})",
                           code="file.xlsx_damaged", name=path.name,
                           reason=type(exc).__name__) from exc
    try:
        if not wb.worksheets:
            raise FileRejected(f"{path.name}: the workbook has no sheet", code="file.no_sheet",
                               name=path.name)
        ws = wb.worksheets[0]
        declared = ws.max_row if isinstance(ws.max_row, int) else None
        # The declared dimension pads every row to its width (XFD is 16,384 columns) and the
        # sheet to its height: read only the cells that are there.
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        it = _until_empty_run(enumerate(ws.iter_rows(values_only=True), start=1))
        headers: list[Any] | None = None
        header_line = 0
        try:
            for number, values in it:
                _check_cells(path, number, values)
                if not _blank(values):
                    headers, header_line = list(values), number
                    break
        except FileRejected:
            raise
        except Exception as exc:
            raise FileRejected(f"{path.name}: the sheet cannot be read ({type(exc).__name__})",
                               code="file.sheet_unreadable", name=path.name,
                               reason=type(exc).__name__) from exc
        if headers is None:
            raise FileRejected(f"{path.name}: the first sheet is empty", code="file.sheet_empty",
                               name=path.name)
        state = {"line": header_line}

        def rows() -> Iterator[tuple[int, list[Any]]]:
            try:
                for number, values in it:
                    state["line"] = number
                    _check_cells(path, number, values)
                    yield number, list(values)
            except FileRejected:
                raise
            except Exception as exc:
                raise FileRejected(f"{path.name}: row {state['line'] + 1} cannot be read "
                                   f"({type(exc).__name__})", code="file.row_unreadable",
                                   name=path.name, line=state["line"] + 1,
                                   reason=type(exc).__name__) from exc

        # Progress only: a declared height beyond the sheet's limit is not believed.
        total = declared if declared is not None and declared < 1_048_576 else None
        yield Table(headers=headers, header_line=header_line, rows=rows(), format="xlsx",
                    total=total, _position=lambda: state["line"])
    finally:
        wb.close()
