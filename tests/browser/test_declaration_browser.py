"""The issue's acceptance test in a real browser: sign up an enterprise, file a declaration
citing a replaced standard, take the live suggestion, publish, find it by search, amend it and
see both editions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry import create_app
from registry.extensions import db as _db
from registry.identifiers import make_credit_code
from tests.browser.conftest import _load_catalogue, serving
from tests.conftest import make_config

pytestmark = pytest.mark.browser

CREDIT_CODE = make_credit_code("9", "1", "330683", "MA2B00001")


@pytest.fixture(scope="module")
def declaration_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live registry (CSRF on, own SQLite database) with the small catalogue indexed and the
    in-process index updater running, as in the embedded deployment.

    Module-scoped: the updater thread uses the global session, which the other tests' ``db``
    fixture swaps, so it must not outlive this module.
    """
    from registry.database import upgrade_database
    from registry.search.indexer import BackgroundIndexer, rebuild, store_for

    tmp = tmp_path_factory.mktemp("declaration-browser")
    app = create_app(make_config(tmp, WTF_CSRF_ENABLED=True,
                                 DATABASE_URL=f"sqlite:///{tmp / 'declarations.sqlite3'}"))
    with app.app_context():
        upgrade_database()
        _load_catalogue()
        rebuild(store_for(app))
        _db.session.remove()
    updater = BackgroundIndexer(app, interval=0.2)  # polls the change feed
    updater.start()
    with serving(app) as url:
        try:
            yield url
        finally:  # stop the updater before the server closes the index and the engine
            updater.stop.set()
            updater.wake.set()
            updater.thread.join(timeout=10)


@pytest.fixture
def page(browser: Any, declaration_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=declaration_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


def _find_by_search(page: Any, query: str, product: str, timeout: float = 15.0) -> Any:
    """Search until the index updater has caught up with the commit (it runs after it)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/search?q=" + query)
        hit = page.locator("ol.hits li.hit a", has_text=product)
        if hit.count() or time.monotonic() > deadline:
            return hit
        time.sleep(0.3)


def test_sign_up_file_fix_publish_search_amend(page: Any, tmp_path: Path) -> None:
    # sign up an enterprise and its quality manager
    page.goto("/")
    page.get_by_role("link", name="企业注册").click()
    page.wait_for_url("**/signup")
    page.fill("#f-ent_name", "嵊州市恒温电器有限公司")
    page.fill("#f-credit_code", CREDIT_CODE)
    assert page.input_value("#f-region_code") == "330683"  # taken from the code as typed
    page.select_option("#f-industry_code", "38")
    page.check("input[name=above_scale]")
    page.fill("#f-contact_name", "王质量")
    page.fill("#f-email", "qm@hengwen.example")
    page.fill("#f-password", "s3cret-pass")
    page.fill("#f-password2", "s3cret-pass")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/dashboard")
    assert "注册成功" in page.locator(".flashes").inner_text()
    assert page.locator("h1").inner_text() == "嵊州市恒温电器有限公司"

    # file a declaration citing the replaced edition: the check panel says so while typing
    page.get_by_role("link", name="新建声明").first.click()
    page.wait_for_url("**/declarations/new**")
    page.fill("#f-product_name", "恒温电热水壶")
    page.fill("#f-model", "HW-1701")
    page.check("input[name=is_main_product]")
    page.locator("input[name=standards]").first.fill("GB/T 19001-2008")
    row = page.locator("#ind-rows tr").first
    row.locator("input[name=ind_name]").fill("额定功率")
    row.locator("input[name=ind_value]").fill("1800")
    row.locator("input[name=ind_unit]").fill("W")
    replaced = page.locator("#check-panel li.check[data-code=standard_replaced]")
    replaced.wait_for()
    assert "GB/T 19001-2008 已被代替，现行版本为 GB/T 19001-2016" in replaced.inner_text()
    assert "live-error" in (page.locator("input[name=standards]").first.get_attribute("class")
                            or "")
    page.screenshot(path=str(tmp_path / "declaration-form.png"), full_page=True)

    # one click puts the successor in place; the panel clears
    replaced.get_by_role("button", name="改用 GB/T 19001-2016").click()
    assert page.locator("input[name=standards]").first.input_value() == "GB/T 19001-2016"
    page.locator("#check-panel.all-clear").wait_for()
    assert page.locator("#check-panel .check").count() == 0
    assert "未发现问题" in page.locator("#check-panel .check-status").inner_text()

    # publish
    page.get_by_role("button", name="公开声明").click()
    page.wait_for_url("**/declarations/*")
    assert "声明已公开" in page.locator(".flashes").inner_text()
    assert page.locator(".decl-head .badge.decl-published").inner_text() == "已公开"
    decl_url = page.url
    cited = page.locator("ul.cited li")
    assert cited.count() == 1 and "GB/T 19001-2016" in cited.inner_text()
    assert cited.locator(".badge.status-current").inner_text() == "现行"

    # anyone can find it by search, and open it
    page.get_by_role("button", name="退出").click()
    hit = _find_by_search(page, "恒温电热水壶", "恒温电热水壶")
    assert hit.count() == 1, page.locator("main").inner_text()
    hit.click()
    page.wait_for_url(decl_url)
    assert "嵊州市恒温电器有限公司" in page.locator(".decl-head").inner_text()

    # sign in again and amend it: a second edition, the first still readable
    page.get_by_role("link", name="登录").click()
    page.fill("#f-email", "qm@hengwen.example")
    page.fill("#f-password", "s3cret-pass")
    page.locator("form.form-card").get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard")
    page.goto(decl_url)
    page.get_by_role("link", name="修改或修订").click()
    page.wait_for_url("**/amend")
    assert page.input_value("#f-product_name") == "恒温电热水壶"
    assert page.locator("input[name=standards]").first.input_value() == "GB/T 19001-2016"
    page.fill("#f-model", "HW-1702")
    page.fill("#f-change_note", "型号更新为 HW-1702")
    page.get_by_role("button", name="公开新版本").click()
    page.wait_for_url(decl_url)

    editions = page.locator("ul.edition-list li")
    assert editions.count() == 2
    assert "第 2 版 · 修改" in editions.nth(0).inner_text()
    assert "第 1 版 · 首次声明" in editions.nth(1).inner_text()
    assert "HW-1702" in page.locator(".decl-head").inner_text()
    page.screenshot(path=str(tmp_path / "declaration.png"), full_page=True)

    editions.nth(0).get_by_role("link", name="与第 1 版比较").click()
    page.wait_for_url("**/diff?from=1&to=2")
    diff = page.locator("table.diff-table tbody").inner_text()
    assert "型号" in diff and "HW-1701" in diff and "HW-1702" in diff
    page.goto(decl_url + "/editions/1")
    assert "HW-1701" in page.locator(".decl-head").inner_text()
    assert "这是历史版本" in page.locator(".banner.old").inner_text()
