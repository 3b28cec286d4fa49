"""Browser tests: a real server in a background thread, driven by headless Chromium.

The server has CSRF protection on (as in production) and its own SQLite database, so it
never shares the session database (SQLite or PostgreSQL) the other tests roll back in.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from registry import create_app
from registry.extensions import db as _db
from tests.conftest import make_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# A small catalogue: GB/T 19001 in three editions (2000 not catalogued), a few others.
STANDARDS: list[dict[str, Any]] = [
    {
        "number": "GB/T 19001-2008",
        "title_zh": "质量管理体系 要求",
        "issued_on": "2008-10-29",
        "effective_on": "2009-03-01",
        "ics": ["03.120.10"],
        "ccs": "A00",
        "replaces": ["GB/T 19001-2000"],
    },
    {
        "number": "GB/T 19001-2016",
        "title_zh": "质量管理体系 要求",
        "title_en": "Quality management systems—Requirements",
        "issued_on": "2016-12-30",
        "effective_on": "2017-07-01",
        "ics": ["03.120.10"],
        "ccs": "A00",
        "replaces": ["GB/T 19001-2008"],
        "issuing_body": "国家质量监督检验检疫总局",
        "technical_committee": "TC 151",
        "drafting_orgs": ["中国标准化研究院"],
        "scope": "本标准规定了质量管理体系要求。",
        "adoptions": [{"number": "ISO 9001:2015", "degree": "IDT"}],
    },
    {
        "number": "JB/T 13368-2018",
        "title_zh": "叉车属具 软包夹",
        "issued_on": "2018-04-30",
        "effective_on": "2018-12-01",
        "ics": ["53.060"],
    },
    {
        "number": "T/ZZB 2109-2021",
        "title_zh": "一次性炭化竹筷",
        "issued_on": "2021-06-01",
        "effective_on": "2021-07-01",
        "ics": ["97.020"],
        "ccs": "Y87",
    },
    {
        "number": "GB/T 3100-1993",
        "title_zh": "国际单位制及其应用",
        "issued_on": "1993-12-27",
        "effective_on": "1994-07-01",
        "withdrawn_on": "2020-01-01",
        "end_kind": "abolished",
    },
]


def _load_catalogue() -> None:
    from registry.standards.schemas import StandardInSchema
    from registry.standards.services import upsert_standard

    for row in STANDARDS:
        upsert_standard(StandardInSchema().load(row), source="test")
    _db.session.commit()


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            from registry.search.backend import backend_for

            backend_for(app).close()
            _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running registry with CSRF enabled and a small catalogue."""
    from registry.database import upgrade_database

    tmp: Path = tmp_path_factory.mktemp("browser")
    app = create_app(
        make_config(tmp, WTF_CSRF_ENABLED=True, DATABASE_URL=f"sqlite:///{tmp / 'browser.sqlite3'}")
    )
    with app.app_context():
        upgrade_database()
        _load_catalogue()
        _db.session.remove()
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (Playwright's own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (own cookies) with one page, sized like a laptop screen."""
    context = browser.new_context(
        base_url=live_server,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


# every CSP violation a page sees, recorded in the page (an init script is not subject to CSP)
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@contextlib.contextmanager
def watched_page(browser: Any, base_url: str, **context_options: Any) -> Iterator[Any]:
    """A page (zh-CN, a laptop screen unless told) that records CSP violations and the
    console: see ``assert_no_csp_violation``."""
    options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900},
               **context_options}
    context = browser.new_context(base_url=base_url, **options)
    context.add_init_script(WATCH_VIOLATIONS)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    console: list[str] = []
    pg.on("console", lambda msg: console.append(msg.text))
    pg.csp_console = console
    try:
        yield pg
    finally:
        context.close()


def assert_no_csp_violation(page: Any, where: str) -> None:
    violations = page.evaluate("window.__csp || []")
    reported = [m for m in page.csp_console if "Content Security Policy" in m]
    assert not violations and not reported, f"{where}: {violations} {reported}"
