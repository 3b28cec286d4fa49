"""Every face of the adoption report — API, page, XLSX/CSV, command — gives the same numbers and
applies the same scope rules (anonymous, member, officer in and out of the region, admin)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.reports.conftest import ROLES, ReportWorld

SX = "330600"
Q = {"region": SX, "year": 2024}


def login(client: Any, rw: ReportWorld, role: str) -> None:
    if role == "anonymous":
        return
    email = rw.users[role].email
    resp = client.post("/login", data={"email": email, "password": "correct horse"})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]


def xlsx_rows(body: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(body))
    return list(wb.worksheets[sheet].iter_rows(values_only=True))


class TestApi:
    def test_report_matches_the_hand_computation(self, client: Any, rw: ReportWorld) -> None:
        resp = client.get("/api/v1/reports/adoption", query_string=Q,
                          headers=rw.headers("officer_sx"))
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["definition"]["id"] == "adoption-rate/v1"
        assert body["filters"]["region"] == SX and body["filters"]["year"] == 2024
        assert body["access"] == "full" and body["extracted_at"]
        t = body["total"]
        assert (t["products"], t["adopting"], t["rate"], t["output"], t["output_rate"]) == \
            (5, 3, 0.6, 240.0, 0.5)
        assert [y["year"] for y in body["trend"]] == [2020, 2021, 2022, 2023, 2024]
        assert {c["region"] for c in body["by_region"]} >= {"330683", "330624", "330681"}

    @pytest.mark.parametrize("role", ROLES)
    def test_scope(self, client: Any, rw: ReportWorld, role: str) -> None:
        body = client.get("/api/v1/reports/adoption", query_string=Q,
                          headers=rw.headers(role)).get_json()
        full = role in ("officer_sx", "admin")
        assert body["access"] == ("full" if full else "public")
        assert (body["total"]["output"] is None) != full
        assert all((c["output"] is None) != full for c in body["matrix"])
        rows = client.get("/api/v1/reports/adoption/products",
                          query_string={**Q, "status": "all"},
                          headers=rw.headers(role)).get_json()["items"]
        values = {r["product_name"]: r["output_value"] for r in rows}
        if full:
            assert values["电饭锅"] == 100 and values["阀门"] == 70
        elif role == "member_e1":
            assert values["电饭锅"] == 100 and values["阀门"] is None
        else:
            assert set(values.values()) == {None}

    def test_drill_down_paged_with_definition(self, client: Any, rw: ReportWorld) -> None:
        body = client.get("/api/v1/reports/adoption/products",
                          query_string={**Q, "industry": "34", "per_page": 1}).get_json()
        assert (body["total"], body["pages"], len(body["items"])) == (3, 3, 1)
        assert body["definition"]["version"] == 1
        assert body["filters"]["industry"] == "34" and body["filters"]["status"] == "counted"

    @pytest.mark.parametrize("query,field", [
        ({"region": "999999"}, "region"), ({"region": "33x"}, "region"),
        ({"industry": "Z9"}, "industry"), ({"year": 1800}, "year"),
        ({"weight": "money"}, "weight")])
    def test_bad_arguments_are_422(self, client: Any, rw: ReportWorld, query: dict[str, Any],
                                   field: str) -> None:
        resp = client.get("/api/v1/reports/adoption", query_string=query)
        assert resp.status_code == 422
        assert field in str(resp.get_json()["errors"])

    def test_unknown_enterprise_is_422(self, client: Any, rw: ReportWorld) -> None:
        resp = client.get("/api/v1/reports/adoption/products",
                          query_string={"enterprise": "nope"})
        assert resp.status_code == 422 and "enterprise" in resp.get_json()["errors"]

    def test_year_facts(self, client: Any, rw: ReportWorld) -> None:
        code = rw.ents["E2"].credit_code
        url = f"/api/v1/enterprises/{code}/years/2026"
        assert client.put(url, json={"above_scale": True}).status_code == 401
        assert client.put(url, json={"above_scale": True},
                          headers=rw.headers("officer_hz")).status_code == 403
        resp = client.put(url, json={"above_scale": True, "output_value": 12.5},
                          headers=rw.headers("officer_sx"))
        assert resp.status_code == 200 and resp.get_json()["output_value"] == 12.5
        public = client.get(f"/api/v1/enterprises/{code}/years").get_json()["items"]
        assert public[0] == {"year": 2026, "above_scale": True, "output_value": None}
        own = client.get(f"/api/v1/enterprises/{code}/years",
                         headers=rw.headers("admin")).get_json()["items"]
        assert own[0]["output_value"] == 12.5


class TestPages:
    @pytest.mark.parametrize("role", ROLES)
    def test_page_scope(self, client: Any, rw: ReportWorld, role: str) -> None:
        login(client, rw, role)
        html = client.get("/reports/adoption", query_string=Q).get_data(as_text=True)
        assert "60.0%" in html and "adoption-rate/v1" in html
        assert ("240.0" in html) == (role in ("officer_sx", "admin"))
        rows = client.get("/reports/adoption/products",
                          query_string={**Q, "status": "all"}).get_data(as_text=True)
        assert "电饭锅" in rows
        assert ("70.0" in rows) == (role in ("officer_sx", "admin"))

    def test_matrix_links_drill_down(self, client: Any, rw: ReportWorld) -> None:
        html = client.get("/reports/adoption", query_string={**Q, "industry": "C"}).get_data(
            as_text=True)
        assert "/reports/adoption/products?region=330683&amp;industry=38&amp;year=2024" in html
        cell = client.get("/reports/adoption/products",
                          query_string={"region": "330683", "industry": "38", "year": 2024})
        text = cell.get_data(as_text=True)
        assert "电饭锅" in text and "电机" in text and "水泵" not in text

    def test_english(self, client: Any, rw: ReportWorld) -> None:
        html = client.get("/reports/adoption", query_string={**Q, "lang": "en"}).get_data(
            as_text=True)
        assert "Adoption rate" in html and "registry definition v1" in html

    def test_bad_year_is_an_error_page(self, client: Any, rw: ReportWorld) -> None:
        assert client.get("/reports/adoption?year=20x4").status_code == 422
        assert client.get("/reports/adoption/export.pdf").status_code == 404

    def test_member_sees_own_products_link(self, client: Any, rw: ReportWorld) -> None:
        login(client, rw, "member_e1")
        html = client.get("/reports/adoption", query_string=Q).get_data(as_text=True)
        assert f"enterprise={rw.ents['E1'].credit_code}" in html


class TestExports:
    def test_xlsx_has_the_same_numbers_as_page_and_api(self, client: Any,
                                                       rw: ReportWorld) -> None:
        login(client, rw, "officer_sx")
        api = client.get("/api/v1/reports/adoption", query_string=Q,
                         headers=rw.headers("officer_sx")).get_json()
        resp = client.get("/reports/adoption/export.xlsx", query_string=Q)
        assert resp.status_code == 200
        assert "attachment" in resp.headers["Content-Disposition"]
        wb = load_workbook(io.BytesIO(resp.data))
        ws = wb.worksheets[0]
        header = [c.value for c in ws[1]]
        total = [c for c in ws[2]]
        col = {h.split(" ")[0]: i for i, h in enumerate(header)}
        assert total[col["主导产品数"]].value == api["total"]["products"] == 5
        assert total[col["采标产品数"]].value == api["total"]["adopting"] == 3
        rate = total[col["采标率（按产品数）"]]
        assert rate.value == pytest.approx(api["total"]["rate"]) and rate.number_format == "0.0%"
        assert total[col["采标率（按产值）"]].value == pytest.approx(0.5)
        assert ws.freeze_panes == "A2"
        definition = [r for r in wb.worksheets[1].iter_rows(values_only=True)]
        flat = " ".join(str(c) for r in definition for c in r if c is not None)
        assert "adoption-rate/v1" in flat and "提取时间" in flat and "330600" in flat
        assert "IDT" in flat and "NEQ" in flat
        page = client.get("/reports/adoption", query_string=Q).get_data(as_text=True)
        assert f"{total[col['采标率（按产品数）']].value * 100:.1f}%" in page

    def test_public_xlsx_has_no_output_values(self, client: Any, rw: ReportWorld) -> None:
        rows = xlsx_rows(client.get("/reports/adoption/export.xlsx", query_string=Q).data)
        col = [h.split(" ")[0] for h in rows[0]].index("产值合计（万元）")
        assert {r[col] for r in rows[1:]} == {None}
        products = xlsx_rows(client.get("/reports/adoption/products/export.xlsx",
                                        query_string={**Q, "status": "all"}).data)
        assert len(products) == 1 + 6
        assert {r[-1] for r in products[1:]} == {None}

    def test_drill_down_csv_carries_definition_and_filters(self, client: Any,
                                                           rw: ReportWorld) -> None:
        login(client, rw, "admin")
        text = client.get("/reports/adoption/products/export.csv",
                          query_string=Q).data.decode("utf-8-sig")
        assert "adoption-rate/v1" in text and "提取时间" in text and "330600" in text
        assert "阀门" in text and ",70.0" in text

    def test_csv_neutralises_formulas(self) -> None:
        from registry.reports.definitions import ADOPTION_V1
        from registry.reports.exports import csv_bytes

        text = csv_bytes([], ["a"], [["=cmd()"]], ADOPTION_V1).decode("utf-8-sig")
        assert "'=cmd()" in text


class TestCommand:
    def test_report_adoption_writes_xlsx_and_csv(self, runner: Any, rw: ReportWorld,
                                                 tmp_path: Any) -> None:
        x, c = tmp_path / "r.xlsx", tmp_path / "r.csv"
        result = runner.invoke(args=["report", "adoption", "--region", SX, "--year", "2024",
                                     "--xlsx", str(x), "--csv", str(c)])
        assert result.exit_code == 0, result.output
        assert "60.0%" in result.output and "50.0%" in result.output
        rows = xlsx_rows(x.read_bytes())
        assert rows[1][5:7] == (5, 3)
        assert "adoption-rate/v1" in c.read_bytes().decode("utf-8-sig")

    def test_bad_region(self, runner: Any, rw: ReportWorld) -> None:
        result = runner.invoke(args=["report", "adoption", "--region", "99", "--year", "2024"])
        assert result.exit_code != 0 and "region" in result.output
