"""Read and write the spreadsheets people use for imports and exports (every area's, through core/imports.py).

Pure: no Django, no database. `read_table` turns an uploaded .csv/.txt/.xlsx into normalised
headers plus rows keyed by header, each carrying the line number the user sees in the file, so
the caller can report "line 7: ..." per row. Whole-file problems raise `TableError`.
`write_table` produces CSV (UTF-8 with BOM) or XLSX with a formula-injection guard.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font


class TableError(Exception):  # the file as a whole is unusable; per-row checks are the caller's
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]


def normalise_header(value: object) -> str:
    # "First Name", "first-name" and " FIRST_NAME" all mean the same column.
    text = str(value).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _clean(value: object) -> object:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _encoding(path) -> str:
    """The file's text encoding, found by decoding it in chunks (never the whole file in memory)."""
    with open(path, "rb") as f:
        # Excel's "Unicode Text" export is UTF-16 with a BOM; cp1252 would turn it into mojibake.
        if f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        # "CSV" saved by Excel on Windows is usually cp1252, not UTF-8.
        for encoding in ("utf-8", "cp1252"):
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                while chunk := f.read(1024 * 1024):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return "utf-8-sig" if encoding == "utf-8" else encoding
    raise TableError("The file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8.")


def _delimiter(text: str) -> str:
    # Count candidates outside quotes in the header record; ties go to the earlier candidate.
    counts, quoted = {",": 0, ";": 0, "\t": 0}, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_records(path):
    """(line, values) of a CSV file, streamed."""
    with open(path, encoding=_encoding(path), newline="") as text:
        delimiter = _delimiter(text.read(64 * 1024))
        text.seek(0)
        # newline="" keeps newlines inside quoted fields; line_num counts physical lines read, so the
        # record starts one line after where the previous record ended.
        reader = csv.reader(text, delimiter=delimiter)
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"Line {start} cannot be read: {exc}.", line=start) from exc
            yield start, [_clean(v) for v in record]


# Bounds that keep a hostile spreadsheet cheap. A sheet's rows are counted by their numbers, so blank
# rows count toward the limit; a little room is left for a header and blank lines around the data.
MAX_COLUMNS = 100
BLANK_LINE_ALLOWANCE = 100
XLSX_MAX_MEMBERS = 500
# A sheet of 100,000 rows of ten text cells written with inline strings is ~75 MB of XML; openpyxl reads a
# sheet streamed (time, not memory), while it loads the shared strings whole.
XLSX_MAX_UNCOMPRESSED = 256 * 1024 * 1024  # all parts together, as the zip declares them
XLSX_MAX_SHARED_STRINGS = 16 * 1024 * 1024
XLSX_MAX_SHEET = 192 * 1024 * 1024
_UNREADABLE = "The file is not a readable .xlsx workbook."
MAX_ROWS = 100_000  # rows one file may have (an import streams them; see TableFile)
XLSX_SECONDS = 120  # CPU seconds the sandbox gets to read a workbook of MAX_ROWS rows
_SCAN_OVERLAP = 4096  # longer than any tag the scan looks at, so a tag split between chunks is seen whole
_SHEET_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]{0,4000})>")
_ROW_NUMBER = re.compile(rb'\br="(\d{1,9})"')
_CELL_REF = re.compile(rb'\br="([A-Za-z]{1,4})(\d{1,9})"')
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si\b")


def line_limit(max_rows: int) -> int:
    return max_rows + BLANK_LINE_ALLOWANCE


def _too_long(max_rows: int) -> TableError:
    return TableError(f"The file has more than {max_rows} rows (blank rows count too); split it.")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _tags(archive: zipfile.ZipFile, info: zipfile.ZipInfo, pattern: re.Pattern):
    """Every match of `pattern` in one part, streamed: never more than a chunk in memory. The zip reader
    stops at the size the archive declares, so a part cannot inflate past what was checked."""
    with archive.open(info) as stream:
        tail = b""
        while True:
            chunk = stream.read(1024 * 1024)
            buffer = tail + chunk
            cut = len(buffer) - _SCAN_OVERLAP if chunk else len(buffer)
            for match in pattern.finditer(buffer):
                if match.start() >= cut:
                    break
                yield match
            if not chunk:
                return
            tail = buffer[max(cut, 0):]


def _check_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_rows: int) -> None:
    lines, row, column, cells = line_limit(max_rows), 0, 0, 0
    for match in _tags(archive, info, _SHEET_TAG):
        attributes = match.group(2)
        if match.group(1) == b"row":
            number = _ROW_NUMBER.search(attributes)
            row, column = (int(number.group(1)) if number else row + 1), 0
            if row > lines:
                raise _too_long(max_rows)
            continue
        ref = _CELL_REF.search(attributes)
        column = _column_number(ref.group(1)) if ref else column + 1
        cells += 1
        if column > MAX_COLUMNS:
            raise TableError(f"The sheet has cells in column {_column_letters(column)}; a file may have at most "
                             f"{MAX_COLUMNS} columns. Delete the columns you do not need and save it again.")
        if cells > lines * MAX_COLUMNS:
            raise _too_long(max_rows)


def check_xlsx(source: bytes | str, *, max_rows: int) -> None:
    """Refuse a workbook (its bytes or its path) whose declared sizes, rows, columns or cells are over the
    bounds, before openpyxl (which loads every shared string and pads every row to its last column) sees it."""
    if isinstance(source, bytes):
        head, source = source[:4], io.BytesIO(source)
    else:
        with open(source, "rb") as f:
            head = f.read(4)
    if head != b"PK\x03\x04":
        raise TableError(_UNREADABLE)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError):
        raise TableError(_UNREADABLE) from None
    too_big = TableError("The workbook is too large when unpacked; save it as CSV or split it.")
    with archive:
        parts = archive.infolist()
        if len(parts) > XLSX_MAX_MEMBERS or sum(p.file_size for p in parts) > XLSX_MAX_UNCOMPRESSED:
            raise too_big
        try:
            for part in parts:
                name = part.filename.lower()
                if name == "xl/sharedstrings.xml":
                    if part.file_size > XLSX_MAX_SHARED_STRINGS:
                        raise too_big
                    if sum(1 for _ in _tags(archive, part, _SHARED_STRING)) > line_limit(max_rows) * MAX_COLUMNS:
                        raise too_big
                elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    if part.file_size > XLSX_MAX_SHEET:
                        raise too_big
                    _check_sheet(archive, part, max_rows)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise TableError(_UNREADABLE) from None  # bad CRC, damaged data, encrypted or unknown compression


def xlsx_rows(data: bytes, *, max_rows: int, out: str | None = None) -> dict:
    """Run in the sandbox (core/sandbox.py): the first sheet's rows as [line, values], or an error. With `out`
    (a file path) the rows go there, one JSON array a line, and only their count comes back: the caller then
    streams them instead of holding the whole sheet."""
    from oorg.core.sandbox import encode

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML, KeyError... for damaged files
        return {"error": _UNREADABLE}
    try:
        if not workbook.worksheets:
            return {"rows": 0 if out else []}
        sheet = workbook.worksheets[0]
        # The stored <dimension> is written by whatever tool saved the file and is sometimes
        # wrong; trusting it would silently drop rows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_row=line_limit(max_rows), max_col=MAX_COLUMNS, values_only=True)
        numbered = ([number, [_clean(v) for v in row]] for number, row in enumerate(rows, start=1))
        if out is None:
            return {"rows": list(numbered)}
        count = 0
        with open(out, "w", encoding="utf-8") as f:
            for record in numbered:
                f.write(json.dumps(record, default=encode) + "\n")
                count += 1
        return {"rows": count}
    except Exception:
        return {"error": _UNREADABLE}
    finally:
        workbook.close()  # read-only mode keeps the zip archive open until closed


def _xlsx_rows_file(path, max_rows: int) -> str:
    """Check the workbook, then have the sandbox write its rows to a temporary file; returns that file's path."""
    from oorg.core import sandbox

    check_xlsx(str(path), max_rows=max_rows)
    fd, out = tempfile.mkstemp(prefix="oorg-rows-", suffix=".jsonl")
    os.close(fd)
    try:
        with open(path, "rb") as source:
            result = sandbox.run("oorg.core.tabular:xlsx_rows", source, max_rows=max_rows, out=out,
                                 seconds=XLSX_SECONDS)
    except sandbox.LimitExceeded:
        os.unlink(out)
        raise TableError("The workbook is too large or complex to read; save it as CSV or split it.") from None
    if "error" in result:
        os.unlink(out)
        raise TableError(result["error"])
    return out


def _json_records(path):
    from oorg.core.sandbox import decode_object

    with open(path, encoding="utf-8") as f:
        for text in f:
            number, values = json.loads(text, object_hook=decode_object)
            yield number, values


class TableFile:
    """A spreadsheet on disk, read row by row and as often as needed, never whole: `headers` (normalised),
    `raw_headers` (as written, for an error report the user re-uploads), then `rows()`. A workbook is turned
    into a temporary file of rows once, by the sandbox; `close()` removes it. Whole-file problems raise
    TableError, from the constructor (format, header) or from `rows()` (too long, stray values)."""

    def __init__(self, filename: str, path, *, max_rows: int):
        self.max_rows, self._rows_file = max_rows, None
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension in ("csv", "txt"):
            self._records = lambda: _csv_records(path)
        elif extension == "xlsx":
            self._rows_file = _xlsx_rows_file(path, max_rows)
            self._records = lambda: _json_records(self._rows_file)
        else:
            raise TableError("Upload a .csv or .xlsx file.")
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        if self._rows_file:
            os.unlink(self._rows_file)
            self._rows_file = None

    def _read_header(self) -> None:
        for line, values in self._records():
            if line > line_limit(self.max_rows):
                raise _too_long(self.max_rows)
            if all(v == "" for v in values):
                continue  # blank lines are common at the end of exports; their numbers still count
            names = [normalise_header(v) for v in values]
            while names and not names[-1]:
                names.pop()
            seen = set()
            for name in names:
                if name and name in seen:
                    raise TableError(f'The column "{name}" appears more than once.', line=line)
                seen.add(name)
            self.names, self.header_line = names, line
            self.headers = [n for n in names if n]
            self.raw_headers = [str(values[i]).replace("\ufeff", "").strip() for i, n in enumerate(names) if n]
            return
        raise TableError("The file is empty.")

    def rows(self):
        """(line, {header: value}) for each data row, in file order."""
        names, count = self.names, 0
        for line, values in self._records():
            if line > line_limit(self.max_rows):
                raise _too_long(self.max_rows)
            if line <= self.header_line or all(v == "" for v in values):
                continue
            count += 1
            if count > self.max_rows:
                raise _too_long(self.max_rows)
            if any(v != "" for v in values[len(names):]):
                raise TableError(f"Line {line} has more values than there are column headers.", line=line)
            row = {}
            for index, name in enumerate(names):
                value = values[index] if index < len(values) else ""
                if name:
                    row[name] = value
                elif value != "":
                    raise TableError(f"Line {line} has a value in column {index + 1}, which has no header.",
                                     line=line)
            yield line, row


def read_table(filename: str, data: bytes, *, max_rows: int = MAX_ROWS) -> Table:
    """The whole table in memory: for small files and tests. Imports stream with TableFile."""
    fd, path = tempfile.mkstemp(prefix="oorg-upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        with TableFile(filename, path, max_rows=max_rows) as table:
            return Table(headers=table.headers, rows=list(table.rows()))
    finally:
        os.unlink(path)


def write_csv(stream, headers: list[str], rows) -> None:
    """Stream CSV rows (UTF-8 with BOM, formula-guarded like `write_table`) to a binary stream."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    for record in itertools.chain([headers], rows):
        writer.writerow([_csv_text(_export_value(v)) for v in record])
    text.flush()
    text.detach()


# OWASP CSV injection: a leading = + - @ tab or CR can make Excel/LibreOffice evaluate the cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# "+49 30 1234" starts with "+" but only digits, spaces, brackets and hyphens cannot name a
# function or a cell, so it cannot do harm; quoting it would corrupt phone numbers on re-import.
_PHONE = re.compile(r"^\+[0-9 ()\-]+$")


def _export_value(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; caller localises first
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PHONE.match(value):
        return "'" + value
    return value


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_table(fmt: str, headers: list[str], rows) -> bytes:
    return b"".join(stream_table(fmt, headers, rows))


STREAM_ROWS = 500  # rows per chunk of a streamed CSV
STREAM_BYTES = 64 * 1024


def stream_table(fmt: str, headers: list[str], rows):
    """The table as chunks of bytes, reading `rows` (any iterable) as it goes: memory stays flat whatever
    the number of rows. CSV is produced as it is read; XLSX (a zip) is written by openpyxl's write-only
    mode to a temporary file, then read back in chunks."""
    if fmt == "csv":
        yield from _stream_csv(headers, rows)
    elif fmt == "xlsx":
        yield from _stream_xlsx(headers, rows)
    else:
        raise ValueError(f"Unknown export format {fmt!r}; use 'csv' or 'xlsx'.")


def _stream_csv(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # comma delimiter, \r\n line endings
    writer.writerow([_csv_text(_export_value(v)) for v in headers])
    yield "\ufeff".encode() + buffer.getvalue().encode()  # BOM: Excel then reads accents correctly
    for chunk in batched(rows, STREAM_ROWS):
        buffer.seek(0)
        buffer.truncate()
        for record in chunk:
            writer.writerow([_csv_text(_export_value(v)) for v in record])
        yield buffer.getvalue().encode()


def batched(iterable, size: int):
    """Lists of `size` items from any iterable, read as they are needed."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _stream_xlsx(headers, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Employees")
    header_cells = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=_export_value(name))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for record in rows:
        # Control characters are invalid in XLSX XML and would make openpyxl raise.
        values = [_export_value(v) for v in record]
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(STREAM_BYTES):
            yield chunk
