"""Browser: search `gbt19001`, narrow by a facet, open the result."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from registry import create_app
from registry.extensions import db as _db
from tests.browser.conftest import _load_catalogue, serving
from tests.conftest import make_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def search_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live registry with the small catalogue indexed (CSRF on, own SQLite database)."""
    from registry.database import upgrade_database
    from registry.search.indexer import rebuild, store_for

    tmp = tmp_path_factory.mktemp("search-browser")
    app = create_app(make_config(tmp, WTF_CSRF_ENABLED=True,
                                 DATABASE_URL=f"sqlite:///{tmp / 'search.sqlite3'}"))
    with app.app_context():
        upgrade_database()
        _load_catalogue()
        rebuild(store_for(app))
        _db.session.remove()
    with serving(app) as url:
        yield url


def test_search_narrow_by_facet_and_open(browser: Any, search_server: str, tmp_path: Any) -> None:
    context = browser.new_context(base_url=search_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/search")
        page.fill("#search-q", "gbt19001")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=gbt19001"))
        hits = page.locator(".hit .std-number")
        assert hits.count() == 2
        assert hits.nth(0).inner_text() == "GB/T 19001-2016"  # current edition first
        assert "被代替" in page.locator(".hit").nth(1).inner_text()

        # narrow by the status facet: only the replaced edition is left, and the filter is
        # in the URL so the result can be shared
        page.locator('.facet[data-facet="status"] a[data-value="replaced"]').click()
        page.wait_for_url(re.compile(r"status=replaced"))
        assert page.locator(".hit .std-number").all_inner_texts() == ["GB/T 19001-2008"]
        assert "状态：replaced" in page.locator(".active-filters").inner_text()

        page.locator(".hit .std-number").first.click()
        page.wait_for_url(re.compile(r"/standards/GB"))
        body = page.locator("main").inner_text()
        assert "GB/T 19001-2008" in body and "GB/T 19001-2016" in body  # chain shown
        page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    finally:
        context.close()
