"""Hostile workbooks are refused from their declared sizes and a streamed count, before openpyxl runs."""
from __future__ import annotations

import io
import resource
import time
import zipfile

import pytest
from openpyxl import Workbook

from oorg.core.tabular import TableError, read_table


def workbook_with(part: str, content: bytes) -> bytes:
    """A real two-row workbook whose `part` is replaced by `content` (deflated, like Excel writes it)."""
    workbook = Workbook()
    workbook.active.append(["employee_code", "full_name"])
    workbook.active.append(["E1", "Ada"])
    workbook.active["B3"] = "shared"
    buffer = io.BytesIO()
    workbook.save(buffer)
    source, result = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        names = [i.filename for i in source.infolist()]
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == part else source.read(item),
                            compress_type=zipfile.ZIP_DEFLATED)
        if part not in names:
            target.writestr(part, content, compress_type=zipfile.ZIP_DEFLATED)
    return result.getvalue()


def sheet(rows: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>")


def shared_strings(count: int) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" count="1" uniqueCount="1">' + b"<si><t/></si>" * count + b"</sst>")


def refused_quickly(data: bytes, **limits) -> str:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(TableError) as err:
        read_table("hostile.xlsx", data, **limits)
    # Generous bounds: today these files take a minute and a gigabyte.
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB
    return err.value.message


def test_13_million_shared_strings_in_a_small_file_are_refused():
    data = workbook_with("xl/sharedStrings.xml", shared_strings(13_000_000))
    assert len(data) < 1_000_000  # a few hundred KB on the wire, 170 MB unpacked

    assert refused_quickly(data) == "The workbook is too large when unpacked; save it as CSV or split it."


def test_shared_strings_within_the_size_cap_but_more_than_cells_can_use_are_refused():
    data = workbook_with("xl/sharedStrings.xml", shared_strings(600_000))  # 7 MB unpacked, < 16 MB

    # 5,000 rows of 100 columns use at most ~510,000 strings (at 100,000 rows the 16 MB cap comes first).
    assert refused_quickly(data, max_rows=5000) == "The workbook is too large when unpacked; save it as CSV or split it."


def test_300000_blank_rows_with_one_cell_in_column_xfd_are_refused():
    rows = b"".join(b'<row r="%d"><c r="XFD%d" s="1"/></row>' % (n, n) for n in range(1, 300_001))
    data = workbook_with("xl/worksheets/sheet1.xml", sheet(rows))
    assert len(data) < 2_000_000

    message = refused_quickly(data)
    assert message.startswith("The sheet has cells in column XFD; a file may have at most 100 columns.")


def test_blank_rows_count_toward_the_row_limit():
    rows = b'<row r="1"><c r="A1" t="inlineStr"><is><t>employee_code</t></is></c></row>' + b"".join(
        b'<row r="%d"/>' % n for n in range(2, 300_001))
    data = workbook_with("xl/worksheets/sheet1.xml", sheet(rows))

    assert refused_quickly(data) == "The file has more than 100000 rows (blank rows count too); split it."


def test_a_declared_size_too_big_for_the_archive_is_refused():
    # One part that unpacks past the whole-archive cap (257 MB of zeros deflate to ~260 KB).
    data = io.BytesIO(workbook_with("docProps/custom-note.txt", b"x"))
    with zipfile.ZipFile(data, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/padding.bin", "w") as f:
        zeros = b"\0" * (1024 * 1024)
        for _ in range(257):
            f.write(zeros)
    data = data.getvalue()
    assert len(data) < 1_000_000

    assert refused_quickly(data) == "The workbook is too large when unpacked; save it as CSV or split it."


def test_csv_blank_lines_count_toward_the_row_limit():
    data = b"employee_code,full_name\n" + b"\n" * 300_000 + b"E1,Ada\n"

    with pytest.raises(TableError) as err:
        read_table("people.csv", data)
    assert err.value.message == "The file has more than 100000 rows (blank rows count too); split it."


def test_an_ordinary_workbook_still_reads():
    data = workbook_with("docProps/custom-note.txt", b"harmless")

    table = read_table("people.xlsx", data)
    assert table.headers == ["employee_code", "full_name"]
    assert [row for _, row in table.rows] == [{"employee_code": "E1", "full_name": "Ada"},
                                             {"employee_code": "", "full_name": "shared"}]
