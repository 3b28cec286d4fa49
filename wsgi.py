"""WSGI entry point: ``gunicorn wsgi:app`` or ``waitress-serve wsgi:app``."""

from registry import create_app
from registry.requestlog import configure_logging

app = create_app()
configure_logging(app)
