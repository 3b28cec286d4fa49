"""Demo data: a realistic, clearly generated catalogue, enterprises and declarations.

``registry demo`` (``demo/cli.py``) loads the catalogue (curated real standards and
generated ones, ``generator.py``), then enterprises and their declarations
(``demo/declarations/``), then builds the search index.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from registry.extensions import db
from registry.standards.models import Standard

DEMO_SOURCE = "demo"  # generated, invented records


def demo_reference() -> dt.date:
    """The generator's 'today': the month the demo was first loaded, else this month.

    Fixing it at the first load keeps reruns idempotent for good; as time passes the
    upcoming records simply come into force, as in a real catalogue.
    """
    from registry.demo.generator import default_reference  # (the generator is large)

    first = db.session.scalar(
        select(func.min(Standard.created_at)).where(Standard.source == DEMO_SOURCE))
    if first is None:
        return default_reference()
    return dt.date(first.year, first.month, 1)


class DemoDataError(Exception):
    """A demo record failed validation (a bug in the generator or the curated list)."""
