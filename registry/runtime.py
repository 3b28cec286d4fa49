"""How a process runs: its session key, the production checks, the inline index updater.

* **Session key.** A key printed in the source signs nobody's cookies: the embedded default
  (no ``REGISTRY_SECRET_KEY``) generates a random key once per installation and keeps it
  in ``instance/secret_key`` (mode 0600), so sessions survive restarts and no two
  installations share a key. Production requires the key to be set.
* **Production mode** (``REGISTRY_ENV=production``): the process refuses to start with a
  missing, short or published key, or with no index updater configured, instead of
  serving quietly broken (cookies anyone can forge, a search that never changes).
* **Inline updater.** With ``REGISTRY_INDEXER=inline`` every serving process applies the
  change feed itself, whatever started it (``registry serve``, ``gunicorn wsgi:app``):
  the thread starts with the process's first request, so it also starts in each worker
  a pre-forking server forks (a thread started before ``fork()`` does not survive it).
  Several processes share the work safely: the index has one writer lock and the others
  skip their turn.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from flask import Flask

from registry.search.indexer import start_background_indexer

log = logging.getLogger(__name__)

PUBLISHED_KEYS = frozenset({"dev-only-change-me", "change-me", "secret", "dev", "test"})
MIN_KEY_LENGTH = 32
UPDATERS = ("inline", "worker")


class ConfigurationError(RuntimeError):
    """The configuration cannot serve safely (production mode)."""


def is_production(config: dict[str, Any]) -> bool:
    return str(config.get("ENV", "")).lower() == "production"


def check_production(config: dict[str, Any]) -> None:
    """Refuse what production must not run with; every problem in one message."""
    if not is_production(config):
        return
    problems = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        problems.append("未设置会话密钥 REGISTRY_SECRET_KEY（例如 python -c "
                        "'import secrets; print(secrets.token_urlsafe(48))'）")
    elif key in PUBLISHED_KEYS or len(key) < MIN_KEY_LENGTH:
        problems.append(f"会话密钥 REGISTRY_SECRET_KEY 是公开的示例值或短于 {MIN_KEY_LENGTH} 个字符")
    if config.get("INDEXER") not in UPDATERS:
        problems.append("未配置索引更新方式 REGISTRY_INDEXER（inline：每个 Web 进程自行更新；"
                        "worker：另行运行 registry index-worker）")
    if problems:
        raise ConfigurationError("生产模式（REGISTRY_ENV=production）拒绝启动：" + "；".join(problems))


def resolve_secret_key(config: dict[str, Any]) -> None:
    """Outside production with no key set: this installation's own random key."""
    if config.get("SECRET_KEY") or is_production(config):
        return
    path = Path(config["SECRET_KEY_FILE"])
    try:
        config["SECRET_KEY"] = path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:  # O_EXCL: two processes starting at once agree on the first one's key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            config["SECRET_KEY"] = path.read_text().strip()
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(key + "\n")
            config["SECRET_KEY"] = key
            log.info("generated this installation's session key in %s", path)
    if not config["SECRET_KEY"]:
        raise ConfigurationError(f"会话密钥文件为空：{path}")


def install_inline_updater(app: Flask) -> None:
    """Start the in-process updater with the first request of each serving process."""
    if app.config.get("INDEXER") != "inline":
        return
    lock = threading.Lock()
    started: dict[str, int] = {}

    @app.before_request
    def _start_updater() -> None:
        if started.get("pid") == os.getpid():
            return
        with lock:
            if started.get("pid") == os.getpid():
                return
            ensure_inline_updater(app)
            started["pid"] = os.getpid()


def ensure_inline_updater(app: Flask) -> None:
    """The process's updater thread (started once per process)."""
    current = app.extensions.get("index_updater")
    if current is not None and current.pid == os.getpid() and current.thread.is_alive():
        return
    start_background_indexer(app)
