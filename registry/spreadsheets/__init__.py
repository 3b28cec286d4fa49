"""Spreadsheets, one pipeline for every domain that reads or writes tables (the catalogue
import, bulk filing, the bulk status check; reports and rankings to come).

A domain describes its table once, as ``Columns`` (headers, synonyms, notes, examples, one
``parse(field, cell)``), and keeps only that and its row loader; the rest is here:

- ``decoding``  hostile-file-safe decoding: text encodings (UTF-8 ± BOM, UTF-16 with BOM,
  GB18030), XLSX sheets (zip bombs, damage); ``UnreadableFile``, never a raw decoder error
- ``columns``   ``Column``/``Columns`` (header synonyms → fields, ``header_key``), ``RowError``
  (row, column, Chinese message, code), ``map_row``, marshmallow errors as Chinese lines
- ``reading``   ``read_table``: CSV/TSV, XLSX, JSON rows from bytes or a path → ``Table``
  (numbered rows, header checks, warnings) or ``TableError``
- ``writing``   CSV (UTF-8 BOM, formulas neutralised) and XLSX (write-only ``Sheet``s)
- ``templates`` a template from ``Columns``: header, example row, a 填写说明 notes sheet
- ``rejects``   the error list and the reject file (failed rows with an error column)
- ``console``   what a file command prints and writes about a file's problems
"""

from registry.spreadsheets.columns import Column, Columns, RowError, header_key
from registry.spreadsheets.decoding import (
    UnreadableFile,
    decode_text,
    text_encoding,
    xlsx_rows,
    xlsx_stored_rows,
)
from registry.spreadsheets.reading import Table, TableError, read_or_errors, read_table
from registry.spreadsheets.rejects import write_errors, write_rejects
from registry.spreadsheets.templates import write_template
from registry.spreadsheets.writing import Sheet, csv_bytes, write_csv, write_xlsx, xlsx_bytes

__all__ = [
    "Column",
    "Columns",
    "RowError",
    "Sheet",
    "Table",
    "TableError",
    "UnreadableFile",
    "csv_bytes",
    "decode_text",
    "header_key",
    "read_or_errors",
    "read_table",
    "text_encoding",
    "write_csv",
    "write_errors",
    "write_rejects",
    "write_template",
    "write_xlsx",
    "xlsx_bytes",
    "xlsx_rows",
    "xlsx_stored_rows",
]
