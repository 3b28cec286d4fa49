"""The standards registry: a Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, jsonify, request, session
from flask_babel import get_locale
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.config import PROJECT_ROOT, build_config
from registry.errors import register_error_handlers
from registry.extensions import api, babel, configure_engine, csrf, db, login_manager, migrate
from registry.inputs import IdConverter, install_input_guards
from registry.requestlog import init_request_log
from registry.runtime import check_production, install_inline_updater, resolve_secret_key
from registry.security import init_security

LANGUAGES = ("zh", "en")


def _select_locale() -> str:
    if not has_request_context():  # commands, workers: Chinese, as every export is
        return "zh"
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        return lang
    stored = session.get("lang")
    if stored in LANGUAGES:
        return str(stored)
    return "zh"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides defaults and ``REGISTRY_*`` variables."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "registry" / "static"),
    )
    settings = build_config(config)
    resolve_secret_key(settings)
    check_production(settings)
    app.config.update(settings)
    app.url_map.converters["int"] = IdConverter  # ids past 2**31-1 name no row: 404
    if app.config["PROXY_HOPS"]:  # behind N reverse proxies: the client's address from them
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    # The domains are imported here, not at the top of the package: importing a pure module
    # (``registry.numbers`` in a script, the bench) must not load every model, blueprint and
    # command with it.
    from registry import models  # noqa: F401  (register every table on the metadata)
    from registry.accounts.api import blp as accounts_api
    from registry.accounts.auth import init_auth
    from registry.accounts.views import bp as accounts_views
    from registry.commands import register_commands
    from registry.declarations.api import blp as declarations_api
    from registry.declarations.bulk_api import blp as bulk_api
    from registry.declarations.search import install as install_declaration_search
    from registry.declarations.views import bp as declarations_views
    from registry.declarations.watch import install_watch
    from registry.enterprises.api import blp as enterprises_api
    from registry.enterprises.views import bp as enterprises_views
    from registry.reports.api import blp as reports_api
    from registry.reports.plan_api import blp as plans_api
    from registry.reports.plan_views import bp as plans_views
    from registry.reports.views import bp as reports_views
    from registry.search.api import blp as search_api
    from registry.search.indexer import feed_lag
    from registry.search.outbox import install_change_feed
    from registry.search.views import bp as search_views
    from registry.standards.api import blp as standards_api
    from registry.standards.views import bp as standards_views

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    api.init_app(app)

    init_auth(app)
    install_change_feed()
    install_watch()
    install_declaration_search()
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    api.register_blueprint(standards_api)
    csrf.exempt(standards_api)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(standards_views)
    api.register_blueprint(search_api)
    csrf.exempt(search_api)
    app.register_blueprint(search_views)

    for blueprint in (accounts_api, enterprises_api, declarations_api, bulk_api, reports_api,
                      plans_api):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    for page_bp in (accounts_views, enterprises_views, declarations_views, reports_views,
                    plans_views):
        app.register_blueprint(page_bp)
    register_error_handlers(app)
    install_input_guards(app)
    install_inline_updater(app)
    init_request_log(app)
    init_security(app)  # after the blueprints: applies the limits their views are marked with

    @app.get("/healthz")
    def healthz() -> Any:
        db.session.execute(text("SELECT 1"))
        pending, oldest = feed_lag()
        limit = app.config["HEALTH_MAX_INDEX_LAG_SECONDS"]
        lagging = bool(limit) and oldest > limit
        body = {"status": "lagging" if lagging else "ok", "database": db.engine.dialect.name,
                "index": {"pending": pending, "oldest_seconds": round(oldest, 1)}}
        return jsonify(body), 503 if lagging else 200

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"current_lang": str(get_locale() or "zh")}

    register_commands(app)
    return app
