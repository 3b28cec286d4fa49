"""Pages of result lists: one ``Page`` and one way to cut a query into pages, for every domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from registry.extensions import db


@dataclass
class Page:
    """One page of a result list."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(stmt: Select[Any], page: int, per_page: int, *order_by: Any) -> Page:
    """Page ``page`` of ``stmt`` in ``order_by`` order, with the total count of its rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.order_by(*order_by).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return Page(list(rows), int(total or 0), page, per_page)


def empty_page(page: int, per_page: int) -> Page:
    return Page([], 0, page, per_page)
