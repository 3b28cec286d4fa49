"""The declaration HTML form: repeated rows in, DeclarationInSchema data out (and back).

Rows are numbered as they stand on the page (blank rows included), so that a message about
``standards.1`` or ``indicators.0.ref_value`` lands next to the input the person sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from werkzeug.datastructures import MultiDict

from registry.declarations.checks import Check
from registry.declarations.schemas import DeclarationInSchema
from registry.fields import flatten_messages

SCALARS = ("product_name", "model", "category", "spec", "barcode", "annual_output_value",
           "intl_standard", "lower_statement", "change_note")
INDICATOR_KEYS = ("name", "value", "unit", "direction", "test_method", "ref_standard",
                  "ref_value")

# Field names as the pages and the comparison of editions show them.
LABELS: dict[str, Any] = {
    "product_name": _l("产品/服务名称"), "model": _l("型号"), "category": _l("产品类别"),
    "spec": _l("规格"), "barcode": _l("商品条码"), "is_main_product": _l("主导产品"),
    "annual_output_value": _l("年产值（万元）"), "intl_standard": _l("直接采用的国际/国外标准"),
    "lower_statement": _l("低于推荐性标准的明示"), "ent_std_number": _l("企业标准编号"),
    "ent_std_title": _l("企业标准名称"), "attachment_name": _l("企业标准文本"),
    "attachment": _l("企业标准文本"), "standards": _l("执行标准"), "change_note": _l("变更说明"),
    "enterprise_standard": _l("企业标准"), "indicators": _l("指标"),
    "name": _l("指标名称"), "value": _l("指标值"), "unit": _l("单位"), "direction": _l("方向"),
    "test_method": _l("检验方法"), "ref_standard": _l("参考标准"), "ref_value": _l("参考值"),
    "number": _l("编号"), "title": _l("名称"),
}
DIRECTION_TEXT = {"higher": _l("越大越好"), "lower": _l("越小越好"), "none": _l("不比较")}


def label_of(path: str) -> str:
    """'indicators.2.ref_value' -> '指标 3 · 参考值'."""
    parts = path.split(".")
    if parts[0] == "indicators" and len(parts) >= 2 and parts[1].isdigit():
        head = f"{LABELS['indicators']} {int(parts[1]) + 1}"
        return head + (f" · {LABELS.get(parts[2], parts[2])}" if len(parts) > 2 else "")
    if parts[0] == "standards" and len(parts) == 2 and parts[1].isdigit():
        return f"{LABELS['standards']} {int(parts[1]) + 1}"
    if parts[0] == "enterprise_standard" and len(parts) == 2:
        return f"{LABELS['enterprise_standard']} · {LABELS.get(parts[1], parts[1])}"
    return str(LABELS.get(parts[0], path))


@dataclass
class ParsedForm:
    raw: dict[str, Any]  # as typed, for showing the form again
    payload: dict[str, Any]  # what goes into the schema (blank rows left out)
    std_rows: list[int] = field(default_factory=list)  # payload index -> row on the page
    ind_rows: list[int] = field(default_factory=list)

    def page_field(self, path: str) -> str:
        """A path over the payload, renumbered to the rows on the page."""
        parts = path.split(".")
        rows = {"standards": self.std_rows, "indicators": self.ind_rows}.get(parts[0])
        if rows is not None and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            parts[1] = str(rows[int(parts[1])])
        return ".".join(parts)


def parse(form: MultiDict[str, str]) -> ParsedForm:
    """Read the posted form into raw rows and a schema payload."""
    raw: dict[str, Any] = {k: form.get(k, "").strip() for k in SCALARS}
    raw["is_main_product"] = form.get("is_main_product") in ("on", "1", "true")
    raw["ent_std_number"] = form.get("ent_std_number", "").strip()
    raw["ent_std_title"] = form.get("ent_std_title", "").strip()
    raw["standards"] = [s.strip() for s in form.getlist("standards")]
    columns = [form.getlist(f"ind_{k}") for k in INDICATOR_KEYS]
    width = max((len(c) for c in columns), default=0)
    raw["indicators"] = [{k: (col[i].strip() if i < len(col) else "")
                          for k, col in zip(INDICATOR_KEYS, columns, strict=True)}
                         for i in range(width)]
    out = ParsedForm(raw=raw, payload={})
    payload: dict[str, Any] = {k: raw[k] for k in SCALARS}
    payload["is_main_product"] = raw["is_main_product"]
    payload["standards"] = []
    for i, number in enumerate(raw["standards"]):
        if number:
            payload["standards"].append(number)
            out.std_rows.append(i)
    payload["indicators"] = []
    for i, row in enumerate(raw["indicators"]):
        if any(v for k, v in row.items() if k != "direction"):
            payload["indicators"].append({**row, "direction": row["direction"] or "higher"})
            out.ind_rows.append(i)
    if raw["ent_std_number"] or raw["ent_std_title"]:
        payload["enterprise_standard"] = {"number": raw["ent_std_number"],
                                          "title": raw["ent_std_title"]}
    out.payload = payload
    return out


def load(parsed: ParsedForm) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """Schema-load the payload: (data, {}) or (None, errors keyed by page field)."""
    try:
        return DeclarationInSchema().load(parsed.payload), {}
    except SchemaError as exc:
        return None, {parsed.page_field(k): v for k, v in flatten_messages(exc.messages).items()}


def load_lenient(parsed: ParsedForm) -> tuple[dict[str, Any], dict[str, list[str]], ParsedForm]:
    """Load what can be loaded (for live checks while the form is half filled).

    Fields with errors are left out (a missing product name is filled with a placeholder) so
    that the catalogue checks can run on the rest. Returns the data, the schema errors keyed
    by page field, and the form renumbered for the data (indicator rows may be left out).
    """
    payload = dict(parsed.payload)
    kept = ParsedForm(raw=parsed.raw, payload=payload, std_rows=list(parsed.std_rows),
                      ind_rows=list(parsed.ind_rows))
    errors: dict[str, list[str]] = {}
    for _ in range(4):
        try:
            return DeclarationInSchema().load(payload), errors, kept
        except SchemaError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {}
            for key, msgs in flatten_messages(messages).items():
                if not (key == "product_name" and not payload.get("product_name")):
                    errors.setdefault(kept.page_field(key), msgs)  # (blank name: not yet typed)
            for key, value in messages.items():
                if key == "product_name":
                    payload[key] = "-"
                elif key == "indicators" and isinstance(value, dict):
                    bad = {int(i) for i in value if str(i).isdigit()}
                    payload[key] = [r for i, r in enumerate(payload[key]) if i not in bad]
                    kept.ind_rows = [r for i, r in enumerate(kept.ind_rows) if i not in bad]
                elif key == "enterprise_standard" and isinstance(value, dict) \
                        and set(value) == {"title"}:
                    payload[key] = {**payload[key], "title": "-"}
                else:
                    payload.pop(key, None)
    return DeclarationInSchema().load({"product_name": "-"}), errors, kept


def checks_on_page(parsed: ParsedForm, checks: list[Check]) -> list[dict[str, Any]]:
    """Checks as the page shows them: fields renumbered to the rows on the page."""
    return [{**c.as_dict(), "field": parsed.page_field(c.field), "label": label_of(c.field)}
            for c in checks]


def raw_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """An edition's data (services.edition_data) as the form's raw values."""
    raw: dict[str, Any] = {k: _text(data.get(k)) for k in SCALARS}
    raw["change_note"] = ""
    raw["is_main_product"] = bool(data.get("is_main_product"))
    own = data.get("enterprise_standard") or {}
    raw["ent_std_number"] = own.get("number") or ""
    raw["ent_std_title"] = own.get("title") or ""
    raw["standards"] = list(data.get("standards") or [])
    raw["indicators"] = [{k: _text(ind.get(k)) for k in INDICATOR_KEYS}
                         for ind in data.get("indicators") or []]
    return raw


def empty_raw() -> dict[str, Any]:
    return raw_from_data({})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


def parse_data(data: dict[str, Any]) -> ParsedForm:
    """Stored data as a form with no blank rows (page rows = data rows)."""
    raw = raw_from_data(data)
    return ParsedForm(raw=raw, payload=data, std_rows=list(range(len(raw["standards"]))),
                      ind_rows=list(range(len(raw["indicators"]))))
