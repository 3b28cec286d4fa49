"""Pages of result lists: one ``Page`` and one way to cut a query into pages, for every domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields
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


def envelope(page: Page, items: list[Any] | None = None) -> dict[str, Any]:
    """A page of results as every list endpoint answers it (see ``PageSchema``)."""
    return {"items": page.items if items is None else items, "page": page.page,
            "per_page": page.per_page, "total": page.total, "pages": page.pages}


class PageSchema(Schema):
    """The envelope of a page of results; a list's schema adds its ``items``."""

    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
