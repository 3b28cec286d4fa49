"""Bulk import of catalogue records: the CSV/XLSX template and the national platform's JSON.

``read_file`` turns a file into ``(row_number, {header: value})`` pairs; ``import_standards``
maps headers to ``StandardInSchema`` fields, cleans and validates every row, and upserts by
canonical number inside one savepoint, so a file with any bad row writes nothing.
``write_template`` writes records back in the template format (CSV or XLSX).

Modules: ``mapping`` (columns, header names, cell cleaning), ``readers`` (CSV/XLSX/JSON files),
``service`` (validation and the import), ``template`` (writing the template, the error CSV).
"""

from registry.standards.importing.mapping import (
    FIELD_LABELS,
    TEMPLATE_COLUMNS,
    clean_text,
    convert,
    parse_date,
    resolve_header,
)
from registry.standards.importing.readers import ImportFileError, RowError, RowSource, read_file
from registry.standards.importing.service import BATCH_SIZE, ImportReport, import_standards
from registry.standards.importing.service import _RowLoader as _RowLoader
from registry.standards.importing.template import template_row, write_errors_csv, write_template

__all__ = [
    "BATCH_SIZE",
    "FIELD_LABELS",
    "TEMPLATE_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "RowSource",
    "clean_text",
    "convert",
    "import_standards",
    "parse_date",
    "read_file",
    "resolve_header",
    "template_row",
    "write_errors_csv",
    "write_template",
]
