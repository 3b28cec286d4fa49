"""The ``registry`` command line: a Flask CLI group over ``create_app()``.

Every command works on the same configuration as the web app; the commands themselves
are listed in ``registry/commands.py``.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup

from registry import create_app


def _create_app(*_: Any) -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """标准信息平台 registry: serve, demo, import, init-db, create-user, reindex ..."""
