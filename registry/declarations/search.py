"""Declarations and enterprises in the one search index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import object_session, selectinload

from registry import identifiers
from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard, Indicator
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.search import outbox
from registry.search import services as search_services
from registry.search.documents import Doc, _keys, number_keys, register_entity, signature
from registry.search.index import NEVER, date_int


def _industry_terms(code: str) -> str:
    section = identifiers.industry_section(code) or ""
    return " ".join(dict.fromkeys(filter(None, [section, code[:2], code])))


def declaration_doc(decl: Declaration | SimpleNamespace) -> Doc | None:
    """Published declarations are searchable by product, enterprise and standard number."""
    ed = decl.current_edition
    if decl.state != "published" or ed is None:
        return None
    ent = decl.enterprise
    keys: list[str] = []
    for s in ed.standards:
        keys.extend(number_keys(s.number))
    if ed.ent_std_number:
        keys.extend(number_keys(ed.ent_std_number))
    title = " ".join(filter(None, [ed.product_name, ed.model]))
    body = " ".join(filter(None, [ent.name, ed.category, ed.ent_std_title,
                                  " ".join(i.name for i in ed.indicators)]))
    doc: Doc = {
        "id": f"declaration:{decl.id}", "kind": "declaration", "numkeys": "",
        "cites": _keys(keys),
        "adopt": _keys(number_keys(ed.intl_standard) if ed.intl_standard else []),
        "title": title, "title_bi": title, "title_en": "", "body_bi": body,
        "level": "", "nature": "", "org": "", "ics": "",
        "region": " ".join(ent.region_chain), "industry": _industry_terms(ent.industry_code),
        "year": decl.first_published_at.year if decl.first_published_at else 0,
        "effective": date_int(ed.published_at.date() if ed.published_at else None),
        "withdrawn": NEVER, "end_kind": "", "sortnum": f"declaration|{decl.id:012d}",
    }
    doc["sig"] = signature(doc)
    return doc


def enterprise_doc(ent: Enterprise) -> Doc:
    doc: Doc = {
        "id": f"enterprise:{ent.id}", "kind": "enterprise",
        "numkeys": ent.credit_code.lower(), "adopt": "", "title": ent.name,
        "title_bi": ent.name, "title_en": "",
        "body_bi": ent.address or "", "level": "", "nature": "", "org": "", "ics": "",
        "region": " ".join(ent.region_chain), "industry": _industry_terms(ent.industry_code),
        "year": 0, "effective": 0, "withdrawn": NEVER, "end_kind": "",
        "sortnum": f"enterprise|{ent.credit_code}",
    }
    doc["sig"] = signature(doc)
    return doc


def load_declarations(ids: Sequence[int]) -> Iterator[Declaration]:
    yield from db.session.scalars(
        select(Declaration).where(Declaration.id.in_(ids)).options(
            selectinload(Declaration.enterprise),
            selectinload(Declaration.current_edition).selectinload(DeclarationEdition.standards),
            selectinload(Declaration.current_edition).selectinload(DeclarationEdition.indicators)))


def index_rows(ids: Sequence[int]) -> Iterator[SimpleNamespace]:
    """What ``declaration_doc`` reads, from three plain queries (indexing only).

    Rebuilds and the updater need a few columns of a declaration, its current edition, its
    enterprise, cited numbers and indicator names — not full ORM objects of five tables,
    which cost about three quarters of building a document. The rows carry the same
    attribute names, so ``declaration_doc`` builds the same document from either.
    """
    D, E, Ent = Declaration, DeclarationEdition, Enterprise
    rows = db.session.execute(
        select(D.id, D.state, D.first_published_at, E.id, E.product_name, E.model,
               E.category, E.ent_std_title, E.ent_std_number, E.intl_standard, E.published_at,
               Ent.name, Ent.region_code, Ent.industry_code)
        .join(Ent, Ent.id == D.enterprise_id).outerjoin(E, E.id == D.current_edition_id)
        .where(D.id.in_(ids))).all()
    editions = [r[3] for r in rows if r[3] is not None]
    numbers: dict[int, list[SimpleNamespace]] = defaultdict(list)
    names: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for i in range(0, len(editions), 500):
        chunk = editions[i:i + 500]
        for ed_id, number in db.session.execute(
                select(EditionStandard.edition_id, EditionStandard.number)
                .where(EditionStandard.edition_id.in_(chunk))
                .order_by(EditionStandard.edition_id, EditionStandard.position)):
            numbers[ed_id].append(SimpleNamespace(number=number))
        for ed_id, name in db.session.execute(
                select(Indicator.edition_id, Indicator.name)
                .where(Indicator.edition_id.in_(chunk))
                .order_by(Indicator.edition_id, Indicator.position)):
            names[ed_id].append(SimpleNamespace(name=name))
    for (decl_id, state, first_published_at, ed_id, product_name, model, category,
         ent_std_title, ent_std_number, intl_standard, published_at, ent_name, region_code,
         industry_code) in rows:
        edition = None if ed_id is None else SimpleNamespace(
            product_name=product_name, model=model, category=category,
            ent_std_title=ent_std_title, ent_std_number=ent_std_number,
            intl_standard=intl_standard, published_at=published_at,
            standards=numbers.get(ed_id, []), indicators=names.get(ed_id, []))
        enterprise = SimpleNamespace(name=ent_name, industry_code=industry_code,
                                     region_chain=identifiers.region_chain(region_code))
        yield SimpleNamespace(id=decl_id, state=state, first_published_at=first_published_at,
                              current_edition=edition, enterprise=enterprise)


def load_enterprises(ids: Sequence[int]) -> Iterator[Enterprise]:
    yield from db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))


# what a declaration's document reads from its enterprise (declaration_doc, index_rows)
_SHOWN_ON_DECLARATIONS = ("name", "region_code", "industry_code")


def _enterprise_targets(ent: Enterprise) -> list[tuple[str, int]]:
    """An enterprise's own document, and its published declarations' when it changes
    what they show (renamed, moved): they would otherwise stay stale in the index."""
    out = [("enterprise", ent.id)]
    state: Any = sa_inspect(ent)
    if ent.id is None or state.pending or not any(
            state.attrs[name].history.has_changes() for name in _SHOWN_ON_DECLARATIONS):
        return out
    session = object_session(ent)
    if session is None:
        return out
    ids = session.connection().scalars(
        select(Declaration.id).where(Declaration.enterprise_id == ent.id,
                                     Declaration.state == "published"))
    out.extend(("declaration", i) for i in ids)
    return out


def install() -> None:
    """Register both kinds with the indexer, the change feed and the result loaders."""
    register_entity("declaration", index_rows, declaration_doc,
                    lambda: select(Declaration.id).where(Declaration.state == "published")
                    .order_by(Declaration.id))
    register_entity("enterprise", load_enterprises, enterprise_doc,
                    lambda: select(Enterprise.id).order_by(Enterprise.id))
    outbox.track(Declaration, lambda d: [("declaration", d.id)], entity="declaration")
    outbox.track(DeclarationEdition,
                 lambda e: [("declaration", e.declaration_id)] if e.declaration_id else [])
    outbox.track(Enterprise, _enterprise_targets, entity="enterprise")

    def _decls(ids: Sequence[int]) -> dict[int, Any]:
        return {d.id: d for d in load_declarations(ids)}

    def _ents(ids: Sequence[int]) -> dict[int, Any]:
        return {e.id: e for e in load_enterprises(ids)}

    search_services.LOADERS["declaration"] = _decls
    search_services.LOADERS["enterprise"] = _ents
