"""The English face is complete: every message the code and templates mark for translation
has an English text in the catalogue (and the compiled catalogue is up to date)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "registry" / "translations" / "en" / "LC_MESSAGES"
METHODS = [("registry/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _marked() -> dict[str, str]:
    out = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHODS, keywords=KEYWORDS,
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            out.setdefault(msgid, filename)
    return out


def test_every_marked_message_has_english() -> None:
    marked = _marked()
    assert len(marked) > 300
    with (CATALOGUE / "messages.po").open("rb") as fh:
        po = read_po(fh)
    missing = {m: where for m, where in marked.items() if m not in po or not po[m].string}
    assert not missing, missing


def test_the_compiled_catalogue_is_current() -> None:
    with (CATALOGUE / "messages.po").open("rb") as fh:
        po = read_po(fh)
    with (CATALOGUE / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)
    stale = [m.id for m in po if m.id and m.string and not m.fuzzy
             and (m.id not in mo or mo[m.id].string != m.string)]
    assert not stale, stale[:10]
