"""The pieces of ``ADOPTION_V1`` that say which products count, shared by the live
computation (``adoption.products_query``) and the summary that keeps it (``summary``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard
from registry.reports.definitions import COUNTING_DEGREES
from registry.standards.models import Adoption, Standard


def in_force_edition(cutoff: Any) -> Any:
    """The number of a declaration's edition in force at ``cutoff`` (a value or a column):
    the latest published before it (correlated to ``Declaration``)."""
    later = aliased(DeclarationEdition)
    return (select(func.max(later.number))
            .where(later.declaration_id == Declaration.id, later.published_at < cutoff)
            .scalar_subquery())


def adopting_flag(ed: Any) -> Any:
    """1 when the edition ``ed`` adopts under the definition's rules, else 0."""
    counting = (select(EditionStandard.id)
                .join(Adoption, Adoption.standard_id == EditionStandard.standard_id)
                .where(EditionStandard.edition_id == ed.id,
                       Adoption.degree.in_(COUNTING_DEGREES)).exists())
    cited_intl = (select(EditionStandard.id)
                  .join(Standard, Standard.id == EditionStandard.standard_id)
                  .where(EditionStandard.edition_id == ed.id,
                         Standard.level == "international").exists())
    direct = and_(ed.intl_standard.is_not(None), ed.intl_standard != "")
    return case((or_(direct, counting, cited_intl), 1), else_=0)


def in_force_at(cutoff: Any) -> list[Any]:
    """Conditions: the declaration was published before ``cutoff`` and not withdrawn by then."""
    return [Declaration.first_published_at < cutoff,
            or_(Declaration.withdrawn_at.is_(None), Declaration.withdrawn_at >= cutoff)]
