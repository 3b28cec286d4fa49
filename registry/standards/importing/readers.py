"""Reading import files: CSV/TSV (UTF-8, UTF-16 or GB18030), XLSX and the national JSON,
through ``registry.spreadsheets`` with the catalogue's columns."""

from __future__ import annotations

from pathlib import Path

from registry.spreadsheets import Table, TableError, read_table
from registry.standards.importing.mapping import COLUMNS


class ImportFileError(TableError):
    """The file as a whole cannot be read (format, encoding, missing columns)."""


def read_file(path: str | Path) -> Table:
    """Open a .csv/.txt/.tsv, .xlsx or .json import file; ImportFileError when unreadable.

    The header row is checked up front; iterating the table (re-)reads the file for
    ``(row_number, {header: value})`` pairs, and raises ImportFileError if damage shows then.
    """
    return read_table(Path(path), COLUMNS, error=ImportFileError)
