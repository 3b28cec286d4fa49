"""``registry import`` and the import service: CSV, XLSX, the national JSON export."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from registry.search.models import ChangeFeed
from registry.spreadsheets import RowError
from registry.standards import services
from registry.standards.importing import (
    COLUMNS,
    ImportFileError,
    ImportReport,
    _RowLoader,
    clean_text,
    convert,
    import_standards,
    parse_date,
    read_file,
    write_template,
)
from registry.standards.models import Standard, as_plain

D = dt.date
FIXTURES = Path(__file__).parent / "fixtures"
HEADERS = list(COLUMNS.headers)

ROW_2016 = {
    "标准号": "GB/T 19001-2016",
    "中文名称": "质量管理体系 要求",
    "英文名称": "Quality management systems—Requirements",
    "标准性质": "推荐性",
    "状态": "现行",
    "发布日期": "2016-12-30",
    "实施日期": "2017/07/01",
    "ICS": "03.120.10",
    "CCS": "A00",
    "发布单位": "国家质量监督检验检疫总局；国家标准化管理委员会",
    "主管部门": "国家标准化管理委员会",
    "归口单位": "全国质量管理和质量保证标准化技术委员会（TC 151）",
    "起草单位": "中国标准化研究院；中国合格评定国家认可中心",
    "起草人": "张三、李四",
    "代替标准": "GB/T 19001-2008",
    "采用国际标准": "ISO 9001:2015 IDT",
    "适用范围": "本标准为下列组织规定了质量管理体系要求。",
    "全文链接": "https://openstd.samr.gov.cn/bzgk/gb/",
}
ROW_2008 = {
    "标准号": "GB/T 19001-2008",
    "中文名称": "质量管理体系 要求",
    "标准性质": "推荐性",
    "发布日期": "20081029",
    "实施日期": "2009-03-01",
    "ICS": "03.120.10",
    "CCS": "A00",
}


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8",
              headers: list[str] | None = None) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers or HEADERS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(path: Path, dry_run: bool = False) -> ImportReport:
    return import_standards(read_file(path), source=f"import:{path.name}", dry_run=dry_run)


def count(model: Any) -> int:
    from registry.extensions import db

    return db.session.scalar(select(func.count()).select_from(model)) or 0


def get(number: str) -> Standard:
    return services.get_standard(number)


class TestImportCsv:
    def test_imports_every_column(self, db: Any, tmp_path: Path) -> None:
        report = run_import(write_csv(tmp_path / "a.csv", [ROW_2016]))
        assert report.ok, report.errors
        assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
        std = get("GB/T 19001-2016")
        assert std.title_en == "Quality management systems—Requirements"
        assert std.nature == "recommended"
        assert (std.issued_on, std.effective_on) == (D(2016, 12, 30), D(2017, 7, 1))
        assert std.ics == ["03.120.10"] and std.ccs == "A00"
        assert std.drafting_orgs == ["中国标准化研究院", "中国合格评定国家认可中心"]
        assert std.drafters == ["张三", "李四"]
        assert std.technical_committee == "全国质量管理和质量保证标准化技术委员会（TC 151）"
        assert std.replaces_numbers == ["GB/T 19001-2008"]
        assert [(a.number, a.degree) for a in std.adoptions] == [("ISO 9001:2015", "IDT")]
        assert std.full_text_url == "https://openstd.samr.gov.cn/bzgk/gb/"
        assert std.source == "import:a.csv"
        assert std.status == "current"

    def test_english_headers_are_accepted(self, db: Any, tmp_path: Path) -> None:
        rows = [{"number": "JB/T 13368-2018", "title_zh": "叉车属具 软包夹",
                 "nature": "recommended", "effective_on": "2018-12-01", "ics": "53.060"}]
        path = write_csv(tmp_path / "en.csv", rows, headers=list(rows[0]))
        assert run_import(path).created == 1
        assert get("JB/T 13368-2018").ics == ["53.060"]

    def test_variant_numbers_are_stored_canonical(self, db: Any, tmp_path: Path) -> None:
        rows = [{**ROW_2008, "标准号": "ＧＢ／Ｔ　１９００１—２００８"},
                {"标准号": "gbt19001-2016", "中文名称": "质量管理体系 要求",
                 "代替标准": "GB/T19001—2008"},
                {"标准号": "JB/T13368-2018", "中文名称": "叉车属具 软包夹"}]
        report = run_import(write_csv(tmp_path / "v.csv", rows))
        assert report.ok, report.errors
        numbers = set(select_numbers())
        assert numbers == {"GB/T 19001-2008", "GB/T 19001-2016", "JB/T 13368-2018"}
        assert get("GB/T 19001-2016").replaces_numbers == ["GB/T 19001-2008"]

    def test_gb18030_file(self, db: Any, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "gbk.csv", [ROW_2016], encoding="gb18030")
        report = run_import(path)
        assert report.ok, report.errors
        assert get("GB/T 19001-2016").title_zh == "质量管理体系 要求"

    def test_utf8_bom_file(self, db: Any, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "bom.csv", [ROW_2016], encoding="utf-8-sig")
        assert read_file(path).headers[0] == "标准号"
        assert run_import(path).created == 1

    def test_short_record_clears_missing_cells(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "a.csv", [ROW_2016]))
        path = tmp_path / "short.csv"
        path.write_text("标准号,中文名称,英文名称\nGB/T 19001-2016,质量管理体系 要求\n",
                        encoding="utf-8")
        report = run_import(path)
        assert (report.updated, report.errors) == (1, [])
        std = get("GB/T 19001-2016")
        assert std.title_en is None and std.ccs == "A00"  # absent column left alone

    def test_unknown_columns_are_ignored_with_a_warning(self, db: Any, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "x.csv", [{**ROW_2008, "序号": "1"}],
                         headers=[*HEADERS, "序号"])
        source = read_file(path)
        assert source.warnings == ["已忽略未识别的列：序号"]
        assert import_standards(source, source="t").created == 1

    def test_missing_number_column_is_a_file_error(self, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "n.csv", [{"中文名称": "x"}], headers=["中文名称"])
        with pytest.raises(ImportFileError) as exc:
            read_file(path)
        assert exc.value.row_errors == [RowError(1, "标准号", "缺少“标准号”列", "missing_column")]

    def test_unsupported_extension(self, tmp_path: Path) -> None:
        path = tmp_path / "a.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0")
        with pytest.raises(ImportFileError, match=".xlsx"):
            read_file(path)


def select_numbers() -> list[str]:
    from registry.extensions import db

    return list(db.session.scalars(select(Standard.number)))


class TestImportXlsx:
    def test_reads_excel_dates_and_text(self, db: Any, tmp_path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(HEADERS)
        values = {**ROW_2016, "发布日期": dt.datetime(2016, 12, 30), "实施日期": D(2017, 7, 1),
                  "废止日期": None}
        ws.append([values.get(h) for h in HEADERS])
        ws.append([None] * len(HEADERS))  # a blank row is skipped
        ws.append([ROW_2008.get(h) for h in HEADERS])
        path = tmp_path / "a.xlsx"
        wb.save(path)

        report = run_import(path)
        assert report.ok, report.errors
        assert report.created == 2
        std = get("GB/T 19001-2016")
        assert (std.issued_on, std.effective_on) == (D(2016, 12, 30), D(2017, 7, 1))
        assert get("GB/T 19001-2008").withdrawn_on == D(2017, 7, 1)

    def test_row_numbers_are_sheet_rows(self, db: Any, tmp_path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(["标准号", "中文名称", "实施日期"])
        ws.append(["GB/T 19001-2016", "质量管理体系 要求", "2017-07-01"])
        ws.append([None, None, None])
        ws.append(["GB/T 19001-2008", "质量管理体系 要求", "2009-02-30"])
        path = tmp_path / "bad.xlsx"
        wb.save(path)
        report = run_import(path)
        assert report.errors == [RowError(4, "实施日期", "日期“2009-02-30”不存在", "invalid_value")]

    def test_wrong_sheet_dimension(self, db: Any, tmp_path: Path) -> None:
        """Files from other tools often declare a bogus used range; read the cells anyway."""
        import re
        import zipfile

        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(["标准号", "中文名称", "CCS"])
        wb.active.append(["GB/T 19001-2016", "质量管理体系 要求", "A00"])
        good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
        wb.save(good)
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', data)
                dst.writestr(item, data)
        report = run_import(bad)
        assert report.ok, report.errors
        assert get("GB/T 19001-2016").ccs == "A00"

    def test_template_round_trip(self, db: Any, tmp_path: Path) -> None:
        from registry.demo.generator import generate_standards

        records = list(generate_standards(60, seed=3))
        path = tmp_path / "t.xlsx"
        assert write_template(path, records) == 60
        report = run_import(path)
        assert report.ok, report.errors
        assert report.created == 60
        for rec in records:
            plain = as_plain(get(rec["number"]))
            for name in ("title_zh", "title_en", "issued_on", "effective_on", "ics", "ccs",
                         "issuing_body", "drafters", "filing_no", "notice_no", "scope"):
                assert plain[name] == rec[name], (rec["number"], name)
            assert [a[:2] for a in plain["adoptions"]] == [
                (a["number"], a["degree"]) for a in rec["adoptions"]]


class TestImportNationalJson:
    def test_platform_export(self, db: Any) -> None:
        report = run_import(FIXTURES / "national_export.json")
        assert report.ok, report.errors
        assert report.created == 4
        std = get("GB/T 19001-2016")
        assert std.number == "GB/T 19001-2016"  # <sacinfo> markup stripped
        assert std.title_zh == "质量管理体系 要求"
        assert std.title_en == "Quality management systems—Requirements"  # &mdash;
        # epoch milliseconds, in China time
        assert (std.issued_on, std.effective_on) == (D(2016, 12, 30), D(2017, 7, 1))
        assert std.responsible_dept == "国家标准化管理委员会"
        assert std.notice_no == "2016年第23号"
        assert std.replaces_numbers == ["GB/T 19001-2008"]
        jb = get("JB/T 13368-2018")
        assert (jb.level, jb.org, jb.filing_no) == ("industry", "JB", "63286-2018")
        gb = get("GB 4706.1-2005")
        assert (gb.nature, gb.issued_on) == ("mandatory", D(2005, 8, 26))
        assert gb.replaces_numbers == ["GB 4706.1-1998"]

    def test_no_markup_reaches_stored_text(self, db: Any) -> None:
        run_import(FIXTURES / "national_export.json")
        for std in db.session.scalars(select(Standard)):
            for value in as_plain(std).values():
                assert "sacinfo" not in str(value)

    def test_state_and_chain(self, db: Any) -> None:
        run_import(FIXTURES / "national_export.json")
        old = get("GB/T 19001-2008")
        assert old.status == "replaced"
        assert (old.withdrawn_on, old.withdrawn_on_estimated) == (D(2017, 7, 1), False)

    def test_plain_list_of_rows(self, db: Any, tmp_path: Path) -> None:
        path = tmp_path / "rows.json"
        path.write_text(json.dumps([
            {"number": "GB/T 19001-2016", "title_zh": "质量管理体系 要求",
             "ics": ["03.120.10"], "adoptions": [{"number": "ISO 9001:2015", "degree": "idt"}],
             "effective_on": "2017-07-01", "whatever": 1},
        ], ensure_ascii=False), encoding="utf-8")
        report = run_import(path)
        assert report.ok, report.errors
        assert [a.degree for a in get("GB/T 19001-2016").adoptions] == ["IDT"]

    def test_not_a_row_list(self, tmp_path: Path) -> None:
        path = tmp_path / "x.json"
        path.write_text('{"total": 0}', encoding="utf-8")
        with pytest.raises(ImportFileError, match="rows"):
            read_file(path)


class TestIdempotence:
    @pytest.mark.parametrize("name", ["csv", "json"])
    def test_second_import_changes_nothing(self, db: Any, tmp_path: Path, name: str) -> None:
        if name == "csv":
            path = write_csv(tmp_path / "a.csv", [ROW_2008, ROW_2016,
                                                   {**ROW_2008, "标准号": "GB/T 19001-2000",
                                                    "状态": "废止", "实施日期": "2001-06-01",
                                                    "发布日期": "2000-12-28"}])
        else:
            path = FIXTURES / "national_export.json"
        first = run_import(path)
        assert first.ok and first.created == 3 + (name == "json")
        feed = count(ChangeFeed)
        before = {s.number: as_plain(s) for s in db.session.scalars(select(Standard))}
        second = run_import(path)
        assert second.ok
        assert (second.created, second.updated, second.unchanged, second.linked) == \
            (0, 0, first.created, 0)
        assert count(ChangeFeed) == feed
        db.session.expire_all()
        after = {s.number: as_plain(s) for s in db.session.scalars(select(Standard))}
        assert after == before

    def test_changed_row_is_updated(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "a.csv", [ROW_2016]))
        feed = count(ChangeFeed)
        report = run_import(write_csv(tmp_path / "b.csv", [{**ROW_2016, "CCS": "A01"}]))
        assert (report.created, report.updated) == (0, 1)
        assert get("GB/T 19001-2016").ccs == "A01"
        assert count(ChangeFeed) == feed + 1


class TestErrors:
    def test_one_bad_row_imports_nothing(self, db: Any, tmp_path: Path) -> None:
        rows = [ROW_2008, {**ROW_2016, "实施日期": "2017-17-01"}]
        report = run_import(write_csv(tmp_path / "a.csv", rows))
        assert report.errors == [RowError(3, "实施日期", "日期“2017-17-01”不存在", "invalid_value")]
        assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
        assert count(Standard) == 0
        assert count(ChangeFeed) == 0

    def test_every_error_is_reported(self, db: Any, tmp_path: Path) -> None:
        rows = [
            {**ROW_2016, "标准号": "XX 1-2020", "ICS": "3.1"},
            {**ROW_2008, "中文名称": "", "标准性质": "强制性"},
            {**ROW_2008, "标准号": "GB/T 1-2000", "采用国际标准": "ISO 9001:2015",
             "全文链接": "ftp//x", "状态": "有时"},
            {**ROW_2008, "标准号": "GB/T 19001"},
        ]
        report = run_import(write_csv(tmp_path / "a.csv", rows))
        got = {(e.row, e.field) for e in report.errors}
        assert got == {(2, "标准号"), (2, "ICS"), (3, "中文名称"), (4, "采用国际标准"),
                       (4, "全文链接"), (4, "状态"), (5, "标准号")}
        messages = {(e.row, e.field): e.message for e in report.errors}
        assert messages[(2, "ICS")] == "“3.1”：ICS 分类号格式应如 03.120.10"
        assert messages[(3, "中文名称")] == "必填项"
        assert "年代号" in messages[(5, "标准号")]

    def test_nature_must_match_the_number(self, db: Any, tmp_path: Path) -> None:
        report = run_import(write_csv(tmp_path / "a.csv", [{**ROW_2008, "标准性质": "强制性"}]))
        assert report.errors == [
            RowError(2, "标准性质", "标准性质与编号不符：GB/T 19001-2008 应为推荐性",
                     "invalid_value")]

    def test_duplicate_number_in_file(self, db: Any, tmp_path: Path) -> None:
        rows = [ROW_2008, ROW_2016, {**ROW_2008, "标准号": "GBT 19001—2008"}]
        report = run_import(write_csv(tmp_path / "a.csv", rows))
        assert report.errors == [
            RowError(4, "标准号", "标准号 GB/T 19001-2008 与第 2 行重复", "duplicate_row")]
        assert count(Standard) == 0

    def test_existing_records_are_left_alone_on_error(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "a.csv", [ROW_2008]))
        rows = [{**ROW_2008, "CCS": "A01"}, {**ROW_2016, "发布日期": "someday"}]
        report = run_import(write_csv(tmp_path / "b.csv", rows))
        assert not report.ok
        db.session.expire_all()
        assert get("GB/T 19001-2008").ccs == "A00"


class TestDryRun:
    def test_reports_without_writing(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "a.csv", [ROW_2008]))
        feed = count(ChangeFeed)
        path = write_csv(tmp_path / "b.csv", [{**ROW_2008, "CCS": "A01"}, ROW_2016])
        report = run_import(path, dry_run=True)
        assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
        db.session.expire_all()
        assert count(Standard) == 1
        assert count(ChangeFeed) == feed
        assert get("GB/T 19001-2008").ccs == "A00"


class TestReplacementChain:
    def test_same_file_either_order(self, db: Any, tmp_path: Path) -> None:
        for name, rows in (("a", [ROW_2008, ROW_2016]), ("b", [ROW_2016, ROW_2008])):
            nested = db.session.begin_nested()
            report = run_import(write_csv(tmp_path / f"{name}.csv", rows))
            assert report.linked == 1
            old = get("GB/T 19001-2008")
            assert (old.status, old.withdrawn_on, old.end_kind) == \
                ("replaced", D(2017, 7, 1), "replaced")
            successor = services.latest_successor(old)
            assert successor is not None and successor.number == "GB/T 19001-2016"
            nested.rollback()
            db.session.expire_all()

    def test_successor_first_then_predecessor(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "new.csv", [ROW_2016]))
        report = run_import(write_csv(tmp_path / "old.csv", [ROW_2008]))
        assert (report.created, report.linked) == (1, 1)
        assert get("GB/T 19001-2008").withdrawn_on == D(2017, 7, 1)

    def test_predecessor_first_then_successor(self, db: Any, tmp_path: Path) -> None:
        run_import(write_csv(tmp_path / "old.csv", [ROW_2008]))
        feed = count(ChangeFeed)
        report = run_import(write_csv(tmp_path / "new.csv", [ROW_2016]))
        assert (report.created, report.linked) == (1, 1)
        old = get("GB/T 19001-2008")
        assert (old.status, old.withdrawn_on) == ("replaced", D(2017, 7, 1))
        assert count(ChangeFeed) == feed + 2  # the new record and the closed old one

    def test_stated_withdrawal_date_wins(self, db: Any, tmp_path: Path) -> None:
        rows = [{**ROW_2008, "废止日期": "2017-06-30", "状态": "被代替"}, ROW_2016]
        run_import(write_csv(tmp_path / "a.csv", rows))
        old = get("GB/T 19001-2008")
        assert (old.withdrawn_on, old.end_kind) == (D(2017, 6, 30), "replaced")

    def test_matches_upsert_standard(self, db: Any, tmp_path: Path) -> None:
        """The bulk path stores what the one-by-one service would."""
        run_import(write_csv(tmp_path / "a.csv", [ROW_2008, ROW_2016]))
        bulk = {s.number: as_plain(s) for s in db.session.scalars(select(Standard))}
        db.session.rollback()
        nested = db.session.begin_nested()
        for row in (ROW_2008, ROW_2016):
            data, _, errors = _RowLoader().load(row)
            assert not errors and data is not None
            services.upsert_standard(data, source="import:a.csv")
        single = {s.number: as_plain(s) for s in db.session.scalars(select(Standard))}
        nested.rollback()
        db.session.expire_all()
        assert single == bulk


class TestCommand:
    def test_import_and_reimport(self, runner: FlaskCliRunner, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "a.csv", [ROW_2008, ROW_2016])
        result = runner.invoke(args=["import", str(path)])
        assert result.exit_code == 0, result.output
        assert "新增 2 条" in result.output and "关闭 1 条" in result.output
        result = runner.invoke(args=["import", str(path)])
        assert result.exit_code == 0
        assert "新增 0 条，更新 0 条，未变 2 条" in result.output

    def test_errors_exit_1_with_table(self, runner: FlaskCliRunner, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "a.csv", [ROW_2008, {**ROW_2016, "CCS": "a 0"}])
        report_csv = tmp_path / "errors.csv"
        result = runner.invoke(args=["import", str(path), "--errors-csv", str(report_csv)])
        assert result.exit_code == 1
        assert "3\tCCS\t[invalid_value] CCS 分类号格式应如 A00" in result.output
        assert "未导入任何记录" in result.output
        assert count(Standard) == 0
        with report_csv.open(encoding="utf-8-sig") as fh:
            assert list(csv.reader(fh)) == [["行", "列", "代码", "错误"],
                                            ["3", "CCS", "invalid_value", "CCS 分类号格式应如 A00"]]

    def test_rejects_file_holds_the_failed_rows(self, runner: FlaskCliRunner,
                                                tmp_path: Path) -> None:
        path = write_csv(tmp_path / "a.csv", [ROW_2008, {**ROW_2016, "CCS": "a 0"}])
        rejects = tmp_path / "rejects.csv"
        result = runner.invoke(args=["import", str(path), "--rejects", str(rejects)])
        assert result.exit_code == 1
        assert "已将未通过检查的 1 行写入" in result.output
        with rejects.open(encoding="utf-8-sig") as fh:
            lines = list(csv.reader(fh))
        assert lines[0][0] == "原行号" and lines[0][-1] == "错误"
        assert len(lines) == 2 and lines[1][0] == "3" and "CCS" in lines[1][-1]
        assert ROW_2016["标准号"] in lines[1]
        assert count(Standard) == 0

    def test_dry_run(self, runner: FlaskCliRunner, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "a.csv", [ROW_2016])
        result = runner.invoke(args=["import", str(path), "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "试运行" in result.output and "将新增 1 条" in result.output
        assert count(Standard) == 0

    def test_unreadable_file(self, runner: FlaskCliRunner, tmp_path: Path) -> None:
        path = tmp_path / "a.json"
        path.write_text("{not json", encoding="utf-8")
        result = runner.invoke(args=["import", str(path)])
        assert result.exit_code == 1
        assert "无法读取文件：JSON 格式有误" in result.output


class TestConversions:
    @pytest.mark.parametrize("value, expected", [
        ("2016-12-30", D(2016, 12, 30)),
        ("2016/12/30", D(2016, 12, 30)),
        ("2016.1.3", D(2016, 1, 3)),
        ("20161230", D(2016, 12, 30)),
        ("2016年12月30日", D(2016, 12, 30)),
        ("2016-12-30 00:00:00", D(2016, 12, 30)),
        (1483027200000, D(2016, 12, 30)),  # 2016-12-30 00:00 China time
        ("1483027200000", D(2016, 12, 30)),
        (20161230, D(2016, 12, 30)),
        (42734, D(2016, 12, 30)),  # an Excel serial day number
        (dt.datetime(2016, 12, 30, 8, 0), D(2016, 12, 30)),
        ("", None),
        (None, None),
    ])
    def test_dates(self, value: Any, expected: D | None) -> None:
        assert parse_date(value) == expected

    @pytest.mark.parametrize("value", ["30/12/2016", "2016-02-30", "soon"])
    def test_bad_dates(self, value: str) -> None:
        with pytest.raises(ValueError):
            parse_date(value)

    def test_markup_is_stripped(self) -> None:
        assert clean_text("GB/T <sacinfo>19001</sacinfo>-2016") == "GB/T 19001-2016"
        assert clean_text(" <b>质量</b>管理&amp;体系\u3000") == "质量管理&体系"
        assert clean_text("pH < 7") == "pH < 7"

    def test_lists(self) -> None:
        assert convert("ics", "03.120.10；03.120.20, 03.120.10") == ["03.120.10", "03.120.20"]
        assert convert("replaces", "GB/T 1-2000；GB/T 2-2001") == ["GB/T 1-2000", "GB/T 2-2001"]

    def test_adoptions(self) -> None:
        got = convert("adoptions", "ISO 9001:2015 IDT; IEC 60335-1:2010（MOD）；EN 71-3:2019,NEQ")
        assert [(a["number"], a["degree"]) for a in got] == [
            ("ISO 9001:2015", "IDT"), ("IEC 60335-1:2010", "MOD"), ("EN 71-3:2019", "NEQ")]
        assert convert("adoptions", "修改采用 ISO 9001:2015")[0]["degree"] == "MOD"
        with pytest.raises(ValueError, match="采用程度"):
            convert("adoptions", "ISO 9001:2015")

    def test_words(self) -> None:
        assert convert("nature", "强制性") == "mandatory"
        assert convert("status", "即将实施") == "upcoming"
        assert convert("status", "Abolished") == "abolished"
        with pytest.raises(ValueError, match="即将实施、现行、被代替 或 废止"):
            convert("status", "有时")
