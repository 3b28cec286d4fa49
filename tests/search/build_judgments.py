"""Write tests/search/judgments.json: the judged query set over the demo catalogue.

Run: python -m tests.search.build_judgments  (loads the demo with the pinned reference date
and seed into a temporary database). Queries are chosen by rule from the data so that each
one has an objective answer: a number in some writing names exactly one edition (or one
family), an exact title names the records carrying it, an international number names the
standards adopting it, a topic word names every title containing it. Kept in the
repository so the suite judges the engine against a fixed list.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from collections import defaultdict
from pathlib import Path

REFERENCE = dt.date(2026, 11, 1)
SEED = 0
COUNT = 1500
ENTERPRISES = 150
DECLARATIONS = 1500
OUT = Path(__file__).with_name("judgments.json")


def main() -> None:
    from sqlalchemy import select

    from registry import create_app, numbers
    from registry.database import upgrade_database
    from registry.demo.cli import load_demo
    from registry.extensions import db
    from registry.standards.models import Standard

    tmp = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/j.db", "INDEX_DIR": f"{tmp}/idx"})
    rng = random.Random(7)
    queries: list[dict[str, object]] = []
    with app.app_context():
        upgrade_database()
        load_demo(COUNT, SEED, True, today=REFERENCE)
        db.session.commit()
        from registry.demo.declarations import load_demo_declarations

        load_demo_declarations(ENTERPRISES, DECLARATIONS, SEED, REFERENCE)
        db.session.commit()
        rows = list(db.session.scalars(select(Standard).order_by(Standard.number)))
        by_title: dict[str, list[str]] = defaultdict(list)
        by_base: dict[str, list[str]] = defaultdict(list)
        for s in rows:
            by_title[s.title_zh].append(s.number)
            by_base[s.base_key].append(s.number)
        by_level: dict[str, list[Standard]] = defaultdict(list)
        for s in rows:
            by_level["zzb" if s.is_zhejiang_made else s.level].append(s)
        picks: list[Standard] = []
        for level in sorted(by_level):
            picks.extend(rng.sample(by_level[level], min(5, len(by_level[level]))))
        for s in picks:  # numbers in three writings: exactly this edition
            p = numbers.parse(s.number)
            compact = p.key.lower()
            spaced = s.number.replace("-", "—").lower()
            for q in (s.number, compact, spaced):
                queries.append({"q": q, "type": "number", "known_item": True,
                                "relevant": [s.number]})
        families = [b for b, nums in by_base.items() if len(nums) > 1]
        for base in rng.sample(sorted(families), 12):  # number without year: the family
            sample = by_base[base][0]
            queries.append({"q": numbers.parse(sample).base, "type": "number_family",
                            "known_item": True, "relevant": by_base[base]})
        titled = [s for s in picks if len(by_title[s.title_zh]) <= 3]
        for s in titled[:16]:
            queries.append({"q": s.title_zh, "type": "title", "known_item": True,
                            "relevant": by_title[s.title_zh]})
        english = [s for s in rows if s.title_en and s.level == "national"]
        for s in rng.sample(english, 8):
            same = [r.number for r in rows if r.title_en == s.title_en]
            queries.append({"q": s.title_en.lower(), "type": "english", "known_item": True,
                            "relevant": same})
        adopters: dict[str, list[str]] = defaultdict(list)
        for s in rows:
            for a in s.adoptions:
                adopters[numbers.parse(a.number).base].append(s.number)
        for s in rows:  # the international standard itself answers its number too
            if s.level == "international" and numbers.parse(s.number).base in adopters:
                adopters[numbers.parse(s.number).base].append(s.number)
        for base in rng.sample(sorted(adopters), 8):
            queries.append({"q": base, "type": "adoption", "known_item": True,
                            "relevant": sorted(set(adopters[base]))})
        for word in ("电动机", "竹筷", "质量管理体系", "安全要求", "试验方法", "锂离子电池",
                     "紧固件", "集成灶", "数字乡村", "电动自行车", "术语", "能效"):
            rel = [s.number for s in rows if word in s.title_zh]
            if rel:
                queries.append({"q": word, "type": "topic", "known_item": False,
                                "relevant": rel})
        queries.extend(_declaration_queries(rng))
    OUT.write_text(json.dumps({"reference": REFERENCE.isoformat(), "seed": SEED,
                               "count": COUNT, "enterprises": ENTERPRISES,
                               "declarations": DECLARATIONS, "queries": queries},
                              ensure_ascii=False, indent=1))
    print(f"{len(queries)} queries -> {OUT}")


def result_key(entity: str, record: object) -> str:
    """A stable name for a search hit, the same in every database."""
    if entity == "standard":
        return str(record.number)  # type: ignore[attr-defined]
    if entity == "enterprise":
        return f"enterprise:{record.credit_code}"  # type: ignore[attr-defined]
    ed = record.current_edition  # type: ignore[attr-defined]
    return (f"declaration:{record.enterprise.credit_code}|{ed.product_name}|"  # type: ignore[attr-defined]
            f"{ed.model or ''}")


def _declaration_queries(rng: random.Random) -> list[dict[str, object]]:
    """Products (name + model) and enterprises (name, credit code): known items."""
    from sqlalchemy import select

    from registry.declarations.models import Declaration
    from registry.enterprises.models import Enterprise
    from registry.extensions import db

    out: list[dict[str, object]] = []
    decls = list(db.session.scalars(select(Declaration).where(Declaration.state == "published")
                                    .order_by(Declaration.id)))
    by_product: dict[str, list[str]] = defaultdict(list)
    for d in decls:
        ed = d.current_edition
        by_product[f"{ed.product_name} {ed.model or ''}".strip()].append(result_key("declaration", d))
    for q in rng.sample(sorted(by_product), 12):
        out.append({"q": q, "type": "product", "known_item": True, "relevant": by_product[q]})
    ents = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
    for e in rng.sample(ents, 8):
        out.append({"q": e.name, "type": "enterprise", "known_item": True,
                    "relevant": [result_key("enterprise", e)]})
    for e in rng.sample(ents, 4):
        out.append({"q": e.credit_code.lower(), "type": "enterprise", "known_item": True,
                    "relevant": [result_key("enterprise", e)]})
    return out


if __name__ == "__main__":
    main()
