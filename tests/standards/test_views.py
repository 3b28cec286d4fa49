"""HTML pages of the catalogue: home, browse, a standard's page, bulk status check."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook

from registry.standards.models import Standard
from registry.standards.schemas import StandardInSchema
from registry.standards.services import upsert_standard

D = dt.date


def add(source: str = "test", **data: Any) -> Standard:
    std, _ = upsert_standard(StandardInSchema().load(data), source=source)
    return std


@pytest.fixture
def sample(db: Any) -> dict[str, Standard]:
    """GB/T 19001 in three editions (2000 not catalogued), a few others, one demo record."""
    rows = [
        dict(
            number="GB/T 19001-2008",
            title_zh="质量管理体系 要求",
            issued_on="2008-10-29",
            effective_on="2009-03-01",
            ics=["03.120.10"],
            ccs="A00",
            replaces=["GB/T 19001-2000"],
        ),
        dict(
            number="GB/T 19001-2016",
            title_zh="质量管理体系 要求",
            title_en="Quality management systems—Requirements",
            issued_on="2016-12-30",
            effective_on="2017-07-01",
            ics=["03.120.10"],
            ccs="A00",
            replaces=["GB/T 19001-2008"],
            issuing_body="国家质量监督检验检疫总局",
            technical_committee="TC 151",
            drafting_orgs=["中国标准化研究院"],
            drafters=["张三", "李四"],
            scope="本标准规定了质量管理体系要求。",
            adoptions=[
                {
                    "number": "ISO 9001:2015",
                    "degree": "IDT",
                    "title": "Quality management systems — Requirements",
                }
            ],
        ),
        dict(
            number="JB/T 13368-2018",
            title_zh="叉车属具 软包夹",
            issued_on="2018-04-30",
            effective_on="2018-12-01",
            ics=["53.060"],
            filing_no="63215-2018",
        ),
        dict(
            number="GB/T 3100-1993",
            title_zh="国际单位制及其应用",
            issued_on="1993-12-27",
            effective_on="1994-07-01",
            withdrawn_on="2020-01-01",
            end_kind="abolished",
        ),
        dict(
            number="GB/T 99999-2099",
            title_zh="未来的标准",
            issued_on="2098-01-01",
            effective_on="2099-01-01",
        ),
    ]
    out = {r["number"]: add(**r) for r in rows}
    out["T/ZZB 2109-2021"] = add(
        source="demo",
        number="T/ZZB 2109-2021",
        title_zh="一次性炭化竹筷",
        issued_on="2021-06-01",
        effective_on="2021-07-01",
        ics=["97.020"],
        ccs="Y87",
    )
    return out


def text_of(resp: Any) -> str:
    return resp.get_data(as_text=True)


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in body.split("</tr>")[:-1]]


class TestLayout:
    def test_home_counts_levels(self, client: FlaskClient, sample: Any) -> None:
        html = text_of(client.get("/"))
        assert '<html lang="zh-CN">' in html
        assert "标准信息平台" in html and "批量状态查询" in html
        assert "示例数据为程序生成，非真实记录" in html
        assert re.search(r'level=zzb">\s*<span class="count">1</span>', html)
        assert re.search(r'level=national">\s*<span class="count">4</span>', html)

    def test_english_switch_shows_english_labels(self, client: FlaskClient, sample: Any) -> None:
        html = text_of(client.get("/standards?status=current&lang=en"))
        assert '<html lang="en">' in html
        assert "Standards Catalogue" in html and "Bulk status check" in html
        assert "Generated demo data, not real records" in html
        assert ">Current<" in html and "标准目录" not in html
        # the choice sticks for the next page, and the switch keeps the URL
        html = text_of(client.get("/standards/GB/T%2019001-2016"))
        assert "Replacement chain" in html and "Identical" in html
        assert 'href="/standards/GB/T%2019001-2016?lang=zh"' in html
        assert '<html lang="zh-CN">' in text_of(client.get("/?lang=zh"))


class TestCatalogue:
    def test_lists_everything_with_total(self, client: FlaskClient, sample: Any) -> None:
        resp = client.get("/standards")
        html = text_of(resp)
        assert resp.status_code == 200
        assert "共 6 项" in html
        for number in sample:
            assert number in html

    def test_filters_by_level_status_and_ics(self, client: FlaskClient, sample: Any) -> None:
        html = text_of(client.get("/standards?level=zzb"))
        assert "共 1 项" in html and "一次性炭化竹筷" in html and "叉车属具" not in html
        assert "浙江制造" in html and "示例数据" in html
        html = text_of(client.get("/standards?status=replaced"))
        assert "共 1 项" in html and "GB/T 19001-2008" in html
        html = text_of(client.get("/standards?ics=03.120"))
        assert "共 2 项" in html and "GB/T 19001-2016" in html
        html = text_of(client.get("/standards?org=jb&status=current"))
        assert "共 1 项" in html and "JB/T 13368-2018" in html
        html = text_of(client.get("/standards?q=GBT19001"))
        assert "共 2 项" in html
        html = text_of(client.get("/standards?nature=recommended&level=national&q=竹筷"))
        assert "共 0 项" in html and "没有符合条件的标准" in html

    def test_paginates_and_keeps_filters(self, client: FlaskClient, db: Any) -> None:
        for i in range(25):
            add(
                number=f"GB/T {30000 + i}-2020",
                title_zh=f"测试标准 {i:02d}",
                effective_on="2020-10-01",
            )
        html = text_of(client.get("/standards?q=测试标准&per_page=10"))
        assert "共 25 项" in html and "第 1 / 3 页" in html
        assert "GB/T 30000-2020" in html and "GB/T 30010-2020" not in html
        assert 'href="/standards?page=2&amp;q=' in html and "per_page=10" in html
        html = text_of(client.get("/standards?q=测试标准&per_page=10&page=3"))
        assert "第 3 / 3 页" in html and "GB/T 30024-2020" in html
        assert "GB/T 30019-2020" not in html

    def test_bad_filter_is_a_form_message_not_a_crash(
        self, client: FlaskClient, sample: Any
    ) -> None:
        resp = client.get("/standards?status=bogus&page=x&level=zzb")
        html = text_of(resp)
        assert resp.status_code == 400
        assert "部分筛选条件无效" in html
        assert "“bogus”不是有效的状态" in html and "页码必须是正整数" in html
        # the valid filter still applies
        assert "共 1 项" in html and "一次性炭化竹筷" in html

    def test_unknown_filter_is_named(self, client: FlaskClient, db: Any) -> None:
        html = text_of(client.get("/standards?colour=red"))
        assert "未知的查询参数“colour”" in html


class TestStandardPage:
    def test_shows_record_chain_adoption_and_status(self, client: FlaskClient, sample: Any) -> None:
        resp = client.get("/standards/GB/T 19001-2016")
        html = text_of(resp)
        assert resp.status_code == 200
        assert "<title>GB/T 19001-2016 质量管理体系 要求" in html
        assert "Quality management systems—Requirements" in html
        assert 'class="badge status-current">现行<' in html
        assert "推荐性" in html and "国家标准" in html
        # chain: 2000 (not catalogued) -> 2008 (linked) -> 2016 (this one)
        chain = html.split('class="chain"', 1)[1].split("</ol>", 1)[0]
        assert (
            chain.index("GB/T 19001-2000")
            < chain.index("GB/T 19001-2008")
            < chain.index("GB/T 19001-2016")
        )
        assert 'href="/standards/GB/T%2019001-2008"' in chain
        assert 'href="/standards/GB/T%2019001-2000"' not in html
        assert 'class="this"' in chain
        assert "ISO 9001:2015" in html and "IDT" in html and "等同采用" in html
        assert "03.120.10" in html and "A00" in html and "TC 151" in html
        assert "中国标准化研究院" in html and "张三、李四" in html
        assert "本标准规定了质量管理体系要求。" in html
        assert "2016-12-30" in html and "2017-07-01" in html

    def test_replaced_edition_names_its_successor(self, client: FlaskClient, sample: Any) -> None:
        html = text_of(client.get("/standards/GB/T 19001-2008"))
        assert "被代替" in html and "2017-07-01" in html
        successors = html.split("被代替为", 1)[1].split("</dd>", 1)[0]
        assert 'href="/standards/GB/T%2019001-2016"' in successors
        # the predecessor not in the catalogue is shown, unlinked
        assert "GB/T 19001-2000" in html and "目录未收录" in html

    @pytest.mark.parametrize(
        "written",
        [
            "GBT19001-2016",
            "gb/t 19001—2016",
            "GB/T19001-2016",
            quote("GB/T 19001-2016"),
        ],
    )
    def test_variant_url_finds_the_page(
        self, client: FlaskClient, sample: Any, written: str
    ) -> None:
        html = text_of(client.get("/standards/" + written))
        assert '<p class="std-number-big">GB/T 19001-2016</p>' in html

    def test_number_without_year_shows_current_edition(
        self, client: FlaskClient, sample: Any
    ) -> None:
        html = text_of(client.get("/standards/GB/T 19001"))
        assert '<p class="std-number-big">GB/T 19001-2016</p>' in html
        assert "未注明年代号" in html
        editions = html.split("其他版本", 1)[1]
        assert 'href="/standards/GB/T%2019001-2008"' in editions

    def test_badges_for_zhejiang_made_demo_and_sector(
        self, client: FlaskClient, sample: Any
    ) -> None:
        html = text_of(client.get("/standards/T/ZZB 2109-2021"))
        assert 'class="badge zzb">浙江制造<' in html and 'class="badge demo"' in html
        html = text_of(client.get("/standards/JB/T 13368-2018"))
        assert "机械" in html and "63215-2018" in html and 'class="badge demo"' not in html

    def test_estimated_withdrawal_is_flagged(self, client: FlaskClient, db: Any) -> None:
        add(number="GB/T 1-1990", title_zh="旧标准", effective_on="1990-01-01", status="abolished")
        html = text_of(client.get("/standards/GB/T 1-1990"))
        assert "废止" in html and "估计日期" in html

    def test_unknown_number_is_a_chinese_404_page(self, client: FlaskClient, db: Any) -> None:
        resp = client.get("/standards/GB/T 12345-2001")
        html = text_of(resp)
        assert resp.status_code == 404
        assert resp.mimetype == "text/html"
        assert "目录中没有标准" in html and "GB/T 12345-2001" in html
        assert "返回首页" in html and "标准信息平台" in html


class TestStatusCheck:
    def test_form(self, client: FlaskClient) -> None:
        html = text_of(client.get("/standards/status-check"))
        assert '<textarea id="numbers" name="numbers"' in html
        assert 'type="file"' in html and 'name="csrf_token"' in html

    def test_results_table(self, client: FlaskClient, sample: Any) -> None:
        numbers = "GBT 19001-2008\ngb/t 19001—2016, JB/T 13368\tGB/T 3100-93;GB/T 55555-2020"
        resp = client.post("/standards/status-check", data={"numbers": numbers})
        html = text_of(resp)
        assert resp.status_code == 200
        rows = table_rows(html)
        assert len(rows) == 5
        assert "GBT 19001-2008" in rows[0] and "被代替" in rows[0]
        assert "GB/T 19001-2016" in rows[0].split("被代替", 1)[1]  # the current edition
        assert "现行" in rows[1] and "是" in rows[1]
        assert "JB/T 13368-2018" in rows[2] and "现行" in rows[2]
        assert "废止" in rows[3] and "目录中没有代替它的现行标准" in rows[3]
        assert "否" in rows[4] and "目录中没有标准" in rows[4]
        assert 'href="/standards/GB/T%2019001-2016"' in html
        summary = html.split('class="summary"', 1)[1].split("</ul>", 1)[0]
        assert re.search(r'"count">5</span> 项输入', summary)
        assert re.search(r'"count">4</span> 项找到', summary)
        assert re.search(r'"count">1</span> 项未找到', summary)

    def test_csv_download(self, client: FlaskClient, sample: Any) -> None:
        resp = client.post(
            "/standards/status-check",
            data={"numbers": "GB/T 19001-2008\n=cmd()\n", "format": "csv"},
        )
        assert resp.status_code == 200
        assert resp.mimetype == "text/csv"
        assert "attachment" in resp.headers["Content-Disposition"]
        raw = resp.get_data()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0][:5] == ["输入", "是否找到", "标准号", "标准名称", "状态"]
        assert rows[1][:6] == [
            "GB/T 19001-2008",
            "是",
            "GB/T 19001-2008",
            "质量管理体系 要求",
            "被代替",
            "GB/T 19001-2016",
        ]
        assert rows[2][0] == "'=cmd()" and rows[2][1] == "否"

    def test_xlsx_download(self, client: FlaskClient, sample: Any) -> None:
        resp = client.post(
            "/standards/status-check",
            data={"numbers": "T/ZZB 2109-2021\nGB/T 19001", "format": "xlsx"},
        )
        assert resp.status_code == 200
        assert resp.mimetype.endswith("spreadsheetml.sheet")
        ws = load_workbook(io.BytesIO(resp.get_data())).active
        assert ws is not None
        assert ws["A1"].value == "输入" and ws["E1"].value == "状态"
        assert [c.value for c in ws[2]][:5] == [
            "T/ZZB 2109-2021",
            "是",
            "T/ZZB 2109-2021",
            "一次性炭化竹筷",
            "现行",
        ]
        assert ws["C3"].value == "GB/T 19001-2016"
        assert ws.max_row == 3

    def test_english_download_headers(self, client: FlaskClient, sample: Any) -> None:
        text_of(client.get("/?lang=en"))
        resp = client.post(
            "/standards/status-check", data={"numbers": "GB/T 19001-2008", "format": "csv"}
        )
        rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
        assert rows[0][:3] == ["Input", "Found", "Number"]
        assert rows[1][1] == "Yes" and rows[1][4] == "Replaced"

    def test_empty_input_is_a_form_message(self, client: FlaskClient, db: Any) -> None:
        resp = client.post("/standards/status-check", data={"numbers": " \n ,; "})
        assert resp.status_code == 400
        assert "请至少输入一个标准编号" in text_of(resp)

    def test_too_many_numbers(
        self, app: Any, client: FlaskClient, db: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setitem(app.config, "STATUS_CHECK_MAX", 3)
        resp = client.post("/standards/status-check", data={"numbers": "1\n2\n3\n4"})
        assert resp.status_code == 400
        assert "一次最多检查 3 个编号" in text_of(resp)

    def test_upload_csv_with_header(self, client: FlaskClient, sample: Any) -> None:
        body = "序号,标准编号,备注\n1,GBT19001-2008,x\n2,JB/T 13368-2018,y\n".encode("gb18030")
        resp = client.post(
            "/standards/status-check",
            content_type="multipart/form-data",
            data={"numbers": "", "file": (io.BytesIO(body), "list.csv")},
        )
        rows = table_rows(text_of(resp))
        assert len(rows) == 2 and "GBT19001-2008" in rows[0] and "JB/T 13368-2018" in rows[1]

    def test_upload_xlsx_first_column(self, client: FlaskClient, sample: Any) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["GB/T 19001-2016", "说明"])
        ws.append(["T/ZZB 2109-2021", None])
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        resp = client.post(
            "/standards/status-check",
            content_type="multipart/form-data",
            data={"numbers": "JB/T 13368-2018", "file": (buf, "numbers.xlsx")},
        )
        rows = table_rows(text_of(resp))
        assert len(rows) == 3 and "JB/T 13368-2018" in rows[0]
        assert "GB/T 19001-2016" in rows[1] and "一次性炭化竹筷" in rows[2]

    def test_upload_of_wrong_type(self, client: FlaskClient, db: Any) -> None:
        resp = client.post(
            "/standards/status-check",
            content_type="multipart/form-data",
            data={"numbers": "GB/T 1-2000", "file": (io.BytesIO(b"%PDF-1.4"), "list.pdf")},
        )
        assert resp.status_code == 400
        assert "只支持 .txt、.csv 或 .xlsx 文件" in text_of(resp)
        resp = client.post(
            "/standards/status-check",
            content_type="multipart/form-data",
            data={"file": (io.BytesIO(b"not a zip"), "list.xlsx")},
        )
        assert resp.status_code == 400
        assert "无法读取文件" in text_of(resp)
