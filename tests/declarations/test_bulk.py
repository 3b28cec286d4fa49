"""Bulk filing: the template, reading CSV/XLSX, all-or-nothing filing and the bulk API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.accounts.services import create_user, issue_token
from registry.audit import AuditEntry
from registry.declarations import bulk, bulk_table
from registry.declarations.models import Declaration
from registry.declarations.search import declaration_doc
from registry.enterprises.models import Enterprise
from registry.enterprises.services import register_enterprise
from registry.errors import RegistryError, ValidationError
from registry.search.models import ChangeFeed
from registry.standards.services import upsert_standard

D = dt.date
HOOD = "GB/T 17713-2022"
SAFETY = "GB 4706.28-2008"
OLD_HOOD = "GB/T 17713-2011"
IND = (f"排风量|21|m³/min|越大越好|{HOOD} 6.3|{HOOD}|15；"
       f"噪声|52|dB(A)|越小越好|{HOOD} 6.6|{HOOD}|71")
CREDIT = "91330683MA2B00001C"  # check character fixed below
OTHER = "91330782MA2B00002C"


def credit(body: str) -> str:
    from registry.identifiers import check_character

    return body[:17] + check_character(body[:17])


def make_catalogue() -> None:
    """Three editions/standards enough for the checks: current, mandatory, replaced."""
    for data in (
        {"number": OLD_HOOD, "title_zh": "吸油烟机", "issued_on": D(2011, 12, 30),
         "effective_on": D(2012, 5, 1), "ics": ["97.040.20"]},
        {"number": HOOD, "title_zh": "吸油烟机及其他烹饪烟气排放装置",
         "issued_on": D(2022, 3, 9), "effective_on": D(2022, 10, 1), "ics": ["97.040.20"],
         "replaces": [OLD_HOOD]},
        {"number": SAFETY, "title_zh": "家用和类似用途电器的安全 吸油烟机的特殊要求",
         "issued_on": D(2008, 1, 1), "effective_on": D(2009, 1, 1), "ics": ["97.040.20"]},
    ):
        upsert_standard(data, source="test")


def make_enterprise(code: str = CREDIT, name: str = "示例厨电（嵊州）有限公司") -> Enterprise:
    return register_enterprise({"name": name, "credit_code": credit(code),
                                "industry_code": "38", "above_scale": True})


def row(product: str = "吸油烟机", model: str = "CXW-200-A1", **extra: str) -> dict[str, str]:
    base = {"产品名称": product, "型号": model, "类别": "厨房电器", "规格": "", "条码": "6901234567892",
            "主导产品": "是", "年产值（万元）": "1250.5", "执行标准": f"{HOOD}；{SAFETY}",
            "企业标准编号": "", "企业标准名称": "", "指标": IND, "采用国际标准": "",
            "低于推荐性标准的明示": ""}
    base.update(extra)
    return base


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    headers = list(rows[0])
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r[h] for h in headers])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    headers = list(rows[0])
    ws.append(headers)
    for r in rows:
        ws.append([r[h] for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


@pytest.fixture
def ent(db: Any) -> Enterprise:
    make_catalogue()
    return make_enterprise()


@pytest.fixture
def member(ent: Enterprise) -> Any:
    return create_user("quality@example.com", "质量经理", "correct horse", enterprise=ent)


def file(ent: Enterprise, actor: Any, data: bytes, name: str, **kw: Any) -> bulk.BulkReport:
    table = bulk_table.read_table(data, name)
    return bulk.file_declarations(ent, table.rows, actor, **kw)


class TestTemplate:
    def test_xlsx_has_the_columns_and_instructions(self) -> None:
        wb = load_workbook(io.BytesIO(bulk_table.template_bytes("xlsx")))
        assert wb.sheetnames == ["声明", "填写说明"]
        headers = [c.value for c in wb["声明"][1]]
        assert headers == list(bulk_table.HEADERS)
        assert headers[:3] == ["产品名称", "型号", "类别"] and "指标" in headers
        notes = [r[0] for r in wb["填写说明"].iter_rows(min_row=2, values_only=True)]
        assert set(bulk_table.HEADERS) <= set(notes)

    def test_csv_is_utf8_with_bom_and_reads_back(self) -> None:
        data = bulk_table.template_bytes("csv")
        assert data.startswith(b"\xef\xbb\xbf")
        assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == list(bulk_table.HEADERS)

    def test_the_example_row_is_valid(self, ent: Enterprise, member: Any) -> None:
        table = bulk_table.read_table(bulk_table.template_bytes("csv", example=True), "t.csv")
        (loaded,) = bulk.load_rows(table.rows)
        assert loaded.data is not None and loaded.errors == []

    def test_unknown_format(self) -> None:
        with pytest.raises(ValidationError):
            bulk_table.template_bytes("pdf")


class TestFileFromCsv:
    def test_all_rows_filed_and_published(self, db: Any, ent: Enterprise, member: Any) -> None:
        rows = [row(), row(model="CXW-220-B2"), row("集成灶", "JJZ-01", 条码="")]
        report = file(ent, member, csv_bytes(rows), "批量.csv")
        assert report.ok, report.errors
        assert len(report.created) == 3 and report.rows == 3
        decls = db.session.scalars(select(Declaration).where(
            Declaration.id.in_(report.created)).order_by(Declaration.id)).all()
        assert {d.state for d in decls} == {"published"}
        assert {d.source for d in decls} == {"bulk"}
        ed = decls[0].current_edition
        assert ed.product_name == "吸油烟机" and ed.model == "CXW-200-A1"
        assert ed.is_main_product is True and ed.annual_output_value == 1250.5
        assert ed.barcode == "6901234567892"
        assert [s.number for s in ed.standards] == [HOOD, SAFETY]
        assert [(i.name, i.value, i.unit, i.direction, i.ref_standard, i.ref_value)
                for i in ed.indicators] == [
            ("排风量", 21.0, "m³/min", "higher", HOOD, 15.0),
            ("噪声", 52.0, "dB(A)", "lower", HOOD, 71.0)]
        # searchable: a document, and the change feed queued it in the same transaction
        assert all(declaration_doc(d) is not None for d in decls)
        fed = set(db.session.scalars(select(ChangeFeed.entity_id).where(
            ChangeFeed.entity == "declaration")))
        assert set(report.created) <= fed
        assert count(db, AuditEntry, AuditEntry.action == "declaration.publish",
                     AuditEntry.entity_id.in_(report.created)) == 3

    def test_one_bad_row_files_nothing_and_names_the_row(self, db: Any, ent: Enterprise,
                                                        member: Any) -> None:
        before = count(db, Declaration)
        rows = [row(), row(model="X2"), row(model="X3", 执行标准=OLD_HOOD), row(model="X4")]
        report = file(ent, member, csv_bytes(rows), "bad.csv")
        assert not report.ok and report.created == []
        assert count(db, Declaration) == before
        (err,) = report.errors
        assert (err.row, err.column, err.code) == (4, "执行标准", "standard_replaced")
        assert HOOD in err.message  # the successor is suggested
        assert report.error_map() == {"row 4.执行标准": [err.text]}
        assert err.text.startswith("[standard_replaced] ")

    def test_every_problem_is_listed_per_row_and_column(self, ent: Enterprise,
                                                        member: Any) -> None:
        rows = [row(产品名称=""), row(model="X2", 主导产品="可能", **{"年产值（万元）": "很多"}),
                row(model="X3", 指标="噪声|大声|dB(A)"),
                row(model="X4", 执行标准="", 企业标准编号="Q/ZJSL 002-2024", 指标=""),
                row(model="X5", 条码="12AB")]
        report = file(ent, member, csv_bytes(rows), "bad.csv")
        got = {(e.row, e.column, e.code) for e in report.errors}
        assert (2, "产品名称", "required") in got
        assert (3, "主导产品", "invalid_value") in got and (3, "年产值（万元）", "invalid_value") in got
        assert (4, "指标", "invalid_value") in got
        assert (5, "企业标准名称", "required") in got
        assert (6, "条码", "invalid_value") in got
        messages = " ".join(e.message for e in report.errors)
        assert "大声" in messages and "可能" in messages

    def test_a_blank_line_keeps_the_spreadsheet_numbering(self, ent: Enterprise,
                                                          member: Any) -> None:
        data = csv_bytes([row(), row(model="X2", 执行标准="GB/T 99999-2020")])
        lines = data.decode().splitlines()
        data = "\n".join([lines[0], lines[1], ",,,,,,,,,,,,", lines[2]]).encode()
        report = file(ent, member, data, "gap.csv")
        assert [(e.row, e.code) for e in report.errors] == [(4, "standard_unknown")]

    def test_indicator_below_mandatory_is_refused(self, ent: Enterprise, member: Any) -> None:
        bad = f"泄漏电流|0.9|mA|越小越好||{SAFETY}|0.75"
        report = file(ent, member, csv_bytes([row(指标=bad)]), "m.csv")
        (err,) = report.errors
        assert (err.row, err.column, err.code) == (2, "指标", "indicator_below_mandatory")
        assert err.message.startswith("第 1 项指标“泄漏电流”")

    def test_lower_than_recommended_with_statement_is_a_warning(
            self, ent: Enterprise, member: Any) -> None:
        low = f"排风量|12|m³/min|越大越好||{HOOD}|15"
        report = file(ent, member, csv_bytes([row(指标=low)]), "w.csv")
        assert [e.code for e in report.errors] == ["indicator_below_recommended"]
        report = file(ent, member, csv_bytes([row(指标=low, 低于推荐性标准的明示="排风量按小户型厨房设计")]),
                      "w.csv")
        assert report.ok and [w.code for w in report.warnings] == [
            "indicator_below_recommended_stated"]

    def test_duplicate_rows_are_refused(self, ent: Enterprise, member: Any) -> None:
        report = file(ent, member, csv_bytes([row(), row()]), "dup.csv")
        assert [(e.row, e.code) for e in report.errors] == [(3, "duplicate_row")]

    def test_own_enterprise_standard(self, db: Any, ent: Enterprise, member: Any) -> None:
        r = row(执行标准="", 企业标准编号="q/zjsl 002—2024", 企业标准名称="吸油烟机")
        report = file(ent, member, csv_bytes([r]), "q.csv")
        assert report.ok, report.errors
        decl = db.session.get(Declaration, report.created[0])
        assert decl.current_edition.ent_std_number == "Q/ZJSL 002-2024"

    def test_gb18030_csv(self, db: Any, ent: Enterprise, member: Any) -> None:
        data = csv_bytes([row("领带", "LD-01"), row("真丝领带", "LD-02")], encoding="gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        report = file(ent, member, data, "gbk.csv")
        assert report.ok, report.errors
        names = {db.session.get(Declaration, i).current_edition.product_name
                 for i in report.created}
        assert names == {"领带", "真丝领带"}

    def test_utf8_bom_csv(self, ent: Enterprise, member: Any) -> None:
        data = b"\xef\xbb\xbf" + csv_bytes([row()])
        report = file(ent, member, data, "bom.csv")
        assert report.ok and len(report.created) == 1

    def test_dry_run_files_nothing(self, db: Any, ent: Enterprise, member: Any) -> None:
        before = count(db, Declaration), count(db, AuditEntry)
        report = file(ent, member, csv_bytes([row(), row(model="X2")]), "d.csv", dry_run=True)
        assert report.ok and report.rows == 2 and report.created == []
        assert (count(db, Declaration), count(db, AuditEntry)) == before

    def test_drafts(self, db: Any, ent: Enterprise, member: Any) -> None:
        report = file(ent, member, csv_bytes([row()]), "d.csv", publish=False)
        assert report.ok
        assert db.session.get(Declaration, report.created[0]).state == "draft"

    def test_only_for_own_enterprise(self, db: Any, ent: Enterprise, member: Any) -> None:
        other = make_enterprise(OTHER, "示例五金（永康）有限公司")
        with pytest.raises(RegistryError):
            file(other, member, csv_bytes([row()]), "x.csv")


class TestReadFile:
    def test_xlsx_numbers_and_booleans(self, db: Any, ent: Enterprise, member: Any) -> None:
        rows: list[dict[str, Any]] = [row(), row(model="X2")]
        rows[0]["条码"] = 6901234567892  # a barcode typed into a number cell
        rows[0]["年产值（万元）"] = 880
        rows[1]["主导产品"] = False
        report = file(ent, member, xlsx_bytes(rows), "批量.xlsx")
        assert report.ok, report.errors
        first, second = (db.session.get(Declaration, i).current_edition for i in report.created)
        assert first.barcode == "6901234567892" and first.annual_output_value == 880.0
        assert second.is_main_product is False

    def test_xlsx_bad_row_is_named_by_its_sheet_row(self, ent: Enterprise,
                                                    member: Any) -> None:
        rows = [row(), row(model="X2"), row(model="X3"), row(model="X4", 执行标准="GB/T 1-1900x")]
        report = file(ent, member, xlsx_bytes(rows), "bad.xlsx")
        assert [(e.row, e.column, e.code) for e in report.errors] == [
            (5, "执行标准", "standard_number_invalid")]

    def test_the_downloaded_template_round_trips(self, db: Any, ent: Enterprise,
                                                 member: Any) -> None:
        wb = load_workbook(io.BytesIO(bulk_table.template_bytes("xlsx")))
        ws = wb["声明"]
        ws.append(["电饭锅", "FB-30", None, None, "6901234567892", "是", 300, HOOD, None, None,
                   IND, None, None])
        out = io.BytesIO()
        wb.save(out)
        report = file(ent, member, out.getvalue(), "模板.xlsx")
        assert report.ok, report.errors

    def test_missing_required_column(self) -> None:
        with pytest.raises(bulk_table.BulkFileError) as info:
            bulk_table.read_table("型号,执行标准\nA,GB/T 1-2000\n".encode(), "x.csv")
        assert info.value.row_errors[0].code == "missing_column"

    def test_empty_and_unknown_files(self) -> None:
        with pytest.raises(bulk_table.BulkFileError):
            bulk_table.read_table("产品名称,型号\n".encode(), "x.csv")
        with pytest.raises(bulk_table.BulkFileError):
            bulk_table.read_table(b"not a zip", "x.xlsx")
        with pytest.raises(bulk_table.BulkFileError):
            bulk_table.read_table(b"", "x.pdf")

    def test_unknown_columns_are_ignored_with_a_warning(self) -> None:
        table = bulk_table.read_table("产品名称,备注\n电饭锅,内部\n".encode(), "x.csv")
        assert table.warnings == ["已忽略未识别的列：备注"]


# -- the API --------------------------------------------------------------------------------

URL = "/api/v1/declarations/bulk"


@pytest.fixture
def member_headers(member: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(member, 'tests')}"}


@pytest.fixture
def admin_headers(db: Any) -> dict[str, str]:
    admin = create_user("admin@example.com", "管理员", "correct horse", role="admin")
    return {"Authorization": f"Bearer {issue_token(admin, 'tests')}"}


def upload(client: Any, headers: dict[str, str], data: bytes, name: str = "批量.csv",
           **form: str) -> Any:
    return client.post(URL, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), **form})


class TestBulkApi:
    def test_needs_a_token(self, client: Any, ent: Enterprise) -> None:
        resp = upload(client, {}, csv_bytes([row()]))
        assert resp.status_code == 401
        assert resp.get_json()["code"] == "unauthorized"

    def test_member_of_another_enterprise_is_refused(self, client: Any, ent: Enterprise,
                                                     member_headers: dict[str, str]) -> None:
        other = make_enterprise(OTHER, "示例五金（永康）有限公司")
        resp = upload(client, member_headers, csv_bytes([row()]), enterprise=other.credit_code)
        assert resp.status_code == 403

    def test_officer_is_refused(self, client: Any, ent: Enterprise) -> None:
        officer = create_user("officer@example.com", "监管", "correct horse", role="officer",
                              region_code="330683")
        resp = upload(client, {"Authorization": f"Bearer {issue_token(officer)}"},
                      csv_bytes([row()]))
        assert resp.status_code == 403

    def test_upload_files_everything(self, client: Any, db: Any, ent: Enterprise,
                                     member_headers: dict[str, str]) -> None:
        resp = upload(client, member_headers, xlsx_bytes([row(), row(model="X2")]), "a.xlsx")
        assert resp.status_code == 201, resp.get_json()
        body = resp.get_json()
        assert body["rows"] == 2 and body["published"] is True and len(body["created"]) == 2
        states = db.session.scalars(select(Declaration.state).where(
            Declaration.id.in_(body["created"]))).all()
        assert states == ["published", "published"]

    def test_422_contract_and_nothing_filed(self, client: Any, db: Any, ent: Enterprise,
                                            member_headers: dict[str, str]) -> None:
        before = count(db, Declaration)
        rows = [row(), row(model="X2", 执行标准="GB/T 99999-2020"), row(model="X3", 产品名称="")]
        resp = upload(client, member_headers, csv_bytes(rows))
        assert resp.status_code == 422
        body = resp.get_json()
        assert set(body) == {"code", "status", "message", "errors"}
        assert body["status"] == 422 and body["code"] == "bulk_rejected"
        assert set(body["errors"]) == {"row 3.执行标准", "row 4.产品名称"}
        assert body["errors"]["row 3.执行标准"][0].startswith("[standard_unknown]")
        assert count(db, Declaration) == before

    def test_json_rows_with_field_names_or_headers(self, client: Any, db: Any, ent: Enterprise,
                                                   member_headers: dict[str, str]) -> None:
        rows = [
            {"product_name": "吸油烟机", "model": "J-1", "standards": [HOOD],
             "is_main_product": True,
             "indicators": [{"name": "噪声", "value": 50, "unit": "dB(A)", "direction": "lower",
                             "ref_standard": HOOD, "ref_value": 71}]},
            {"产品名称": "集成灶", "执行标准": HOOD, "指标": IND},
        ]
        resp = client.post(URL, headers=member_headers, json={"rows": rows})
        assert resp.status_code == 201, resp.get_json()
        created = resp.get_json()["created"]
        eds = [db.session.get(Declaration, i).current_edition for i in created]
        assert [e.product_name for e in eds] == ["吸油烟机", "集成灶"]
        assert eds[0].indicators[0].direction == "lower"

    def test_json_errors_are_numbered_from_one(self, client: Any, ent: Enterprise,
                                               member_headers: dict[str, str]) -> None:
        rows = [{"product_name": "吸油烟机", "standards": [HOOD]},
                {"product_name": "集成灶", "standards": [HOOD], "colour": "red"},
                {"product_name": "电饭锅", "standards": [HOOD],
                 "indicators": [{"name": "功率", "value": "high"}]}]
        resp = client.post(URL, headers=member_headers, json={"rows": rows})
        assert resp.status_code == 422
        errors = resp.get_json()["errors"]
        assert set(errors) == {"row 2.colour", "row 3.indicators"}
        assert errors["row 3.indicators"] == ["[invalid_value] 第 1 项：值：指标值必须是数字"]

    def test_dry_run(self, client: Any, db: Any, ent: Enterprise,
                     member_headers: dict[str, str]) -> None:
        before = count(db, Declaration)
        resp = upload(client, member_headers, csv_bytes([row()]), dry_run="true")
        assert resp.status_code == 200
        assert resp.get_json()["created"] == [] and resp.get_json()["dry_run"] is True
        resp = client.post(URL + "?dry_run=1", headers=member_headers,
                           json={"rows": [{"产品名称": "电饭锅", "执行标准": HOOD}]})
        assert resp.status_code == 200
        assert count(db, Declaration) == before

    def test_admin_names_the_enterprise(self, client: Any, ent: Enterprise,
                                        admin_headers: dict[str, str]) -> None:
        resp = upload(client, admin_headers, csv_bytes([row()]))
        assert resp.status_code == 422 and "enterprise" in resp.get_json()["errors"]
        resp = upload(client, admin_headers, csv_bytes([row()]), enterprise="91330683MA2B00003X")
        assert resp.status_code == 422 and "enterprise" in resp.get_json()["errors"]
        resp = upload(client, admin_headers, csv_bytes([row()]), enterprise=ent.credit_code,
                      publish="false")
        assert resp.status_code == 201 and resp.get_json()["published"] is False

    def test_bad_upload(self, client: Any, ent: Enterprise,
                        member_headers: dict[str, str]) -> None:
        resp = upload(client, member_headers, "型号\nA\n".encode(), "x.csv")
        assert resp.status_code == 422
        assert resp.get_json()["errors"] == {"row 1.产品名称": ["[missing_column] 缺少“产品名称”列"]}
        resp = client.post(URL, headers=member_headers, json={"rows": "no"})
        assert resp.status_code == 422
        resp = client.post(URL, headers=member_headers, json={"rows": []})
        assert resp.get_json()["errors"] == {"file": ["[no_rows] rows 为空，没有要提交的声明"]}
        resp = client.post(URL, headers=member_headers, json={"rows": [{}], "colour": 1})
        assert resp.status_code == 422 and "colour" in resp.get_json()["errors"]

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_template_download(self, client: Any, fmt: str) -> None:
        resp = client.get(f"{URL}/template?format={fmt}")
        assert resp.status_code == 200
        assert f"declarations-template.{fmt}" in resp.headers["Content-Disposition"]
        if fmt == "csv":
            assert resp.data == bulk_table.template_bytes("csv")
        else:
            ws = load_workbook(io.BytesIO(resp.data))["声明"]
            assert [c.value for c in ws[1]] == list(bulk_table.HEADERS)

    def test_template_bad_format(self, client: Any) -> None:
        assert client.get(f"{URL}/template?format=doc").status_code == 422

    def test_documented_in_openapi(self, client: Any) -> None:
        spec = client.get("/api/v1/openapi.json").get_json()
        op = spec["paths"][URL]["post"]
        assert op["security"] == [{"bearerAuth": []}]
        assert {"201", "401", "403", "422"} <= set(op["responses"])
        assert "get" in spec["paths"][URL + "/template"]


class TestCommandFiles:
    """``registry file-declarations`` reads what the API reads, and writes a reject file."""

    @pytest.fixture
    def saved(self, db: Any) -> Enterprise:
        make_catalogue()
        ent = make_enterprise()
        db.session.commit()  # the command rolls back on errors: keep the fixture's rows
        return ent

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_rejects_are_the_failed_rows_with_their_errors(self, runner: Any, saved: Enterprise,
                                                           tmp_path: Path, suffix: str) -> None:
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_bytes([row(), row(model="X2", 执行标准=OLD_HOOD),
                                    row(model="X3", 主导产品="可能")]))
        rejects = tmp_path / f"rejects{suffix}"
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     saved.credit_code, "--rejects", str(rejects)])
        assert result.exit_code == 1 and "2 行写入" in result.output
        table = bulk_table.read_table(rejects)
        assert table.headers == ["原行号", *row(), "错误"]
        assert [(str(r["原行号"]), r["型号"]) for _, r in table.rows] == [("3", "X2"), ("4", "X3")]
        assert table.rows[1][1]["错误"] == "主导产品：[invalid_value] “可能”无效，应为 是 或 否"

    def test_a_json_file_is_checked_like_json_rows(self, runner: Any, db: Any,
                                                   saved: Enterprise, tmp_path: Path) -> None:
        path = tmp_path / "rows.json"
        path.write_text(json.dumps({"rows": [row(), {**row(model="X2"), "colour": "red"}]},
                                   ensure_ascii=False), encoding="utf-8")
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     saved.credit_code])
        assert result.exit_code == 1
        assert "2\tcolour\t[unknown_field] 未知字段" in result.output
        path.write_text(json.dumps([row()], ensure_ascii=False), encoding="utf-8")
        result = runner.invoke(args=["file-declarations", str(path), "--enterprise",
                                     saved.credit_code])
        assert result.exit_code == 0, result.output
        assert count(db, Declaration, Declaration.enterprise_id == saved.id) == 1
