"""The spreadsheet reader and writer moved to `oorg.core.tabular`, where the import pattern of every area
uses it; these names stay importable from here."""
from oorg.core.tabular import (  # noqa: F401
    MAX_ROWS,
    Table,
    TableError,
    TableFile,
    check_xlsx,
    read_table,
    stream_table,
    write_csv,
    write_table,
    xlsx_rows,
)
