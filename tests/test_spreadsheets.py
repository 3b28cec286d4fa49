"""registry.spreadsheets: one pipeline for every table, and both domains run through it.

The catalogue import and bulk filing had a pipeline each; where they disagreed, one
behaviour was chosen for both, and each ``TestBothDomains`` test runs the same case through
both domains' readers, templates and error files.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from registry.declarations import bulk, bulk_table
from registry.spreadsheets import (
    Column,
    Columns,
    RowError,
    Sheet,
    TableError,
    UnreadableFile,
    csv_bytes,
    decode_text,
    header_key,
    read_table,
    write_errors,
    write_rejects,
    xlsx_bytes,
)
from registry.spreadsheets.writing import neutralise, unquote
from registry.standards import importing
from registry.standards.importing.service import _RowLoader


def _parse(name: str, value: Any) -> Any:
    if name == "n" and value is not None and not str(value).isdigit():
        raise ValueError(f"“{value}”不是数字")
    return value


COLUMNS = Columns([Column("名称", "name", "必填", "壶", required=True, synonyms=("品名",)),
                   Column("数量", "n", "数字", "3", synonyms=("名称",))], _parse)


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class TestColumns:
    def test_headers_fields_and_synonyms(self) -> None:
        assert header_key(" 名 称（必填）* ") == "名称"
        assert COLUMNS.resolve("名称") == "name"  # a header wins over another's synonym
        assert COLUMNS.resolve("品名") == COLUMNS.resolve("NAME") == "name"
        assert COLUMNS.resolve("备注") is None

    def test_missing_and_repeated_columns(self) -> None:
        errors, unknown = COLUMNS.check_headers(["数量", "n", "备注"])
        assert errors == [RowError(1, "n", "与“数量”列重复（都表示数量）", "duplicate_column"),
                          RowError(1, "名称", "缺少“名称”列", "missing_column")]
        assert unknown == ["备注"]

    def test_map_row(self) -> None:
        row = COLUMNS.map_row(7, {"品名": "壶", "名称": "", "数量": "x", "颜色": "红"},
                              strict=True)
        assert row.values == {"name": "壶", "n": None}
        assert row.labels == {"name": "品名", "n": "数量"}
        assert row.bad == {"n"}
        assert row.errors == [RowError(7, "数量", "“x”不是数字", "invalid_value"),
                              RowError(7, "颜色", "未知字段", "unknown_field")]
        assert row.errors[0].key == "row 7.数量" and row.errors[0].text == "[invalid_value] “x”不是数字"


class TestReading:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "gb18030"])
    def test_encodings(self, encoding: str) -> None:
        text = "名称,数量\n电热水壶,3\n"
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        assert decode_text(data) == text
        table = read_table(data, COLUMNS, filename="a.csv")
        assert table.rows == [(2, {"名称": "电热水壶", "数量": "3"})]

    def test_undecodable_text(self) -> None:
        with pytest.raises(UnreadableFile, match="无法识别文件编码"):
            decode_text(b"\xff" * 10)
        with pytest.raises(TableError) as err:
            read_table(b"a,\xff\n", COLUMNS, filename="a.csv")
        assert err.value.row_errors[0].code == "file_unreadable"

    def test_tabs_blank_rows_short_rows_and_paths(self, tmp_path: Path) -> None:
        path = tmp_path / "a.tsv"
        path.write_text("数量\t名称\t备注\n1\t壶\n\n\t\t\n2\t杯\tx\n", encoding="utf-8")
        table = read_table(path, COLUMNS)
        assert table.kind == "csv" and table.total == 4
        assert table.warnings == ["已忽略未识别的列：备注"]
        assert list(table) == [(2, {"数量": "1", "名称": "壶", "备注": None}),
                               (5, {"数量": "2", "名称": "杯", "备注": "x"})]
        assert list(table) == table.rows  # a path is read again on each iteration

    def test_json_rows(self) -> None:
        data = json.dumps({"total": 1, "rows": [{"名称": "壶"}, ["x"]]}).encode()
        table = read_table(data, COLUMNS, filename="a.json")
        assert (table.kind, table.headers, table.rows) == ("json", [], [(1, {"名称": "壶"}),
                                                                         (2, ["x"])])
        with pytest.raises(TableError, match="JSON"):
            read_table(b"[" * 100_000, COLUMNS, filename="deep.json")

    def test_kinds_a_reader_accepts(self) -> None:
        with pytest.raises(TableError, match="请使用 CSV 或 XLSX 文件") as err:
            read_table(b"{}", COLUMNS, filename="a.json", kinds=("csv", "xlsx"))
        assert err.value.row_errors[0].code == "file_type"
        with pytest.raises(TableError, match="旧版 .xls"):
            read_table(b"\xd0\xcf\x11\xe0" + bytes(60), COLUMNS, filename="a.csv")


class TestWriting:
    @pytest.mark.parametrize("text", ["=1+2", "+86 571", "-5", "@SUM(A1)", "\tx", "\rx", "'=x",
                                      "''=x", "'abc", "'", "", "abc", "a=b"])
    def test_neutralised_and_read_back_exactly(self, text: str) -> None:
        assert unquote(neutralise(text)) == text
        written = neutralise(text)
        assert written[:1] not in ("=", "+", "-", "@", "\t", "\r")
        data = csv_bytes(["名称", "数量"], [[text or None, 3]])
        assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
        if text.strip():
            assert read_table(data, COLUMNS, filename="a.csv").rows[0][1]["名称"] == text

    def test_xlsx_cells_are_text_never_formulas(self) -> None:
        data = xlsx_bytes([Sheet("表", ["名称", "数量"], [["=HYPERLINK(\"x\")", 3], ["#N/A", None],
                                                           ["bell\x07", -1]])])
        ws = load_workbook(io.BytesIO(data))["表"]
        assert [c.value for c in ws[2]] == ['=HYPERLINK("x")', 3]
        assert ws["A2"].data_type == ws["A3"].data_type == "s"
        assert ws["A4"].value == "bell" and ws["A1"].font.b and ws.freeze_panes == "A2"


class TestRejects:
    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_failed_rows_with_their_errors(self, tmp_path: Path, suffix: str) -> None:
        table = read_table("名称,数量\n壶,1\n杯,x\n=cmd,y\n".encode(), COLUMNS, filename="a.csv")
        errors = [RowError(3, "数量", "“x”不是数字", "invalid_value"),
                  RowError(4, "数量", "“y”不是数字", "invalid_value"),
                  RowError(4, "", "整行有误", "invalid_row")]
        path = tmp_path / f"rejects{suffix}"
        assert write_rejects(path, table.headers, table, errors) == 2
        lines = _lines(path)
        assert lines == [["原行号", "名称", "数量", "错误"],
                         ["3", "杯", "x", "数量：[invalid_value] “x”不是数字"],
                         ["4", "=cmd", "y", "[invalid_row] 整行有误；数量：[invalid_value] “y”不是数字"]]
        assert write_errors(tmp_path / f"e{suffix}", errors) == 3
        assert _lines(tmp_path / f"e{suffix}")[:2] == [
            ["行", "列", "代码", "错误"], ["3", "数量", "invalid_value", "“x”不是数字"]]


def _lines(path: Path) -> list[list[str]]:
    """A CSV or XLSX file's cells as text, as a person (or our reader) sees them."""
    if path.suffix == ".xlsx":
        ws = load_workbook(path).worksheets[0]
        return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [[unquote(c) for c in r] for r in csv.reader(fh)]


# -- both domains through the same case -----------------------------------------------------

Reader = Callable[[Path], Any]
DOMAINS: dict[str, tuple[Reader, type[TableError], dict[str, str]]] = {
    "catalogue": (importing.read_file, importing.ImportFileError,
                  {"标准号": "GB/T 19001-2016", "中文名称": "质量管理体系 要求"}),
    "bulk": (bulk_table.read_table, bulk_table.BulkFileError,
             {"产品名称": "吸油烟机", "执行标准": "GB/T 17713-2022"}),
}
BOTH = pytest.mark.parametrize("domain", sorted(DOMAINS))


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


class TestBothDomains:
    @BOTH
    def test_an_xlsx_is_read_whatever_its_name(self, domain: str, tmp_path: Path) -> None:
        """Was: bulk filing looked at the content, the catalogue import at the name only."""
        read, _, row = DOMAINS[domain]
        table = read(_file(tmp_path, "清单.csv", xlsx([list(row), list(row.values())])))
        assert table.kind == "xlsx" and list(table) == [(2, row)]

    @BOTH
    def test_json_rows_from_a_file(self, domain: str, tmp_path: Path) -> None:
        """Was: only the catalogue import read .json files (bulk filing only a JSON body)."""
        read, _, row = DOMAINS[domain]
        table = read(_file(tmp_path, "rows.json", json.dumps({"rows": [row]}).encode()))
        assert table.kind == "json" and list(table) == [(1, row)]

    @BOTH
    def test_a_file_in_no_known_encoding_says_so_in_chinese(self, domain: str,
                                                            tmp_path: Path) -> None:
        """Was: the catalogue import answered with Python's English decoder message."""
        read, error, row = DOMAINS[domain]
        data = ",".join(row).encode() + b"\n\xff\xfe\xff,x\n"
        with pytest.raises(error) as err:
            list(read(_file(tmp_path, "a.csv", data)))
        assert err.value.row_errors[0].message.startswith("无法读取文件：无法识别文件编码")
        assert err.value.row_errors[0].code == "file_unreadable"

    @BOTH
    def test_file_errors_carry_codes(self, domain: str, tmp_path: Path) -> None:
        """Was: the catalogue's RowError had no code; its error list no 代码 column."""
        read, error, row = DOMAINS[domain]
        first = next(iter(row))
        with pytest.raises(error) as err:
            read(_file(tmp_path, "a.csv", "备注\nx\n".encode()))
        assert err.value.row_errors[0] == RowError(1, first, f"缺少“{first}”列", "missing_column")
        write_errors(tmp_path / "e.csv", err.value.row_errors)
        assert _lines(tmp_path / "e.csv")[:2] == [["行", "列", "代码", "错误"],
                                                  ["1", first, "missing_column", f"缺少“{first}”列"]]

    @BOTH
    def test_a_formula_cell_round_trips_through_the_template(self, domain: str,
                                                             tmp_path: Path) -> None:
        """Was: only the status-check export neutralised formulas; the templates wrote
        ``=…`` into CSV as is and into XLSX as a formula."""
        read, _, row = DOMAINS[domain]
        columns = importing.COLUMNS if domain == "catalogue" else bulk_table.COLUMNS
        cells = [row.get(h) for h in columns.headers]
        title = columns.headers[1] if domain == "catalogue" else "型号"
        cells[columns.headers.index(title)] = "=1+2"
        for fmt in ("csv", "xlsx"):
            path = tmp_path / f"t.{fmt}"
            _template(domain, path, fmt, [cells])
            ((_, got),) = list(read(path))
            assert got[title] == "=1+2", fmt
        assert load_workbook(tmp_path / "t.xlsx").worksheets[0]["B2"].data_type == "s"

    @BOTH
    def test_notes_sheet_and_example_row(self, domain: str, tmp_path: Path) -> None:
        """Was: the catalogue's notes had no examples and its template no example row."""
        read, _, _ = DOMAINS[domain]
        columns = importing.COLUMNS if domain == "catalogue" else bulk_table.COLUMNS
        path = tmp_path / "t.xlsx"
        _template(domain, path, "xlsx", [], example=True)
        wb = load_workbook(path)
        notes = list(wb["填写说明"].iter_rows(values_only=True))
        assert notes[0] == ("列名", "必填", "填写说明", "示例")
        assert [r[0] for r in notes[1:len(columns.headers) + 1]] == list(columns.headers)
        assert all(r[3] for r in notes[1:3])  # the first columns all have an example
        ((number, example),) = list(read(path))
        assert number == 2 and example[columns.headers[0]] == columns.template[0].example

    @BOTH
    def test_a_list_item_is_named_by_its_text(self, domain: str, db: Any) -> None:
        """Was: bulk filing named a bad list item 第 n 项, the catalogue by its text."""
        bad = "X" * 130
        if domain == "catalogue":
            raw = {"标准号": "GB/T 19001-2016", "中文名称": "质量", "ICS": f"3.1 {bad}"}
            _, _, errors = _RowLoader().load(raw, 2)
        else:
            errors = bulk.RowLoader().load(2, {"产品名称": "壶", "执行标准": bad}).errors
        assert errors and all(e.message.startswith("“") for e in errors), errors


def _template(domain: str, path: Path, fmt: str, rows: list[list[Any]],
              example: bool = False) -> None:
    from registry.spreadsheets.templates import write_template

    columns = importing.COLUMNS if domain == "catalogue" else bulk_table.COLUMNS
    write_template(path, columns, fmt, title="表", rows=rows, example=example)
