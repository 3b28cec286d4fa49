"""Browser: the Content-Security-Policy holds on every main page — Chromium reports no
violation — and the scripts moved out of the templates still work (search type-ahead,
sign-up's region from the credit code, the draft's delete confirmation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from registry import create_app
from registry.extensions import db as _db
from registry.identifiers import make_credit_code
from tests.browser.conftest import _load_catalogue, assert_no_csp_violation, serving, watched_page
from tests.conftest import make_config

pytestmark = pytest.mark.browser

PASSWORD = "s3cret-pass"
CODE = make_credit_code("9", "1", "330683", "MA2B0CXP1")

# every violation the page sees, in the page itself (an init script is not subject to CSP)
@pytest.fixture(scope="module")
def csp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A live registry (CSRF on, own SQLite database, index built) with one member whose
    enterprise has a draft declaration; yields the URL and the draft's id."""
    from registry.accounts.services import sign_up
    from registry.database import upgrade_database
    from registry.declarations.services import create_declaration
    from registry.search.indexer import rebuild, store_for
    from tests.declarations.conftest import content

    tmp = tmp_path_factory.mktemp("csp-browser")
    app = create_app(make_config(tmp, WTF_CSRF_ENABLED=True,
                                 DATABASE_URL=f"sqlite:///{tmp / 'csp.sqlite3'}"))
    with app.app_context():
        upgrade_database()
        _load_catalogue()
        user = sign_up({"name": "嵊州市安全电器有限公司", "credit_code": CODE,
                        "industry_code": "38"}, "csp@example.com", "王安全", PASSWORD)
        assert user.enterprise is not None
        decl, _ = create_declaration(user.enterprise, content(), user)
        decl_id = decl.id
        _db.session.commit()
        rebuild(store_for(app))
        _db.session.remove()
    with serving(app) as url:
        yield url, decl_id


@pytest.fixture
def page(browser: Any, csp_server: tuple[str, int]) -> Iterator[Any]:
    with watched_page(browser, csp_server[0]) as pg:
        yield pg


_assert_no_violation = assert_no_csp_violation


def _visit(page: Any, path: str) -> None:
    resp = page.goto(path)
    assert resp is not None and resp.status == 200, path
    assert "script-src 'self'" in resp.headers["content-security-policy"], path
    page.wait_for_load_state("load")
    _assert_no_violation(page, path)


def test_main_pages_keep_the_policy(page: Any, csp_server: tuple[str, int]) -> None:
    for path in ("/", "/standards", "/standards/GBT19001-2016", "/search?q=gbt19001",
                 "/declarations", "/enterprises", "/login", "/signup",
                 "/standards/status-check"):
        _visit(page, path)


def test_the_policy_is_enforced(page: Any) -> None:
    """The listener works: an inline script is refused and reported."""
    _visit(page, "/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran === undefined")
    assert "script-src" in page.evaluate("window.__csp[0]")


def test_search_type_ahead(page: Any) -> None:
    _visit(page, "/search")
    page.fill("#search-q", "GB/T 1900")
    # (a locator, not wait_for_function: that evaluates a string, which the policy forbids)
    page.locator("#search-suggest option").first.wait_for(state="attached")
    values = page.eval_on_selector_all("#search-suggest option", "os => os.map(o => o.value)")
    assert "GB/T 19001-2016" in values
    _assert_no_violation(page, "/search type-ahead")


def test_signup_region_from_the_credit_code(page: Any) -> None:
    _visit(page, "/signup")
    page.fill("#f-credit_code", make_credit_code("9", "1", "330106", "MA2B0CXP2"))
    assert page.input_value("#f-region_code") == "330106"
    _assert_no_violation(page, "/signup script")


def test_member_pages_and_delete_confirmation(page: Any, csp_server: tuple[str, int]) -> None:
    _visit(page, "/login")
    page.fill("#f-email", "csp@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="登录").last.click()
    page.wait_for_url("**/dashboard")
    _assert_no_violation(page, "/dashboard")
    _visit(page, "/declarations/new")
    _visit(page, "/account/tokens")
    _visit(page, "/account/password")

    decl_path = f"/declarations/{csp_server[1]}"
    _visit(page, decl_path)
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_timeout(300)
    assert asked == ["删除这份草稿？"]
    assert page.url.endswith(decl_path)  # dismissed: still there
    _visit(page, decl_path)  # and the draft is not deleted
    _assert_no_violation(page, "delete confirmation")
