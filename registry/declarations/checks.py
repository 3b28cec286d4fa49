"""Checks run while a declaration is typed and again when it is published.

Every check has a stable code (clients key on it) and a Chinese message. ``error`` blocks
publishing; ``warning`` is shown but does not.

| code | level | what |
|---|---|---|
| no_standard | error | neither a catalogue standard nor an own enterprise standard |
| standard_number_invalid | error | a cited number does not parse |
| standard_unknown | error | a cited number is not in the catalogue |
| standard_replaced | error | cited edition replaced: the successor is suggested |
| standard_abolished | error | cited standard abolished |
| standard_upcoming | warning | cited standard not yet in force |
| enterprise_standard_number_invalid | error | own standard number is not a Q/ number |
| enterprise_standard_no_indicators | error | own standard without indicators |
| indicator_ref_unknown | error | an indicator's reference standard is not catalogued |
| indicator_ref_value_missing | error | reference standard given without its value |
| indicator_below_mandatory | error | worse than a mandatory standard's value |
| indicator_below_recommended | error | worse than a recommended standard, no explicit statement |
| indicator_below_recommended_stated | warning | ditto, with the statement |
| intl_standard_invalid | error | the international standard named does not parse |
| attachment_type | error | attachment is not a PDF |
| attachment_size | error | attachment larger than the limit |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from registry import numbers
from registry.extensions import db
from registry.standards.models import Standard
from registry.standards.services import latest_successor

MAX_ATTACHMENT = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


@dataclass
class Check:
    code: str
    level: str  # 'error' | 'warning'
    field: str
    message: str
    suggestion: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _catalogue(keys: set[str]) -> dict[str, Standard]:
    if not keys:
        return {}
    rows = db.session.scalars(select(Standard).where(Standard.number_key.in_(keys)))
    return {s.number_key: s for s in rows}


def _worse(value: float, ref: float, direction: str) -> bool:
    if direction == "higher":
        return value < ref
    if direction == "lower":
        return value > ref
    return False


def check_declaration(data: dict[str, Any], attachment: tuple[str, bytes] | None = None,
                      today: dt.date | None = None,
                      max_attachment: int = MAX_ATTACHMENT) -> list[Check]:
    """All checks for a declaration's content (``data`` as loaded by DeclarationInSchema)."""
    today = today or dt.date.today()
    out: list[Check] = []
    parsed: dict[int, numbers.StandardNumber] = {}
    for i, text in enumerate(data.get("standards") or []):
        try:
            parsed[i] = numbers.parse(text)
        except numbers.NumberError as exc:
            out.append(Check("standard_number_invalid", "error", f"standards.{i}",
                             f"标准号“{text}”无效：{exc.message}"))
    refs: dict[int, numbers.StandardNumber] = {}
    for i, ind in enumerate(data.get("indicators") or []):
        if ind.get("ref_standard"):
            p = numbers.try_parse(ind["ref_standard"])
            if p is None:
                out.append(Check("indicator_ref_unknown", "error", f"indicators.{i}.ref_standard",
                                 f"参考标准“{ind['ref_standard']}”不是有效的标准号"))
            else:
                refs[i] = p
    held = _catalogue({p.key for p in parsed.values()} | {p.key for p in refs.values()})

    own = data.get("enterprise_standard")
    if not parsed and not own and not any(c.code == "standard_number_invalid" for c in out):
        out.append(Check("no_standard", "error", "standards",
                         "请至少选择一项执行标准，或填写本企业标准"))
    for i, p in parsed.items():
        std = held.get(p.key)
        field = f"standards.{i}"
        if std is None:
            out.append(Check("standard_unknown", "error", field,
                             f"标准目录中没有 {p.canonical}，请从目录中选择"))
            continue
        status = std.status_on(today)
        if status == "replaced":
            newer = latest_successor(std)
            out.append(Check("standard_replaced", "error", field,
                             f"{std.number} 已被代替" + (f"，现行版本为 {newer.number}" if newer else ""),
                             newer.number if newer else None))
        elif status == "abolished":
            out.append(Check("standard_abolished", "error", field,
                             f"{std.number} 已废止，不能作为执行标准"))
        elif status == "upcoming":
            out.append(Check("standard_upcoming", "warning", field,
                             f"{std.number} 将于 {std.effective_on} 实施，尚未生效"))

    indicators = data.get("indicators") or []
    if own:
        p = numbers.try_parse(own.get("number") or "")
        if p is None or p.level != "enterprise":
            out.append(Check("enterprise_standard_number_invalid", "error",
                             "enterprise_standard.number",
                             "企业标准编号应形如 Q/ABC 001-2024"))
        if not indicators:
            out.append(Check("enterprise_standard_no_indicators", "error", "indicators",
                             "执行企业标准的，必须公开产品的功能指标和性能指标"))
    for i, ind in enumerate(indicators):
        p = refs.get(i)
        if p is None:
            continue
        std = held.get(p.key)
        field = f"indicators.{i}"
        if std is None:
            out.append(Check("indicator_ref_unknown", "error", f"{field}.ref_standard",
                             f"参考标准 {p.canonical} 不在标准目录中"))
            continue
        if ind.get("ref_value") is None:
            out.append(Check("indicator_ref_value_missing", "error", f"{field}.ref_value",
                             f"请填写 {std.number} 中“{ind['name']}”的指标值"))
            continue
        if not _worse(float(ind["value"]), float(ind["ref_value"]), ind.get("direction", "higher")):
            continue
        label = f"“{ind['name']}”{ind['value']}{ind.get('unit') or ''}"
        if std.nature == "mandatory":
            out.append(Check("indicator_below_mandatory", "error", f"{field}.value",
                             f"{label} 低于强制性标准 {std.number} 的要求"
                             f"（{ind['ref_value']}{ind.get('unit') or ''}），不得声明"))
        elif (data.get("lower_statement") or "").strip():
            out.append(Check("indicator_below_recommended_stated", "warning", f"{field}.value",
                             f"{label} 低于推荐性标准 {std.number}，已作明示"))
        else:
            out.append(Check("indicator_below_recommended", "error", f"{field}.value",
                             f"{label} 低于推荐性标准 {std.number}，须在“低于推荐性标准的明示”中说明"))

    if data.get("intl_standard"):
        p = numbers.try_parse(data["intl_standard"])
        if p is None or p.level != "international":
            out.append(Check("intl_standard_invalid", "error", "intl_standard",
                             f"“{data['intl_standard']}”不是有效的国际或国外标准号"))
    if attachment is not None:
        name, blob = attachment
        if not name.lower().endswith(".pdf") or not blob.startswith(PDF_MAGIC):
            out.append(Check("attachment_type", "error", "attachment", "企业标准文本只接受 PDF 文件"))
        if len(blob) > max_attachment:
            out.append(Check("attachment_size", "error", "attachment",
                             f"企业标准文本不得超过 {max_attachment // (1024 * 1024)} MB"))
    return out


def errors_of(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.level == "error"]
