"""Enterprise use cases: register, look up, update, list; who may act for whom."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from registry import audit, identifiers
from registry.accounts.models import User
from registry.enterprises.models import Enterprise
from registry.errors import Conflict, Forbidden, NotFound, ValidationError
from registry.extensions import db
from registry.identifiers import region_covers, region_prefix
from registry.paging import Page, paginate


def validate_enterprise(data: dict[str, Any]) -> dict[str, Any]:
    """Check credit code, region and industry; returns cleaned fields or raises (422)."""
    errors: dict[str, list[str]] = {}
    out = dict(data)
    try:
        cc = identifiers.parse_credit_code(str(data.get("credit_code", "")))
        out["credit_code"] = cc.code
    except identifiers.IdentifierError as exc:
        errors["credit_code"] = [f"[{exc.code}] {exc.message}"]
        cc = None
    region = (data.get("region_code") or (cc.region if cc else "")).strip()
    try:
        out["region_code"] = identifiers.check_region(region)
    except identifiers.IdentifierError as exc:
        errors["region_code"] = [f"[{exc.code}] {exc.message}"]
    industry = str(data.get("industry_code") or "").strip().upper()
    if not industry or identifiers.industry_section(industry) is None:
        errors["industry_code"] = ["[industry_unknown] 行业代码应为 GB/T 4754 门类（A–T）或大类（两位数字）"]
    out["industry_code"] = industry
    name = str(data.get("name") or "").strip()
    if not 2 <= len(name) <= 200:
        errors["name"] = ["企业名称应为 2–200 个字符"]
    out["name"] = name
    if errors:
        raise ValidationError("企业信息有误", errors)
    return out


def register_enterprise(data: dict[str, Any], source: str = "signup") -> Enterprise:
    """Create an enterprise; one record per credit code."""
    clean = validate_enterprise(data)
    if db.session.scalar(select(Enterprise.id).where(
            Enterprise.credit_code == clean["credit_code"])) is not None:
        raise Conflict("该统一社会信用代码的企业已注册，请联系本企业的账号管理员",
                       {"credit_code": ["[credit_code_taken] 该企业已注册"]})
    ent = Enterprise(
        name=clean["name"], credit_code=clean["credit_code"], region_code=clean["region_code"],
        industry_code=clean["industry_code"], above_scale=bool(data.get("above_scale")),
        certificates=list(data.get("certificates") or []), address=data.get("address"),
        source=source)
    db.session.add(ent)
    db.session.flush()
    return ent


def update_enterprise(ent: Enterprise, data: dict[str, Any],
                      actor: User | None = None) -> Enterprise:
    """Change an enterprise's details (the credit code never changes).

    Permission is the caller's to check (``require_act_for``); given an ``actor``, the change
    is also written to the audit log with the names of the fields that changed.
    """
    merged = {"name": ent.name, "credit_code": ent.credit_code, "region_code": ent.region_code,
              "industry_code": ent.industry_code, **data}
    if merged["credit_code"] != ent.credit_code:
        raise ValidationError("统一社会信用代码不可修改", {"credit_code": ["不可修改"]})
    clean = validate_enterprise(merged)
    changed: list[str] = []
    for key in ("name", "region_code", "industry_code"):
        if getattr(ent, key) != clean[key]:
            changed.append(key)
        setattr(ent, key, clean[key])
    for key in ("above_scale", "certificates", "address"):
        if key in data:
            if getattr(ent, key) != data[key]:
                changed.append(key)
            setattr(ent, key, data[key])
    db.session.flush()
    if actor is not None:
        audit.record(actor, "enterprise.update", "enterprise", ent.id, ent, fields=changed)
    return ent


def get_enterprise(credit_code: str) -> Enterprise:
    """The enterprise with this credit code (any writing: spaces, full-width, lower case).

    An invalid code is a 404 whose ``errors`` say what is wrong with it.
    """
    try:
        code = identifiers.parse_credit_code(credit_code or "").code
    except identifiers.IdentifierError as exc:
        raise NotFound(f"没有统一社会信用代码为“{credit_code}”的企业：{exc.message}",
                       {"credit_code": [f"[{exc.code}] {exc.message}"]}) from exc
    ent = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if ent is None:
        raise NotFound(f"没有统一社会信用代码为“{credit_code}”的企业")
    return ent


def list_enterprises(*, q: str | None = None, region: str | None = None,
                     industry: str | None = None, page: int = 1, per_page: int = 20) -> Page:
    """Enterprises by name; ``q`` matches a name fragment or a whole credit code, ``region``
    a region and everything under it, ``industry`` a GB/T 4754 section (all its divisions)
    or a division (and its groups)."""
    stmt = select(Enterprise)
    if q and q.strip():
        stmt = stmt.where(or_(Enterprise.name.contains(q.strip(), autoescape=True),
                              Enterprise.credit_code == q.strip().upper()))
    if region and region.strip():
        stmt = stmt.where(Enterprise.region_code.startswith(region_prefix(region),
                                                            autoescape=True))
    if industry and industry.strip():
        stmt = stmt.where(industry_clause(industry))
    return paginate(stmt, page, per_page, Enterprise.name, Enterprise.id)


def industry_clause(industry: str, column: Any = Enterprise.industry_code) -> Any:
    """SQL condition for an industry filter on ``column`` (an enterprise's industry, or a
    copy of it): 'C' matches C and divisions 13–43, '38' 38x."""
    code = industry.strip().upper()
    if code.isalpha():
        divisions = [f"{n:02d}" for lo, hi, sec in identifiers.SECTION_DIVISIONS
                     if sec == code for n in range(lo, hi + 1)]
        return or_(column == code, func.substr(column, 1, 2).in_(divisions))
    return column.startswith(code, autoescape=True)


# -- permissions ------------------------------------------------------------------------

def can_act_for(user: User | None, ent: Enterprise) -> bool:
    """Members act for their own enterprise only; administrators for any."""
    if user is None:
        return False
    return user.role == "admin" or (user.role == "member" and user.enterprise_id == ent.id)


def require_act_for(user: User | None, ent: Enterprise) -> None:
    if not can_act_for(user, ent):
        raise Forbidden("只能为本企业办理")


def can_oversee(user: User | None, region_code: str | None) -> bool:
    """Officers read their region (and everything under it); administrators everything."""
    if user is None:
        return False
    return user.role == "admin" or (user.role == "officer"
                                    and region_covers(user.region_code, region_code))
