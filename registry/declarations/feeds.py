"""Atom 1.0 feeds: an enterprise's declarations, and the declarations citing a standard."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from registry import labels
from registry.declarations.models import Declaration, DeclarationEdition, EditionStandard, WatchFlag
from registry.enterprises.models import Enterprise
from registry.extensions import db
from registry.standards.models import Standard
from registry.standards.services import successors_of

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100


@dataclass
class Entry:
    id: str
    title: str
    updated: dt.datetime
    link: str
    summary: str


def _stamp(when: dt.datetime | dt.date | None) -> str:
    if when is None:
        when = dt.datetime(1970, 1, 1)
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time())
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path


def _tag(kind: str, ident: str) -> str:
    """A stable entry id that does not change when the site moves (RFC 4151)."""
    return f"tag:{request.host.split(':')[0]},2024:{kind}:{ident}"


def render(feed_id: str, title: str, self_url: str, alternate: str, entries: list[Entry]) -> bytes:
    """The feed as UTF-8 XML, entries newest first."""
    ET.register_namespace("", ATOM)
    entries = sorted(entries, key=lambda e: e.updated, reverse=True)[:MAX_ENTRIES]
    root = ET.Element(f"{{{ATOM}}}feed")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(root, f"{{{ATOM}}}title").text = title
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _stamp(
        entries[0].updated if entries else None)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_url,
                  type="application/atom+xml")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=alternate, type="text/html")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "标准信息平台"
    ET.SubElement(root, f"{{{ATOM}}}generator").text = "registry"
    for e in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = e.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = e.title
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _stamp(e.updated)
        ET.SubElement(node, f"{{{ATOM}}}link", rel="alternate", href=e.link, type="text/html")
        ET.SubElement(node, f"{{{ATOM}}}summary").text = e.summary
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _label(ed: DeclarationEdition) -> str:
    return " ".join(filter(None, [ed.product_name, ed.model]))


def _declaration_entries(decl: Declaration, citing: int | None = None) -> list[Entry]:
    """One entry per published edition (those citing standard ``citing``), one for a withdrawal."""
    out = []
    who = f"{decl.enterprise.name} · " if citing is not None else ""
    for ed in decl.published_editions:
        if ed.published_at is None or (
                citing is not None and all(s.standard_id != citing for s in ed.standards)):
            continue
        verb = {"initial": "公开声明", "amendment": "修改声明", "revision": "修订声明"}[ed.kind]
        nums = "、".join(s.number for s in ed.standards)
        own = ed.ent_std_number or ""
        summary = f"{who}{_label(ed)}，执行标准：{'、'.join(filter(None, [nums, own])) or '—'}"
        if ed.change_note:
            summary += f"。变更说明：{ed.change_note}"
        out.append(Entry(
            id=_tag("declaration", f"{decl.id}/edition/{ed.number}"),
            title=f"{verb}：{who}{_label(ed)}（第 {ed.number} 版）", updated=ed.published_at,
            link=_absolute(url_for("declarations.edition", decl_id=decl.id, number=ed.number)),
            summary=summary))
    if decl.state == "withdrawn" and decl.latest is not None:
        out.append(Entry(
            id=_tag("declaration", f"{decl.id}/withdrawn"),
            title=f"废止声明：{who}{_label(decl.latest)}",
            updated=decl.withdrawn_at or decl.updated_at,
            link=_absolute(url_for("declarations.detail", decl_id=decl.id)),
            summary=f"废止原因：{decl.withdrawn_reason or '—'}"))
    return out


def _flag_entry(flag: WatchFlag) -> Entry:
    std = flag.standard
    text = f"执行标准 {std.number} 已{labels.text(labels.WATCH_EVENT, flag.event)}"
    if flag.successor:
        text += f"，现行版本为 {flag.successor}"
    ed = flag.declaration.latest
    return Entry(
        id=_tag("watch", str(flag.id)),
        title=f"标准变更提醒：{_label(ed) if ed else ''} — {text}",
        updated=flag.created_at,
        link=_absolute(url_for("declarations.detail", decl_id=flag.declaration_id)),
        summary=text + ("（已处理）" if flag.resolved_at else "，请修改声明"))


def _load(stmt: Select[Any]) -> list[Declaration]:
    return list(db.session.scalars(stmt.options(
        selectinload(Declaration.enterprise),
        selectinload(Declaration.editions).selectinload(DeclarationEdition.standards))))


def enterprise_feed(ent: Enterprise) -> bytes:
    """Declarations of ``ent`` published, amended, revised or withdrawn, and watch flags."""
    decls = _load(select(Declaration).where(Declaration.enterprise_id == ent.id,
                                            Declaration.state != "draft")
                  .order_by(Declaration.id.desc()).limit(MAX_ENTRIES))
    entries = [e for d in decls for e in _declaration_entries(d)]
    flags = db.session.scalars(
        select(WatchFlag).join(Declaration, Declaration.id == WatchFlag.declaration_id)
        .where(Declaration.enterprise_id == ent.id).order_by(WatchFlag.id.desc())
        .limit(MAX_ENTRIES).options(selectinload(WatchFlag.standard)))
    entries += [_flag_entry(f) for f in flags]
    return render(_tag("enterprise", ent.credit_code), f"{ent.name} 的企业标准自我声明",
                  _absolute(url_for("enterprises.feed", credit_code=ent.credit_code)),
                  _absolute(url_for("enterprises.profile", credit_code=ent.credit_code)), entries)


def standard_feed(std: Standard) -> bytes:
    """Declarations whose current edition cites ``std``, and the standard's own end."""
    citing = select(EditionStandard.edition_id).where(EditionStandard.standard_id == std.id)
    decls = _load(select(Declaration).where(Declaration.state != "draft",
                                            Declaration.current_edition_id.in_(citing))
                  .order_by(Declaration.id.desc()).limit(MAX_ENTRIES))
    entries = [e for d in decls for e in _declaration_entries(d, citing=std.id)]
    if std.withdrawn_on is not None:
        newer = successors_of(std)
        if std.end_kind == "replaced":
            title = f"{std.number} 被代替" + (f"为 {newer[-1].number}" if newer else "")
        else:
            title = f"{std.number} 废止"
        entries.append(Entry(
            id=_tag("standard", f"{std.number_key}/end"), title=title,
            updated=dt.datetime.combine(std.withdrawn_on, dt.time()),
            link=_absolute(url_for("standards.detail", number=std.number)),
            summary=f"{title}，自 {std.withdrawn_on} 起不再有效。引用它的声明已标记，请企业修改。"))
    return render(_tag("standard", std.number_key), f"{std.number} {std.title_zh}：引用它的自我声明",
                  _absolute(url_for("declarations.standard_feed", number=std.number)),
                  _absolute(url_for("standards.detail", number=std.number)), entries)
