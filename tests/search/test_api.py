"""GET /api/v1/search, GET /api/v1/suggest and the search page."""

from __future__ import annotations

from flask import Flask


class TestSearchApi:
    def test_answer_has_hits_totals_and_facets(self, catalogue: Flask) -> None:
        resp = catalogue.test_client().get("/api/v1/search?q=gbt19001&per_page=5")
        assert resp.status_code == 200
        body = resp.get_json()
        assert [i["number"] for i in body["items"]] == ["GB/T 19001-2016", "GB/T 19001-2008"]
        assert body["total"] == 2 and body["total_exact"] is True
        assert {f["value"]: f["count"] for f in body["facets"]["status"]} == {
            "current": 1, "replaced": 1}
        assert body["items"][0]["url"] == "/standards/GB/T%2019001-2016"

    def test_filters_in_the_query_string(self, catalogue: Flask) -> None:
        body = catalogue.test_client().get(
            "/api/v1/search?q=gbt19001&status=replaced").get_json()
        assert [i["number"] for i in body["items"]] == ["GB/T 19001-2008"]

    def test_bad_parameter_uses_the_error_contract(self, catalogue: Flask) -> None:
        resp = catalogue.test_client().get("/api/v1/search?per_page=1000&sort=x")
        assert resp.status_code == 422
        body = resp.get_json()
        assert body["code"] == "validation_error"
        assert set(body["errors"]) == {"per_page", "sort"}

    def test_highlight_in_title_html(self, catalogue: Flask) -> None:
        body = catalogue.test_client().get("/api/v1/search?q=竹筷").get_json()
        assert "<mark>竹筷</mark>" in body["items"][0]["title_html"]

    def test_suggest(self, catalogue: Flask) -> None:
        body = catalogue.test_client().get("/api/v1/suggest?q=JB/T 133").get_json()
        assert [s["number"] for s in body["items"]] == ["JB/T 13368-2018"]
        assert catalogue.test_client().get("/api/v1/suggest").status_code == 422

    def test_openapi_lists_search(self, catalogue: Flask) -> None:
        spec = catalogue.test_client().get("/api/v1/openapi.json").get_json()
        assert "/api/v1/search" in spec["paths"] and "/api/v1/suggest" in spec["paths"]


class TestSearchPage:
    def test_results_facets_and_paging_links(self, catalogue: Flask) -> None:
        html = catalogue.test_client().get("/search?q=gbt19001").get_data(as_text=True)
        assert "GB/T 19001-2016" in html and "共 2 条结果" in html
        assert 'data-facet="status"' in html
        assert "/search?q=gbt19001&amp;status=replaced" in html

    def test_did_you_mean_link(self, catalogue: Flask) -> None:
        html = catalogue.test_client().get("/search?q=GB/T 19010-2016").get_data(as_text=True)
        assert "您是不是要找" in html and "GB/T 19001-2016" in html

    def test_bad_parameter_shows_a_chinese_message(self, catalogue: Flask) -> None:
        resp = catalogue.test_client().get("/search?q=x&page=abc")
        assert resp.status_code == 400
        assert "页码必须是整数" in resp.get_data(as_text=True)

    def test_without_index_answers_503(self, sapp: Flask, tmp_path: object) -> None:
        import shutil

        shutil.rmtree(sapp.config["INDEX_DIR"])
        sapp.extensions.pop("search_backend", None)
        resp = sapp.test_client().get("/api/v1/search?q=x")
        assert resp.status_code == 503
        assert resp.get_json()["code"] == "index_unavailable"
