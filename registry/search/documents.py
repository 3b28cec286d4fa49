"""Search documents built from database rows (the index stores ids and facets, not text)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry import numbers
from registry.extensions import db
from registry.search.index import NEVER, date_int
from registry.standards.models import Standard

Doc = dict[str, Any]
STANDARD_BOOST = 1.5


def _keys(values: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(v.lower() for v in values if v))


def ics_prefixes(codes: Iterable[str]) -> list[str]:
    """'03.120.10' -> ['03', '03.120', '03.120.10'] (facet and filter on any level)."""
    out: list[str] = []
    for code in codes:
        parts = code.split(".")
        out.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
    return list(dict.fromkeys(out))


def number_keys(number: str) -> list[str]:
    """Every normalised writing of a number that should find it."""
    return list(_number_keys(number))


@lru_cache(maxsize=65536)  # declarations cite the same standards over and over
def _number_keys(number: str) -> tuple[str, ...]:
    parsed = numbers.try_parse(number)
    if parsed is None:
        return (numbers.compact(number),)
    return tuple(numbers.compact(v) for v in parsed.variants())


def sort_number(std: Standard) -> str:
    """Sortable number: level order, prefix, zero-padded sequence, year."""
    seq = ".".join(p.zfill(6) for p in std.seq_key.split(".") if p.isdigit()) or std.seq_key
    return f"{std.level}|{std.prefix}|{seq}|{std.year or 0:04d}"


def standard_doc(std: Standard) -> Doc:
    """The search document of one catalogue edition."""
    adopt: list[str] = []
    for a in std.adoptions:
        adopt.extend(number_keys(a.number))
    body = " ".join(filter(None, [
        std.scope, std.issuing_body, std.responsible_dept, std.technical_committee,
        " ".join(std.drafting_orgs or []), " ".join(a.title or "" for a in std.adoptions),
    ]))
    doc: Doc = {
        "id": f"standard:{std.id}",
        "kind": "standard",
        "numkeys": _keys(number_keys(std.number) + ([numbers.compact(std.dual_number)]
                                                    if std.dual_number else [])),
        "adopt": _keys(adopt),
        "title": std.title_zh or "",
        "title_bi": std.title_zh or "",
        "title_en": std.title_en or "",
        "body_bi": body,
        "level": "zzb" if std.is_zhejiang_made else std.level,
        "nature": std.nature or "none",
        "org": std.org or "",
        "ics": " ".join(ics_prefixes(std.ics)),
        "year": std.year or 0,
        "effective": date_int(std.effective_on),
        "withdrawn": date_int(std.withdrawn_on, NEVER),
        "end_kind": std.end_kind or "",
        "sortnum": sort_number(std),
        # the standard itself ranks above the declarations that cite or name it
        "_boost": STANDARD_BOOST,
    }
    doc["sig"] = signature(doc)
    return doc


def signature(doc: Doc) -> str:
    """A short hash of a document's content, to spot stale index entries."""
    payload = repr(sorted((k, v) for k, v in doc.items() if k != "sig")).encode()
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


def load_standards(ids: Sequence[int]) -> Iterator[Standard]:
    stmt = (select(Standard).where(Standard.id.in_(ids))
            .options(selectinload(Standard.ics_codes), selectinload(Standard.adoptions)))
    yield from db.session.scalars(stmt)


# entity -> (loader of rows by ids, document builder, all-ids query for rebuilds)
BUILDERS: dict[str, tuple[Callable[[Sequence[int]], Iterable[Any]],
                          Callable[[Any], Doc | None], Callable[[], Any]]] = {
    "standard": (load_standards, standard_doc, lambda: select(Standard.id).order_by(Standard.id)),
}


def register_entity(entity: str, loader: Callable[[Sequence[int]], Iterable[Any]],
                    builder: Callable[[Any], Doc | None], all_ids: Callable[[], Any]) -> None:
    """Make another kind of record (declarations, enterprises) searchable."""
    BUILDERS[entity] = (loader, builder, all_ids)


def docs_for(entity: str, ids: Sequence[int]) -> dict[int, Doc]:
    """Documents for the rows of ``entity`` with these ids that exist."""
    loader, builder, _ = BUILDERS[entity]
    out = {}
    for row in loader(ids):
        doc = builder(row)
        if doc is not None:  # e.g. a draft: not public, so not searchable
            out[row.id] = doc
    return out
