"""Spreadsheet reading and writing for employee import/export (pure, no database)."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from oorg.core.tabular import Table, TableError, read_table, write_table


def test_comma_csv_normalises_headers_and_strips_values():
    table = read_table("people.csv", b"First Name,Last-Name , EMAIL\n Ada , Lovelace,ada@example.com\n")
    assert table == Table(
        headers=["first_name", "last_name", "email"],
        rows=[(2, {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"})],
    )


def test_semicolon_csv_with_bom_and_missing_trailing_cells():
    data = "\ufeffVorname;Nachname;Ort\r\nJürgen;Groß\r\n".encode("utf-8")
    table = read_table("leute.CSV", data)
    assert table.headers == ["vorname", "nachname", "ort"]  # BOM not glued to the first header
    assert table.rows == [(2, {"vorname": "Jürgen", "nachname": "Groß", "ort": ""})]


def test_tab_separated_txt():
    table = read_table("export.txt", b"name\tnote\nAda\ta, b; c\n")
    assert table.rows == [(2, {"name": "Ada", "note": "a, b; c"})]


def test_delimiter_inside_quoted_header_does_not_count():
    table = read_table("x.csv", b'"a;b;c",d\n1,2\n')
    assert table.headers == ["a;b;c", "d"]


def test_quoted_newline_keeps_line_numbers_of_record_starts():
    data = b'name,note\nAda,"first line\nsecond line\nthird"\nGrace,plain\n"Linus",x\n'
    table = read_table("x.csv", data)
    assert [(line, row["name"]) for line, row in table.rows] == [(2, "Ada"), (5, "Grace"), (6, "Linus")]
    assert table.rows[0][1]["note"] == "first line\nsecond line\nthird"


def test_cp1252_fallback():
    data = "name;city\nMüller;Köln – Süd\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table("excel.csv", data)
    assert table.rows == [(2, {"name": "Müller", "city": "Köln – Süd"})]


def test_blank_rows_skipped_but_counted():
    data = b"\nname,email\n\nAda,a@x.test\n , \n\nGrace,g@x.test\n\n"
    table = read_table("x.csv", data)
    assert table.headers == ["name", "email"]
    assert [line for line, _ in table.rows] == [4, 7]


def test_extra_empty_cells_ignored_but_non_empty_rejected():
    assert read_table("x.csv", b"a,b\n1,2,,\n").rows == [(2, {"a": "1", "b": "2"})]
    with pytest.raises(TableError) as err:
        read_table("x.csv", b"a,b\n1,2\n1,2,3\n")
    assert err.value.line == 3
    assert err.value.message == "Line 3 has more values than there are column headers."


def test_value_under_empty_header_rejected():
    assert read_table("x.csv", b"a,,b\n1,,2\n").headers == ["a", "b"]
    with pytest.raises(TableError) as err:
        read_table("x.csv", b"a,,b\n1,x,2\n")
    assert err.value.line == 2


def test_duplicate_header_rejected():
    with pytest.raises(TableError) as err:
        read_table("x.csv", b"Email,name,E-Mail,e mail\n")
    assert '"e_mail"' in err.value.message


@pytest.mark.parametrize("data", [b"", b"\n\n ,\n", "\ufeff".encode("utf-8")])
def test_empty_file_rejected(data):
    with pytest.raises(TableError) as err:
        read_table("x.csv", data)
    assert err.value.message == "The file is empty."


def test_header_only_gives_no_rows():
    assert read_table("x.csv", b"name\n") == Table(headers=["name"], rows=[])


def test_too_many_rows_rejected():
    data = b"name\n" + b"x\n" * 3
    assert len(read_table("x.csv", data, max_rows=3).rows) == 3
    with pytest.raises(TableError) as err:
        read_table("x.csv", data + b"y\n", max_rows=3)
    assert err.value.message == "The file has more than 3 rows (blank rows count too); split it."


@pytest.mark.parametrize("filename", ["people.xls", "people.ods", "people", "csv"])
def test_unknown_extension_rejected(filename):
    with pytest.raises(TableError) as err:
        read_table(filename, b"a,b\n")
    assert err.value.message == "Upload a .csv or .xlsx file."


@pytest.mark.parametrize("data", [b"name,email\nAda,a@x.test\n", b"PK\x03\x04 not really a zip"])
def test_unreadable_xlsx_rejected(data):
    with pytest.raises(TableError) as err:
        read_table("people.xlsx", data)
    assert err.value.message == "The file is not a readable .xlsx workbook."


def test_xlsx_round_trip_keeps_types():
    data = write_table(
        "xlsx",
        ["First Name", "Start date", "Hours", "Note"],
        [["Ada", dt.date(2024, 3, 1), 38.5, None], ["Grace", dt.datetime(2024, 4, 2, 9, 30), 40, "x"]],
    )
    assert data.startswith(b"PK\x03\x04")
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Employees"]
    table = read_table("export.xlsx", data)
    assert table.headers == ["first_name", "start_date", "hours", "note"]
    (line1, ada), (line2, grace) = table.rows
    assert (line1, line2) == (2, 3)
    assert isinstance(ada["start_date"], dt.date) and ada["start_date"].date() == dt.date(2024, 3, 1)
    assert grace["start_date"] == dt.datetime(2024, 4, 2, 9, 30)
    assert (ada["hours"], grace["hours"], ada["note"]) == (38.5, 40, "")


def test_xlsx_blank_rows_and_wrong_dimension():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A2"], sheet["B2"] = "Name", "Email"
    sheet["A3"], sheet["B3"] = "  Ada ", "a@x.test"
    sheet["A6"] = "Grace"
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Some tools write a wrong <dimension>; rows beyond it must not be dropped.
    source, rewritten = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A2:B6"' in content
                content = content.replace(b'<dimension ref="A2:B6"', b'<dimension ref="A1:A3"')
            target.writestr(item, content)
    table = read_table("x.xlsx", rewritten.getvalue())
    assert table.rows == [(3, {"name": "Ada", "email": "a@x.test"}), (6, {"name": "Grace", "email": ""})]


def test_csv_export_bom_dates_and_crlf():
    data = write_table("csv", ["name", "born", "note"], [["Zoë", dt.date(1990, 1, 31), None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "name,born,note\r\nZoë,1990-01-31,\r\n"


def test_formula_injection_guard_csv():
    hostile = ["=HYPERLINK(\"http://x\")", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    data = write_table("csv", ["v"], [[v] for v in hostile] + [["+49 30 1234-56"], ["+1 (555) 010"], [-5]])
    table = read_table("out.csv", data)
    values = [row["v"] for _, row in table.rows]
    assert values[:4] == ["'" + v for v in hostile[:4]]
    assert values[4:6] == ["'\tx", "'\rx"]  # quoted by csv, so the leading whitespace survives
    assert values[6:] == ["+49 30 1234-56", "+1 (555) 010", "-5"]  # phones and numbers untouched


def test_formula_injection_guard_xlsx():
    data = write_table("xlsx", ["v"], [["=1+1"], ["@cmd"], ["+49 (0)30 1234"], ["ok"], [-5]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"]] == ["v", "'=1+1", "'@cmd", "+49 (0)30 1234", "ok", -5]
    assert all(c.data_type != "f" for c in sheet["A"])


def test_unknown_export_format():
    with pytest.raises(ValueError):
        write_table("ods", ["a"], [])
