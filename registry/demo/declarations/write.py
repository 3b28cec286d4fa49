"""Writing planned declarations: validated like filed ones, inserted in batches.

Each edition goes through ``DeclarationInSchema`` and ``check_declaration`` (on its
publication date); rows, audit entries and the change feed equal what the services write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import bindparam, func, insert, select, text, update

from registry import numbers
from registry.audit import AuditEntry
from registry.declarations import checks, services
from registry.declarations.checks import check_declaration, errors_of
from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard, Indicator
from registry.declarations.schemas import DeclarationInSchema
from registry.demo import DEMO_SOURCE, DemoDataError
from registry.demo.declarations.enterprises import EnterpriseSpec
from registry.demo.declarations.plan import DeclarationSpec
from registry.enterprises.models import Enterprise
from registry.enterprises.services import validate_enterprise
from registry.extensions import db
from registry.search.outbox import record_changes
from registry.standards.models import Standard

ACTOR = "demo"  # the audit log's actor for generated filings


@cache
def _schema(cls: type) -> Any:
    return cls()


def _validated(data: dict[str, Any], day: dt.date, what: str) -> dict[str, Any]:
    """``data`` through DeclarationInSchema and check_declaration on ``day``; errors raise."""

    try:
        loaded: dict[str, Any] = _schema(DeclarationInSchema).load(data)
    except ValidationError as exc:
        raise DemoDataError(f"{what}: {exc.messages}") from exc
    bad = errors_of(check_declaration(loaded, today=day))
    if bad:
        raise DemoDataError(f"{what}: " + "; ".join(f"[{c.code}] {c.message}" for c in bad))
    return loaded


@contextmanager
def catalogue_in_memory(held: dict[str, Any]) -> Iterator[None]:
    """Serve check_declaration's catalogue look-ups from ``held`` (number key -> Standard).

    The checks are unchanged; only their one query per declaration is answered from memory
    (keys not held still go to the database). For loaders in a command, never a web process.
    """
    original = getattr(checks, "_catalogue", None)
    if original is None:  # the checks changed shape: run them as they are
        yield
        return

    def lookup(keys: set[str]) -> dict[str, Any]:
        out = {k: held[k] for k in keys if k in held}
        missing = {k for k in keys if k not in held}
        if missing:
            out.update(original(missing))
        return out

    checks._catalogue = lookup
    try:
        yield
    finally:
        checks._catalogue = original


@cache
def _parsed(text: str) -> Any:
    return numbers.try_parse(text)


def _canonical(text: str | None) -> str | None:
    if not text:
        return None
    parsed = _parsed(text)
    return parsed.canonical if parsed else text.strip()


def _key(text: str) -> str:
    parsed = _parsed(text)
    if parsed is None:
        raise DemoDataError(f"invalid standard number {text!r}")
    return str(parsed.key)


def _publish_action(kind: str) -> str:
    actions: dict[str, str] = getattr(services, "_PUBLISH_ACTIONS", {})
    return actions.get(kind, "declaration.publish")


def _new_ids(table: Any, n: int) -> list[int]:
    """``n`` primary keys for rows about to be inserted in this transaction.

    PostgreSQL draws them from the table's sequence; on SQLite the transaction already holds
    the write lock (the enterprises were just inserted), so max(id) cannot move under us.
    """

    if n == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": n}))
    start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return list(range(start + 1, start + n + 1))


_EDITION_FIELDS = ("product_name", "model", "category", "spec", "barcode", "is_main_product",
                   "annual_output_value", "intl_standard", "lower_statement", "change_note")


def write_declarations(pairs: Sequence[tuple[Any, DeclarationSpec]],
                       held: dict[str, Any]) -> int:
    """Validate and insert declarations of saved enterprises; returns how many. Never commits.

    ``pairs`` are (Enterprise row, spec); ``held`` maps number keys to catalogue rows. The
    rows equal what create_declaration / amend_declaration / withdraw_declaration write
    (edition by edition, as ``services._fill`` builds them), with the generated dates instead
    of now; audit entries likewise (actor ``demo``); the change feed gets one upsert per
    declaration. Core multi-row INSERTs: the ORM unit of work is ten times slower here.
    """

    if not pairs:
        return 0
    decl_t, ed_t = Declaration.__table__, DeclarationEdition.__table__
    decl_ids = _new_ids(decl_t, len(pairs))
    ed_ids = iter(_new_ids(ed_t, sum(len(spec.editions) for _, spec in pairs)))
    Rows = list[dict[str, Any]]
    decls: Rows = []
    eds: Rows = []
    stds: Rows = []
    inds: Rows = []
    audit: Rows = []
    current: Rows = []
    for decl_id, (ent, spec) in zip(decl_ids, pairs, strict=True):
        def entry(action: str, at: dt.datetime, detail: dict[str, Any],
                  ent: Any = ent, decl_id: int = decl_id) -> None:
            audit.append({"at": at, "user_id": None, "actor": ACTOR, "action": action,
                          "entity": "declaration", "entity_id": decl_id,
                          "enterprise_id": ent.id, "region_code": ent.region_code,
                          "detail": detail})
        published: list[tuple[int, dt.datetime]] = []
        for number, ed in enumerate(spec.editions, start=1):
            loaded = _validated(ed.data, ed.at.date(),
                                f"{ent.name} {ed.data['product_name']} 第 {number} 版")
            ed_id = next(ed_ids)
            pub = ed.at + dt.timedelta(minutes=3) if ed.published else None
            row = {name: loaded.get(name) for name in _EDITION_FIELDS}
            own = loaded.get("enterprise_standard")
            row.update(id=ed_id, declaration_id=decl_id, number=number, kind=ed.kind,
                       intl_standard=_canonical(loaded.get("intl_standard")),
                       ent_std_number=_canonical(own["number"]) if own else None,
                       ent_std_title=own["title"] if own else None, attachment_name=None,
                       attachment_size=None, attachment=None, created_by_id=None,
                       created_at=ed.at, published_at=pub)
            eds.append(row)
            keys = dict.fromkeys(_key(n) for n in loaded.get("standards") or [])
            stds.extend({"edition_id": ed_id, "standard_id": held[k].id, "number": held[k].number,
                         "position": i} for i, k in enumerate(keys) if k in held)
            inds.extend({"edition_id": ed_id, "position": i, "name": ind["name"],
                         "value": ind["value"], "unit": ind.get("unit"),
                         "direction": ind.get("direction", "higher"),
                         "test_method": ind.get("test_method"),
                         "ref_standard": _canonical(ind.get("ref_standard")),
                         "ref_value": ind.get("ref_value")}
                        for i, ind in enumerate(loaded.get("indicators") or []))
            if number == 1:
                entry("declaration.create", ed.at, {"product": loaded["product_name"]})
            if pub is not None:
                published.append((ed_id, pub))
                entry(_publish_action(ed.kind), pub, {"edition": number, "kind": ed.kind})
        if spec.state == "withdrawn":
            assert spec.withdrawn_at is not None
            entry("declaration.withdraw", spec.withdrawn_at, {"reason": spec.withdrawn_reason})
        last = spec.editions[-1]
        decls.append({"id": decl_id, "enterprise_id": ent.id, "state": spec.state,
                      "current_edition_id": None, "withdrawn_reason": spec.withdrawn_reason,
                      "withdrawn_at": spec.withdrawn_at,
                      "first_published_at": published[0][1] if published else None,
                      "source": DEMO_SOURCE, "created_at": spec.editions[0].at,
                      "updated_at": spec.withdrawn_at or (published[-1][1] if published
                                                          else last.at)})
        if published:
            current.append({"d_id": decl_id, "ed_id": published[-1][0]})
    db.session.flush()  # pending ORM work (the enterprises) goes first
    db.session.execute(insert(decl_t), decls)
    db.session.execute(insert(ed_t), eds)
    if current:  # the circular reference, as the ORM's post_update sets it
        db.session.execute(update(decl_t).where(decl_t.c.id == bindparam("d_id"))
                           .values(current_edition_id=bindparam("ed_id")), current)
    for table, rows in ((EditionStandard.__table__, stds), (Indicator.__table__, inds),
                        (AuditEntry.__table__, audit)):
        if rows:
            db.session.execute(insert(table), rows)
    record_changes(db.session(), {("declaration", i): "upsert" for i in decl_ids})
    return len(decls)


def _enterprise_rows(specs: Sequence[EnterpriseSpec]) -> list[Any]:
    rows = []
    for e in specs:
        clean = validate_enterprise({"name": e.name, "credit_code": e.credit_code,
                                     "region_code": e.region_code,
                                     "industry_code": e.industry_code})
        created = dt.datetime.combine(e.founded, dt.time(9))
        rows.append(Enterprise(name=clean["name"], credit_code=clean["credit_code"],
                               region_code=clean["region_code"],
                               industry_code=clean["industry_code"], above_scale=e.above_scale,
                               certificates=list(e.certificates), address=e.address,
                               source=DEMO_SOURCE, created_at=created, updated_at=created))
    return rows


def held_standards(decls: Sequence[DeclarationSpec]) -> dict[str, Any]:
    """The catalogue rows the specs cite or refer to, detached (commits do not expire them)."""
    keys: set[str] = set()
    for d in decls:
        for ed in d.editions:
            keys.update(_key(n) for n in ed.data.get("standards", []))
            keys.update(_key(i["ref_standard"])
                        for i in ed.data.get("indicators", []) if i.get("ref_standard"))
    return _detached(Standard.number_key, sorted(keys))


def _detached(column: Any, values: Sequence[Any], chunk: int = 2000) -> dict[str, Any]:
    """Catalogue rows whose ``column`` is in ``values``, by number key, detached from the
    session so that the loader's commits do not expire them."""

    held: dict[str, Any] = {}
    for i in range(0, len(values), chunk):
        rows = db.session.scalars(select(Standard).where(column.in_(values[i:i + chunk]))).all()
        for std in rows:
            db.session.expunge(std)
            held[std.number_key] = std
    return held
