"""Bulk import of catalogue records: the CSV/XLSX template and the national platform's JSON.

The catalogue keeps only its table and its row loader; reading, row errors, templates and
error files are ``registry.spreadsheets``'. ``read_file`` opens a file as ``(row_number,
{header: value})`` pairs; ``import_standards`` maps headers to ``StandardInSchema`` fields,
cleans and validates every row, and upserts by canonical number inside one savepoint, so a
file with any bad row writes nothing. ``write_template`` writes records back in the
template format (CSV or XLSX).

Modules: ``mapping`` (the columns and cell parsers), ``readers`` (opening a file),
``service`` (the row loader and the import), ``template`` (records as template rows).
"""

from registry.standards.importing.mapping import COLUMNS, clean_text, convert, parse_date
from registry.standards.importing.readers import ImportFileError, read_file
from registry.standards.importing.service import ImportReport, import_standards
from registry.standards.importing.service import _RowLoader as _RowLoader
from registry.standards.importing.template import write_template

__all__ = [
    "COLUMNS",
    "ImportFileError",
    "ImportReport",
    "clean_text",
    "convert",
    "import_standards",
    "parse_date",
    "read_file",
    "write_template",
]
