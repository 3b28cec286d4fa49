"""The catalogue in a real browser: a standard's page, the bulk status check, the download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_standard_page_shows_status_and_chain(page: Any, tmp_path: Path) -> None:
    page.goto("/standards/GBT19001-2016")
    assert page.title().startswith("GB/T 19001-2016 质量管理体系 要求")
    assert page.locator("h1").inner_text() == "质量管理体系 要求"
    assert page.locator(".std-head .badge.status-current").inner_text() == "现行"
    chain = page.locator("ol.chain li")
    assert chain.count() == 3
    assert "GB/T 19001-2000" in chain.nth(0).inner_text()  # not catalogued, not linked
    assert chain.nth(0).locator("a").count() == 0
    assert "本标准" in chain.nth(2).inner_text()
    page.screenshot(path=str(tmp_path / "standard.png"), full_page=True)

    chain.nth(1).locator("a").click()
    page.wait_for_url("**/standards/GB/T%2019001-2008")
    assert page.locator(".std-head .badge.status-replaced").inner_text() == "被代替"
    assert "GB/T 19001-2016" in page.locator("dl.fields").first.inner_text()


def test_bulk_status_check(page: Any, tmp_path: Path) -> None:
    page.goto("/")
    page.get_by_role("link", name="批量状态查询").first.click()
    page.wait_for_url("**/standards/status-check")
    page.fill(
        "textarea#numbers",
        "GBT19001-2008\ngb/t 19001—2016\n19001\nJB/T 13368, T/ZZB 2109-2021\nGB/T 55555-2020",
    )
    page.get_by_role("button", name="开始查询").click()
    page.wait_for_selector("table.status-results")

    rows = page.locator("table.status-results tbody tr")
    assert rows.count() == 6
    first = rows.nth(0)
    assert "是" in first.locator("td").nth(1).inner_text()
    assert first.locator(".badge").inner_text() == "被代替"
    replacement = first.locator("td").nth(5).locator("a")
    assert replacement.inner_text() == "GB/T 19001-2016"
    for i in (1, 2, 3, 4):
        assert rows.nth(i).locator(".badge").inner_text() == "现行"
    assert rows.nth(2).locator("td").nth(2).inner_text() == "GB/T 19001-2016"
    assert rows.nth(3).locator("td").nth(2).inner_text() == "JB/T 13368-2018"
    assert "否" in rows.nth(5).locator("td").nth(1).inner_text()
    assert "目录中没有标准" in rows.nth(5).inner_text()
    page.screenshot(path=str(tmp_path / "status-check.png"), full_page=True)

    # the download re-submits the numbers (with the CSRF token) from the results page
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 7 and lines[1].startswith("GBT19001-2008,是,GB/T 19001-2008")

    replacement.click()
    page.wait_for_url("**/standards/GB/T%2019001-2016")


def test_language_switch_keeps_the_page(page: Any) -> None:
    page.goto("/standards?level=zzb")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/standards?level=zzb&lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Standards Catalogue"
    assert "Zhejiang Made" in page.locator("table").inner_text()
    page.get_by_role("link", name="T/ZZB 2109-2021").click()
    assert page.locator(".std-head .badge.status-current").inner_text() == "Current"
