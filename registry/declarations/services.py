"""Declaration use cases: draft, publish, amend/revise, withdraw, read, compare editions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry import audit, numbers
from registry.accounts.models import User
from registry.declarations.checks import Check, check_declaration, errors_of
from registry.declarations.models import (
    EDITION_KINDS,
    Declaration,
    DeclarationEdition,
    EditionStandard,
    Indicator,
    WatchFlag,
)
from registry.declarations.watch import resolve_flags
from registry.enterprises.models import Enterprise
from registry.enterprises.services import can_act_for, get_enterprise, require_act_for
from registry.errors import Conflict, Forbidden, NotFound, ValidationError
from registry.extensions import db, utcnow
from registry.paging import Page, paginate
from registry.standards.models import Standard

_FIELDS = ("product_name", "model", "category", "spec", "barcode", "is_main_product",
           "annual_output_value", "intl_standard", "lower_statement", "change_note")


def filing_enterprise(user: User, credit_code: str | None = None) -> Enterprise:
    """The enterprise ``user`` files a declaration for (the one rule of every face).

    Members file for their own enterprise (naming another is refused); administrators
    must name one by credit code; officers oversee and never file.
    """
    if user.role == "member":
        own = user.enterprise
        if own is None:
            raise Forbidden("该账号未关联企业，不能填报声明")
        if credit_code and credit_code.strip().upper() != own.credit_code:
            raise Forbidden("只能为本企业填报声明")
        return own
    if user.role != "admin":
        raise Forbidden("监管人员不能填报声明")
    if not credit_code or not credit_code.strip():
        raise ValidationError("管理员须指定企业", {"enterprise": ["请填写企业的统一社会信用代码"]})
    try:
        return get_enterprise(credit_code)
    except NotFound as exc:
        raise ValidationError("企业不存在", {"enterprise": [exc.message]}) from exc


class CheckFailed(ValidationError):
    """Publishing refused: the checks found errors (listed in ``checks``)."""

    code = "check_failed"

    def __init__(self, checks: list[Check], blocking: list[Check] | None = None) -> None:
        errors: dict[str, list[str]] = {}
        for c in errors_of(checks) if blocking is None else blocking:
            errors.setdefault(c.field, []).append(f"[{c.code}] {c.message}")
        super().__init__("声明未通过检查，请按提示修改", errors)
        self.checks = checks


def _fill(edition: DeclarationEdition, data: dict[str, Any],
          attachment: tuple[str, bytes] | None) -> None:
    for name in _FIELDS:
        if name in data:
            setattr(edition, name, data[name])
    if data.get("intl_standard"):
        p = numbers.try_parse(data["intl_standard"])
        edition.intl_standard = p.canonical if p else data["intl_standard"]
    own = data.get("enterprise_standard")
    # drafts may hold numbers that do not parse yet (the checks say so): keep them as typed
    edition.ent_std_number = _canonical_or_text(own["number"]) if own else None
    edition.ent_std_title = own["title"] if own else None
    keys = [numbers.parse(n).key for n in data.get("standards") or []]
    held = {s.number_key: s for s in db.session.scalars(
        select(Standard).where(Standard.number_key.in_(keys)))} if keys else {}
    edition.standards = [EditionStandard(standard_id=held[k].id, number=held[k].number,
                                         position=i)
                         for i, k in enumerate(dict.fromkeys(keys)) if k in held]
    edition.indicators = [
        Indicator(position=i, name=ind["name"], value=ind["value"], unit=ind.get("unit"),
                  direction=ind.get("direction", "higher"), test_method=ind.get("test_method"),
                  ref_standard=(_canonical_or_text(ind["ref_standard"])
                                if ind.get("ref_standard") else None),
                  ref_value=ind.get("ref_value"))
        for i, ind in enumerate(data.get("indicators") or [])]
    if attachment is not None:
        edition.attachment_name, edition.attachment = attachment
        edition.attachment_size = len(attachment[1])


def _canonical_or_text(text: str) -> str:
    parsed = numbers.try_parse(text)
    return parsed.canonical if parsed else text.strip()


def _require_clean(data: dict[str, Any], attachment: tuple[str, bytes] | None,
                   blocking: bool) -> list[Check]:
    checks = check_declaration(data, attachment)
    # drafts may be saved with open problems, but never with numbers that cannot be stored
    fatal = {"standard_number_invalid", "standard_unknown", "attachment_type", "attachment_size"}
    bad = errors_of(checks) if blocking else [c for c in checks if c.code in fatal]
    if bad:
        raise CheckFailed(checks, bad)
    return checks


def create_declaration(enterprise: Enterprise, data: dict[str, Any], actor: User | None,
                       attachment: tuple[str, bytes] | None = None, publish: bool = False,
                       source: str = "web") -> tuple[Declaration, list[Check]]:
    """A new declaration with its first edition, as a draft or published at once."""
    require_act_for(actor, enterprise)
    checks = _require_clean(data, attachment, blocking=publish)
    decl = Declaration(enterprise_id=enterprise.id, state="draft", source=source)
    edition = DeclarationEdition(number=1, kind="initial",
                                 created_by_id=actor.id if actor else None)
    _fill(edition, data, attachment)
    decl.editions.append(edition)
    db.session.add(decl)
    db.session.flush()
    audit.record(actor, "declaration.create", "declaration", decl.id, enterprise,
                 product=edition.product_name)
    if publish:
        _publish(decl, edition, actor, enterprise)
    return decl, checks


def update_draft(decl: Declaration, data: dict[str, Any], actor: User | None,
                 attachment: tuple[str, bytes] | None = None) -> list[Check]:
    """Change the edition being prepared (never a published one)."""
    require_act_for(actor, decl.enterprise)
    draft = decl.draft
    if draft is None:
        raise Conflict("已公开的声明不能直接修改，请提交修改或修订（将生成新版本）")
    checks = _require_clean(data, attachment, blocking=False)
    _fill(draft, data, attachment)
    db.session.flush()
    audit.record(actor, "declaration.update_draft", "declaration", decl.id, decl.enterprise)
    return checks


def publish_declaration(decl: Declaration, actor: User | None) -> list[Check]:
    """Publish the draft edition after the checks pass (errors refuse, nothing changes)."""
    require_act_for(actor, decl.enterprise)
    if decl.state == "withdrawn":
        raise Conflict("已废止的声明不能再公开")
    draft = decl.draft
    if draft is None:
        raise Conflict("没有待公开的草稿")
    checks = _require_clean(edition_data(draft), None, blocking=True)
    _publish(decl, draft, actor, decl.enterprise)
    return checks


_PUBLISH_ACTIONS = {"initial": "declaration.publish", "amendment": "declaration.amend",
                    "revision": "declaration.revise"}


def _publish(decl: Declaration, edition: DeclarationEdition, actor: User | None,
             enterprise: Enterprise) -> None:
    now = utcnow()
    edition.published_at = now
    decl.current_edition = edition
    decl.state = "published"
    decl.first_published_at = decl.first_published_at or now
    db.session.flush()

    resolve_flags(decl)
    audit.record(actor, _PUBLISH_ACTIONS.get(edition.kind, "declaration.publish"), "declaration",
                 decl.id, enterprise, edition=edition.number, kind=edition.kind)


def amend_declaration(decl: Declaration, data: dict[str, Any], actor: User | None,
                      kind: str = "amendment",
                      attachment: tuple[str, bytes] | None = None) -> list[Check]:
    """A new published edition (修改 or 修订); earlier editions stay readable."""
    require_act_for(actor, decl.enterprise)
    if kind not in EDITION_KINDS[1:]:
        raise ValidationError("版本类型无效", {"kind": ["必须是 amendment（修改）或 revision（修订）"]})
    if decl.state != "published" or decl.current_edition is None:
        raise Conflict("只有已公开的声明可以修改或修订")
    checks = _require_clean(data, attachment, blocking=True)
    current = decl.current_edition
    edition = DeclarationEdition(number=max(e.number for e in decl.editions) + 1, kind=kind,
                                 created_by_id=actor.id if actor else None)
    if attachment is None and current.attachment_name:
        attachment = (current.attachment_name, current.attachment or b"")
    _fill(edition, data, attachment)
    decl.editions.append(edition)
    db.session.flush()
    _publish(decl, edition, actor, decl.enterprise)
    return checks


def withdraw_declaration(decl: Declaration, reason: str, actor: User | None) -> None:
    """Withdraw (废止) a published declaration, keeping all its editions."""
    require_act_for(actor, decl.enterprise)
    if decl.state != "published":
        raise Conflict("只有已公开的声明可以废止")
    if not reason or len(reason.strip()) < 2:
        raise ValidationError("请填写废止原因", {"reason": ["请填写废止原因（至少 2 个字）"]})
    decl.state, decl.withdrawn_reason, decl.withdrawn_at = "withdrawn", reason.strip(), utcnow()
    # a withdrawn declaration no longer executes anything: its watch flags are closed
    # (queried, not decl.flags: flags may have been added since that list was loaded)
    for flag in db.session.scalars(select(WatchFlag).where(
            WatchFlag.declaration_id == decl.id, WatchFlag.resolved_at.is_(None))):
        flag.resolved_at = decl.withdrawn_at
    db.session.flush()
    audit.record(actor, "declaration.withdraw", "declaration", decl.id, decl.enterprise,
                 reason=reason.strip())


def delete_draft(decl: Declaration, actor: User | None) -> None:
    """Discard a never-published declaration (nothing published is ever deleted)."""
    require_act_for(actor, decl.enterprise)
    if decl.published_editions:
        raise Conflict("已公开过的声明不能删除，只能废止")
    audit.record(actor, "declaration.delete_draft", "declaration", decl.id, decl.enterprise)
    db.session.delete(decl)
    db.session.flush()


# -- reading ------------------------------------------------------------------------------

def edition_data(edition: DeclarationEdition) -> dict[str, Any]:
    """An edition as DeclarationInSchema data (to re-check it or start the next one)."""
    data = {name: getattr(edition, name) for name in _FIELDS}
    data["standards"] = [s.number for s in edition.standards]
    data["enterprise_standard"] = ({"number": edition.ent_std_number,
                                    "title": edition.ent_std_title or ""}
                                   if edition.ent_std_number else None)
    data["indicators"] = [i.as_dict() for i in edition.indicators]
    return data


def get_declaration(decl_id: int, viewer: User | None) -> Declaration:
    """A declaration as ``viewer`` may see it: drafts only for its own enterprise."""
    decl = db.session.scalar(
        select(Declaration).where(Declaration.id == decl_id).options(
            selectinload(Declaration.editions).selectinload(DeclarationEdition.standards)
            .selectinload(EditionStandard.standard),
            selectinload(Declaration.editions).selectinload(DeclarationEdition.indicators),
            selectinload(Declaration.enterprise)))
    if decl is None or (decl.state == "draft" and not can_act_for(viewer, decl.enterprise)):
        raise NotFound(f"没有编号为 {decl_id} 的声明")
    return decl


def visible_editions(decl: Declaration, viewer: User | None) -> list[DeclarationEdition]:
    """Published editions, plus the draft for the enterprise's own people."""
    if can_act_for(viewer, decl.enterprise):
        return list(decl.editions)
    return decl.published_editions


def list_declarations(*, enterprise: Enterprise | None = None, viewer: User | None = None,
                      state: str | None = None, standard: Standard | None = None,
                      page: int = 1, per_page: int = 20) -> Page:
    """Declarations in newest-first order; drafts only for the enterprise's own people."""
    stmt = select(Declaration).options(
        selectinload(Declaration.editions).selectinload(DeclarationEdition.standards),
        selectinload(Declaration.current_edition), selectinload(Declaration.enterprise))
    if enterprise is not None:
        stmt = stmt.where(Declaration.enterprise_id == enterprise.id)
    own = enterprise is not None and can_act_for(viewer, enterprise)
    if not own:
        stmt = stmt.where(Declaration.state != "draft")
    if state:
        stmt = stmt.where(Declaration.state == state)
    if standard is not None:
        stmt = stmt.where(Declaration.current_edition_id.in_(
            select(EditionStandard.edition_id).where(EditionStandard.standard_id == standard.id)))
    return paginate(stmt, page, per_page, Declaration.id.desc())


def diff_snapshots(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two editions' snapshots: [{field, old, new}], indicators by
    name (``reading.compare_editions`` gives each viewer the comparison it may see)."""
    out: list[dict[str, Any]] = []
    for key in a:
        if key in ("standards", "indicators"):
            continue
        if a[key] != b.get(key):
            out.append({"field": key, "old": a[key], "new": b.get(key)})
    removed = [n for n in a["standards"] if n not in b["standards"]]
    added = [n for n in b["standards"] if n not in a["standards"]]
    if removed or added:
        out.append({"field": "standards", "old": removed, "new": added})
    old_ind = {i["name"]: i for i in a["indicators"]}
    new_ind = {i["name"]: i for i in b["indicators"]}
    for name in dict.fromkeys(list(old_ind) + list(new_ind)):
        if old_ind.get(name) != new_ind.get(name):
            out.append({"field": f"indicator:{name}", "old": old_ind.get(name),
                        "new": new_ind.get(name)})
    return out


def flags_for(enterprise: Enterprise, *, include_resolved: bool = False, page: int = 1,
              per_page: int = 50) -> Page:
    """Watch flags on an enterprise's declarations, newest first (open ones only by default)."""
    stmt = (select(WatchFlag).join(Declaration, Declaration.id == WatchFlag.declaration_id)
            .where(Declaration.enterprise_id == enterprise.id)
            .options(selectinload(WatchFlag.standard),
                     selectinload(WatchFlag.declaration).selectinload(Declaration.current_edition)))
    if not include_resolved:
        stmt = stmt.where(WatchFlag.resolved_at.is_(None))
    return paginate(stmt, page, per_page, WatchFlag.id.desc())
