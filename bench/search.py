"""Search benchmark: build rate, index size, peak memory, query latency, LIKE baseline, freshness.

    python bench/search.py --records 1000000 [--catalogue 250000] [--queries 2000]
                           [--out bench/out/search.json]
    python bench/search.py --records 20000          # a smoke run

Each phase runs in its own Python process (so its peak memory is its own) on a work
directory (default ``bench/out/work-<records>``) that later runs may reuse with
``--phases``:

load   generate the catalogue (registry.demo.generator) and load it into a fresh SQLite
       database through the real import path (registry.standards.importing), then
       generate the enterprise self-declarations (no database model yet: a bench table)
       and the plain table the SQL ``LIKE`` baseline scans; write the query mix.
build  ``registry.search.indexer.rebuild(store, procs=2)`` over both: the catalogue through
       ``documents.standard_doc`` and the declarations through ``documents.register_entity``.
query  one searcher, OS cache warm, every query through ``registry.search.query.run`` with
       facets and 10 per page (no result cache).
like   the same queries as ``LIKE '%...%'`` over the same rows (LIMIT 10 + COUNT(*)).
fresh  an app on the database with the in-process index updater running: publish a
       change through the services, poll a search until it is found.

Every record is invented; nothing here is a test (tests assert behaviour, not timings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PHASES = ("load", "build", "query", "like", "fresh")
TODAY = dt.date.today()

# -- small helpers ---------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def _rss_kb(pid: int) -> tuple[int, int]:
    """(resident, resident anonymous) kB: mapped index files count in the first only."""
    rss = anon = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("RssAnon:"):
                    anon = int(line.split()[1])
    except OSError:
        pass
    return rss, anon


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class MemorySampler:
    """Peak resident memory of this process plus its children, sampled (summed at each tick)."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.peak_kb = 0
        self.peak_anon_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            sizes = [_rss_kb(p) for p in [me, *_descendants(me)]]
            self.peak_kb = max(self.peak_kb, sum(r for r, _ in sizes))
            self.peak_anon_kb = max(self.peak_anon_kb, sum(a for _, a in sizes))
            self._stop.wait(self.every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()


def rusage_mb() -> dict[str, float]:
    """ru_maxrss of this process and of its largest waited-for child (MB)."""
    return {"self_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def make_app(work: Path) -> Any:
    from registry import create_app

    return create_app({
        "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work / 'registry.sqlite3'}",
        "INDEX_DIR": str(work / "index"), "INDEXER": "manual",
    })


# -- declarations (no model yet: a bench table, indexed through register_entity) ------------

# (category shown on a declaration, GB/T 4754 section division group) per generator topic
DECL_TOPICS: dict[str, tuple[str, str, float]] = {
    "kitchen": ("家用厨房电器具", "C 38 385", 9), "appliance": ("家用电器", "C 38 385", 9),
    "fastener": ("紧固件", "C 34 348", 8), "bearing": ("滚动轴承", "C 34 345", 5),
    "motor": ("电动机", "C 38 381", 7), "valve": ("阀门", "C 34 344", 7),
    "machine": ("通用机械", "C 34 342", 5), "forklift": ("叉车属具", "C 34 343", 2),
    "auto": ("汽车零部件", "C 36 367", 7), "bicycle": ("电动自行车", "C 37 376", 4),
    "battery": ("电池", "C 38 384", 4), "electronic": ("电子元器件", "C 39 398", 5),
    "textile": ("纺织品", "C 17 175", 6), "household": ("日用品", "C 20 204", 5),
    "tool": ("五金工具", "C 33 332", 6), "chemical": ("化工产品", "C 26 264", 3),
    "medical": ("医疗器械", "C 35 358", 2), "building": ("建筑材料", "C 30 303", 3),
    "power": ("电力设备", "C 38 382", 3), "packaging": ("包装制品", "C 22 223", 2),
    "food": ("食品", "C 14 149", 3), "agri": ("农产品", "A 01 016", 2),
}
ZJ_COUNTY_PLACES = ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州", "嵊州", "永康",
                    "义乌", "慈溪", "余姚", "乐清", "瑞安", "海宁", "诸暨", "安吉", "德清", "玉环",
                    "浙江", "浙江", "浙江")
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司", "实业有限公司",
                 "制造有限公司", "集团有限公司")
MODEL_LETTERS = "ABCDEFGHJKLMNPQRSTWXYZ"


def _topic_of_ics() -> dict[str, str]:
    from registry.demo.generator import TOPICS

    out: dict[str, str] = {}
    for t in TOPICS:
        for code in t.ics:
            out.setdefault(code, t.key)
    return out


def _zj_counties() -> list[str]:
    from registry.identifiers import regions

    return [c for c, name in regions().items()
            if c.startswith("33") and not c.endswith("00") and name != "市辖区"]


class DeclarationMaker:
    """Invented declarations: an enterprise pool, product nouns, cited catalogue numbers."""

    def __init__(self, n: int, cited: dict[str, list[str]], seed: int) -> None:
        from registry.demo.generator import BRAND_CHARS, TOPICS

        self.rng = random.Random(seed)
        self.n = n
        topics = {t.key: t for t in TOPICS}
        self.topics = [(topics[k], v) for k, v in DECL_TOPICS.items() if k in topics]
        weights = [v[2] for _, v in self.topics]
        self.cited = cited
        counties = _zj_counties()
        brands = BRAND_CHARS
        self.enterprises: list[tuple[str, Any, tuple[str, str, float], str]] = []
        seen: set[str] = set()
        size = max(50, n // 12)
        while len(self.enterprises) < size:
            topic, info = self.rng.choices(self.topics, weights)[0]
            place = self.rng.choice(ZJ_COUNTY_PLACES)
            name = (f"{place}{self.rng.choice(brands)}{self.rng.choice(brands)}"
                    f"{topic.org_word}{self.rng.choice(COMPANY_FORMS)}")
            if name in seen:
                continue
            seen.add(name)
            self.enterprises.append((name, topic, info, self.rng.choice(counties)))

    def model(self) -> str:
        r = self.rng
        head = "".join(r.choice(MODEL_LETTERS) for _ in range(r.randint(1, 3)))
        tail = str(r.randint(10, 9999)) + ("".join(r.choice(MODEL_LETTERS)
                                                   for _ in range(r.randint(0, 2))))
        return f"{head}-{tail}" if r.random() < 0.7 else f"{head}{tail}"

    def rows(self) -> Iterator[tuple[Any, ...]]:
        from registry.identifiers import region_chain

        r = self.rng
        ents = self.enterprises
        start = dt.date(2016, 1, 1).toordinal()
        span = TODAY.toordinal() - start
        for i in range(1, self.n + 1):
            name, topic, (category, industry, _), county = ents[int(len(ents) * r.random() ** 1.7)]
            mod = r.choice(topic.mods)[0]
            noun = r.choice(topic.nouns)[0]
            title = f"{mod}{noun} {self.model()}"
            pool = self.cited.get(topic.key) or self.cited.get("*") or []
            cites: list[str] = []
            for _ in range(1 + int(r.random() ** 2 * 3)):
                if pool:
                    num = pool[int(len(pool) * r.random() ** 3)]
                    if num not in cites:
                        cites.append(num)
            day = dt.date.fromordinal(start + int(span * r.random() ** 0.6))
            declared = day.year * 10000 + day.month * 100 + day.day
            yield (i, title, f"{name} {category}", " ".join(cites),
                   " ".join(region_chain(county)), industry, declared,
                   f"declaration|{declared}|{i:09d}")


DECL_DDL = """CREATE TABLE bench_declarations (id INTEGER PRIMARY KEY, title TEXT, body TEXT,
    numbers TEXT, region TEXT, industry TEXT, declared INTEGER, sortnum TEXT)"""
DECL_COLUMNS = ("id", "title", "body", "numbers", "region", "industry", "declared", "sortnum")


def declaration_table() -> Any:
    from sqlalchemy import Column, Integer, MetaData, String, Table

    md = MetaData()
    return Table("bench_declarations", md, Column("id", Integer, primary_key=True),
                 Column("title", String), Column("body", String), Column("numbers", String),
                 Column("region", String), Column("industry", String),
                 Column("declared", Integer), Column("sortnum", String))


def register_declarations() -> None:
    """Make bench declarations a searchable entity, as the declarations domain will."""
    from functools import lru_cache

    from sqlalchemy import select

    from registry.extensions import db
    from registry.search.documents import number_keys, register_entity, signature
    from registry.search.index import NEVER

    table = declaration_table()

    @lru_cache(maxsize=200_000)
    def keys(number: str) -> tuple[str, ...]:
        return tuple(k.lower() for k in number_keys(number))

    def loader(ids: Any) -> Any:
        return db.session.execute(select(table).where(table.c.id.in_(list(ids)))).all()

    def builder(row: Any) -> dict[str, Any]:
        # the shape of registry.declarations.search.declaration_doc
        cites: dict[str, None] = {}
        parts = row.numbers.split(" ") if row.numbers else []
        for n in map(" ".join, zip(parts[0::2], parts[1::2], strict=True)):  # 'GB/T 1-2016'
            cites.update(dict.fromkeys(keys(n)))
        doc = {"id": f"declaration:{row.id}", "kind": "declaration", "numkeys": "",
               "cites": " ".join(cites), "adopt": "", "title": row.title,
               "title_bi": row.title, "title_en": "", "body_bi": row.body,
               "level": "", "nature": "", "org": "", "ics": "",
               "region": row.region, "industry": row.industry,
               "year": row.declared // 10000, "effective": row.declared, "withdrawn": NEVER,
               "end_kind": "", "sortnum": f"declaration|{row.id:012d}"}
        doc["sig"] = signature(doc)
        return doc

    register_entity("declaration", loader, builder,
                    lambda: select(table.c.id).order_by(table.c.id))


# -- phase: load -----------------------------------------------------------------------------

LIKE_DDL = """CREATE TABLE bench_like (id INTEGER PRIMARY KEY, kind TEXT, entity_id INTEGER,
    title TEXT, title_en TEXT, body TEXT, numbers TEXT, level TEXT, ics TEXT,
    effective INTEGER, withdrawn INTEGER)"""


def phase_load(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from sqlalchemy import delete, select

    from registry.database import upgrade_database
    from registry.demo.generator import generate_standards
    from registry.extensions import db
    from registry.search.documents import load_standards, standard_doc
    from registry.search.models import ChangeFeed
    from registry.standards.importing import import_standards
    from registry.standards.models import Standard

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    app = make_app(work)
    out: dict[str, Any] = {"catalogue": args.catalogue, "declarations": args.declarations}
    topic_of = _topic_of_ics()
    rng = random.Random(args.seed)
    sample: list[dict[str, Any]] = []
    every = max(1, args.catalogue // 6000)
    cited: dict[str, list[str]] = {}
    with app.app_context():
        upgrade_database()
        t0 = time.perf_counter()
        batch: list[tuple[int, dict[str, Any]]] = []
        created = 0

        def flush() -> None:
            nonlocal created
            rep = import_standards(batch, source="demo")
            if rep.errors:
                raise SystemExit(f"import failed: {rep.errors[:5]}")
            created += rep.created
            db.session.commit()
            db.session.expunge_all()
            batch.clear()

        for i, rec in enumerate(generate_standards(args.catalogue, seed=args.seed), 1):
            batch.append((i, rec))
            if i % every == 0:
                sample.append({k: rec.get(k) for k in ("number", "title_zh", "title_en",
                                                       "ics", "drafting_orgs", "status")}
                              | {"adoptions": [a["number"] for a in rec["adoptions"]]})
            topic = topic_of.get(rec["ics"][0]) if rec["ics"] else None
            if rec["status"] in ("current", "upcoming") and topic and \
                    not rec["number"].startswith(("ISO", "IEC")):
                lst = cited.setdefault(topic, [])
                if len(lst) < 3000:
                    lst.append(rec["number"])
                elif rng.random() < 0.05:
                    lst[rng.randrange(3000)] = rec["number"]
            if len(batch) >= 5000:
                flush()
                if i % 25000 == 0:
                    log(f"catalogue {i}/{args.catalogue} "
                        f"({i / (time.perf_counter() - t0):.0f}/s)")
        if batch:
            flush()
        out["catalogue_import_s"] = round(time.perf_counter() - t0, 1)
        out["catalogue_import_rate"] = round(created / (time.perf_counter() - t0), 1)
        log(f"catalogue imported: {created} in {out['catalogue_import_s']} s")
        # the rebuild below covers every row: the feed written by the import is not needed
        db.session.execute(delete(ChangeFeed))
        db.session.commit()

        # the LIKE table: the same text the index sees (a plain connection of our own)
        conn = sqlite3.connect(str(work / "registry.sqlite3"), timeout=60)
        conn.execute(LIKE_DDL)
        conn.execute(DECL_DDL)
        conn.commit()
        ids = list(db.session.scalars(select(Standard.id).order_by(Standard.id)))
        t1 = time.perf_counter()
        for k in range(0, len(ids), 2000):
            rows = []
            for std in load_standards(ids[k:k + 2000]):
                doc = standard_doc(std)
                nums = [std.number] + ([std.dual_number] if std.dual_number else []) + \
                    [a.number for a in std.adoptions]
                rows.append((None, "standard", std.id, doc["title"], doc["title_en"],
                             doc["body_bi"], " ".join(nums), doc["level"], doc["ics"],
                             doc["effective"], doc["withdrawn"]))
            conn.executemany("INSERT INTO bench_like VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            conn.commit()
            db.session.rollback()
            db.session.expunge_all()
        numbers_to_id = dict(db.session.execute(
            select(Standard.number, Standard.id).where(
                Standard.number.in_([s["number"] for s in sample]))).all())
        log(f"like table (catalogue) in {time.perf_counter() - t1:.0f} s")

        # declarations
        t2 = time.perf_counter()
        maker = DeclarationMaker(args.declarations, cited, args.seed + 1)
        dbatch: list[tuple[Any, ...]] = []
        for row in maker.rows():
            dbatch.append(row)
            if len(dbatch) >= 20000:
                _insert_declarations(conn, dbatch)
                conn.commit()
                dbatch.clear()
        if dbatch:
            _insert_declarations(conn, dbatch)
            conn.commit()
        conn.close()
        out["declarations_load_s"] = round(time.perf_counter() - t2, 1)
        log(f"declarations loaded: {args.declarations} in {out['declarations_load_s']} s")
        db.session.remove()
    material = {"sample": sample, "numbers_to_id": numbers_to_id,
                "enterprises": [e[0] for e in maker.enterprises]}
    (work / "material.json").write_text(json.dumps(material, ensure_ascii=False))
    out["db_size_mb"] = round((work / "registry.sqlite3").stat().st_size / 2**20, 1)
    return out


def _insert_declarations(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(f"INSERT INTO bench_declarations ({', '.join(DECL_COLUMNS)}) "
                     "VALUES (?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO bench_like VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     [(None, "declaration", r[0], r[1], "", r[2], r[3], None, None, r[6],
                       99991231) for r in rows])


# -- the query mix ---------------------------------------------------------------------------

# share of each query type in the mix (a standards portal: numbers first, then words)
MIX = {
    "number": 26, "misspelt number": 2, "adoption": 5, "number+word": 5, "word": 15, "two words": 10,
    "rare word": 5, "english": 6, "filtered": 12, "sort by date": 6, "phrase": 8,
}
COMMON_WORDS = ("电机", "安全", "技术条件", "试验方法", "检验规则", "通用规范", "电池", "螺栓",
                "轴承", "电动自行车", "家用", "智能", "质量分级", "术语", "能效", "涂料", "陶瓷砖",
                "口罩", "茶叶", "变压器", "充电桩", "电饭锅", "吸油烟机", "球阀", "锂离子电池",
                "安全要求", "不锈钢", "电器", "汽车", "有害物质")
PATTERN_WORDS = ("技术条件", "试验方法", "检验规则", "通用规范", "安全要求", "质量分级", "术语",
                 "安全", "能效", "可靠性")
PHRASES = ("安全要求", "家用和类似用途电器", "试验方法", "通用技术条件", "能效限定值",
           "有害物质限量", "安装、使用和维护", "绿色设计产品", "技术规范")
ENGLISH = ("household appliances", "safety requirements", "test methods", "hexagon bolts",
           "lithium-ion batteries", "range hoods", "general specification", "energy efficiency",
           "terminology", "inspection rules", "electric bicycles", "ball valves", "quality grading")
LEVELS = ("national", "industry", "group", "local", "zzb")
TOP_ICS = ("97", "21", "29", "23", "43", "13", "67", "91", "35", "59")


def _writings(number: str, r: random.Random) -> tuple[str, str]:
    """A way a user types ``number``: (label, text)."""
    from registry import numbers

    p = numbers.parse(number)
    choice = r.random()
    if choice < 0.35:
        return "canonical", p.canonical
    if choice < 0.5:
        return "compact", p.base_key.lower()
    if choice < 0.65 and p.year:
        return "seq-year", f"{p.sequence}-{p.year}"
    if choice < 0.8:
        return "base", p.base
    if choice < 0.9:
        full = p.canonical.translate({i: i + 0xFEE0 for i in range(0x21, 0x7F)})
        return "full-width", full.replace(" ", "\u3000")
    return "lower", p.canonical.lower().replace(" ", "")


def load_queries(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """The query mix, drawn (seeded) from what the load phase kept; written for reference."""
    material = json.loads((work / "material.json").read_text())
    queries = make_queries(args, material["sample"], material["numbers_to_id"],
                           material["enterprises"])
    (work / "queries.json").write_text(json.dumps(queries, ensure_ascii=False, indent=0))
    return queries


def make_queries(args: argparse.Namespace, sample: list[dict[str, Any]],
                 numbers_to_id: dict[str, int], enterprises: list[str]) -> dict[str, Any]:
    from registry.demo.generator import TOPICS
    from registry.search.analysis import jieba_words

    r = random.Random(args.seed + 7)
    by_level: dict[str, list[dict[str, Any]]] = {}
    for s in sample:
        by_level.setdefault(s["number"].split(" ")[0].split("/")[0], []).append(s)
    prefixes = list(by_level)
    adopted = [s for s in sample if s["adoptions"]]
    nouns = [n for t in TOPICS for n, _ in t.nouns]

    def one(kind: str) -> dict[str, Any]:
        q: dict[str, Any] = {"type": kind, "q": ""}
        if kind == "number":
            # spread over prefixes (GB, GB/T, JB/T, T/ZZB, DB33/T ...), not only the commonest
            rec = r.choice(by_level[r.choice(prefixes)]) if r.random() < 0.5 else r.choice(sample)
            label, q["q"] = _writings(rec["number"], r)
            q["writing"] = label
            q["expect"] = numbers_to_id.get(rec["number"]) if label in (
                "canonical", "full-width", "lower") else None
        elif kind == "misspelt number":
            number = r.choice(sample)["number"]
            head, _, tail = number.partition(" ")
            pairs = [i for i in range(len(tail) - 1)
                     if tail[i].isdigit() and tail[i + 1].isdigit() and tail[i] != tail[i + 1]]
            if pairs:
                i = r.choice(pairs)
                tail = tail[:i] + tail[i + 1] + tail[i] + tail[i + 2:]
            q["q"] = f"{head} {tail}"
        elif kind == "adoption":
            rec = r.choice(adopted)
            num = rec["adoptions"][0]
            q["q"] = num if r.random() < 0.3 else num.split(":")[0]
        elif kind == "number+word":
            rec = r.choice(sample)
            words = [w for w, _ in jieba_words(rec["title_zh"]) if len(w) > 1]
            base = rec["number"].rsplit("-", 1)[0] if r.random() < 0.6 else rec["number"]
            q["q"] = f"{base} {r.choice(words) if words else ''}".strip()
        elif kind == "word":
            q["q"] = r.choice(COMMON_WORDS)
        elif kind == "two words":
            q["q"] = (f"{r.choice(nouns)} {r.choice(PATTERN_WORDS)}" if r.random() < 0.6 else
                      f"{r.choice(COMMON_WORDS)} {r.choice(COMMON_WORDS)}")
        elif kind == "rare word":
            pick = r.random()
            if pick < 0.4:
                q["q"] = r.choice(enterprises)
            elif pick < 0.7:
                orgs = [o for s in r.sample(sample, 20) for o in (s["drafting_orgs"] or [])]
                q["q"] = (r.choice(orgs) if orgs else r.choice(nouns)).replace("（示例）", "")
            else:
                q["q"] = r.choice(("香榧", "铁皮石斛", "领带", "六价铬", "纸卷夹", "桶夹", "钠离子电池",
                                   "茭白", "杨梅", "民宿", "竹砧板", "蒸烤一体机"))
        elif kind == "english":
            q["q"] = r.choice(ENGLISH)
        elif kind == "filtered":
            pick = r.random()
            if pick < 0.3:
                q.update(q=r.choice(COMMON_WORDS), level=r.choice(LEVELS))
            elif pick < 0.5:
                q.update(q=r.choice(COMMON_WORDS), status="current")
            elif pick < 0.65:
                q.update(q=r.choice(COMMON_WORDS), ics=r.choice(TOP_ICS))
            elif pick < 0.8:
                q.update(level=r.choice(LEVELS))  # browsing a level, no words
            elif pick < 0.9:
                q.update(q=r.choice(COMMON_WORDS), kind="standard", status="current")
            else:
                q.update(ics=r.choice(TOP_ICS), status="current")
        elif kind == "sort by date":
            q.update(q=r.choice(COMMON_WORDS), sort="date")
            if r.random() < 0.3:
                q["kind"] = "standard"
        elif kind == "phrase":
            if r.random() < 0.5:
                q["q"] = f'"{r.choice(PHRASES)}"'
            else:
                title = r.choice(sample)["title_zh"].split(" ")[0]
                n = min(len(title), r.randint(3, 6))
                start = r.randint(0, len(title) - n)
                q["q"] = f'"{title[start:start + n]}"'
        return q

    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    timed = [one(k) for k in r.choices(kinds, weights, k=args.queries)]
    warm = [one(k) for k in r.choices(kinds, weights, k=max(100, args.queries // 10))]
    # the freshness probe's template (unique words per round)
    return {"timed": timed, "warm": warm, "mix": MIX}


def params_of(q: dict[str, Any]) -> Any:
    from registry.search.query import SearchParams

    keys = ("q", "kind", "level", "status", "ics", "sort")
    return SearchParams(**{k: q[k] for k in keys if q.get(k)}, per_page=10, facets=True,
                        today=TODAY)


# -- phase: build ----------------------------------------------------------------------------

def phase_build(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from registry.search.indexer import rebuild, store_for

    app = make_app(work)
    register_declarations()
    import jieba

    jieba.initialize()  # not part of the rebuild (a worker process has it loaded already)
    out: dict[str, Any] = {"procs": args.procs}
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            log(f"rebuild {done}/{total}")

    with app.app_context(), MemorySampler() as mem:
        t0 = time.perf_counter()
        report = rebuild(store_for(app), procs=args.procs, progress=progress)
        wall = time.perf_counter() - t0
    store = store_for(app)
    gen = store.current_dir()
    assert gen is not None
    out.update(documents=report.documents, per_entity=report.per_entity,
               seconds=round(wall, 1), rate=round(report.documents / wall, 1),
               index_mb=round(dir_size(gen) / 2**20, 1),
               peak_rss_mb=round(mem.peak_kb / 1024, 1),
               peak_anon_mb=round(mem.peak_anon_kb / 1024, 1), **{
                   k: round(v, 1) for k, v in rusage_mb().items()})
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out["cpu_s"] = {"parent": round(me.ru_utime + me.ru_stime, 1),
                    "writers": round(kids.ru_utime + kids.ru_stime, 1)}
    ix = store.open()
    out["segments"] = len(ix._segments())
    ix.close()
    log(f"rebuild: {report.documents} docs in {wall:.0f} s = {out['rate']}/s, "
        f"{out['index_mb']} MB, peak {out['peak_rss_mb']} MB, {out['segments']} segments")
    return out


# -- phase: query ----------------------------------------------------------------------------

def phase_query(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from registry.search import query as squery
    from registry.search.index import IndexStore

    queries = load_queries(args, work)
    store = IndexStore(work / "index")
    gen = store.current_dir()
    assert gen is not None
    for p in gen.iterdir():  # OS cache warm
        with open(p, "rb") as fh:
            while fh.read(1 << 22):
                pass
    t0 = time.perf_counter()
    ix = store.open()
    searcher = ix.searcher()
    open_s = time.perf_counter() - t0
    for q in queries["warm"]:
        squery.run(searcher, params_of(q))
    per_type: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    exact: dict[str, int] = {}
    writings: dict[str, list[float]] = {}
    checked = found_first = 0
    misses: list[str] = []
    all_ms: list[float] = []
    with MemorySampler() as mem:
        for q in queries["timed"]:
            params = params_of(q)
            t = time.perf_counter()
            res = squery.run(searcher, params)
            ms = (time.perf_counter() - t) * 1000
            all_ms.append(ms)
            per_type.setdefault(q["type"], []).append(ms)
            totals.setdefault(q["type"], []).append(res.total)
            exact[q["type"]] = exact.get(q["type"], 0) + int(res.total_exact)
            if q["type"] == "number":
                writings.setdefault(q["writing"], []).append(ms)
                if q.get("expect"):
                    checked += 1
                    if res.hits and res.hits[0].entity == "standard" and \
                            res.hits[0].entity_id == q["expect"]:
                        found_first += 1
                    elif len(misses) < 5:
                        misses.append(q["q"])
    searcher.close()
    ix.close()

    def stats(v: list[float]) -> dict[str, float]:
        return {"n": len(v), "p50": round(pct(v, 50), 2), "p95": round(pct(v, 95), 2),
                "p99": round(pct(v, 99), 2), "max": round(max(v), 1),
                "mean": round(statistics.fmean(v), 2)}

    out = {
        "searcher_open_s": round(open_s, 2),
        "overall": stats(all_ms),
        "types": {k: stats(v) | {"median_total": int(statistics.median(totals[k])),
                                 "exact_totals": exact[k]}
                  for k, v in sorted(per_type.items())},
        "number_writings": {k: stats(v) for k, v in sorted(writings.items())},
        "number_top1": {"checked": checked, "first": found_first, "misses": misses},
        "peak_rss_mb": round(mem.peak_kb / 1024, 1),
        "peak_anon_mb": round(mem.peak_anon_kb / 1024, 1), **rusage_mb(),
    }
    log(f"query: p50 {out['overall']['p50']} ms, p95 {out['overall']['p95']} ms")
    return out


# -- phase: like -----------------------------------------------------------------------------

def like_sql(q: dict[str, Any]) -> tuple[str, list[Any], str]:
    """WHERE clause, its parameters, ORDER BY: what a naive portal does with LIKE."""
    today = TODAY.year * 10000 + TODAY.month * 100 + TODAY.day
    text = q.get("q", "").replace("“", '"').replace("”", '"')
    tokens: list[str] = []
    for i, part in enumerate(text.split('"')):
        if i % 2:
            tokens.append(part)
        else:
            tokens.extend(part.split())
    where: list[str] = []
    params: list[Any] = []
    for tok in tokens:
        where.append("(title LIKE ? OR title_en LIKE ? OR body LIKE ? OR numbers LIKE ?)")
        params.extend([f"%{tok}%"] * 4)
    if q.get("kind"):
        where.append("kind = ?")
        params.append(q["kind"])
    if q.get("level"):
        where.append("level = ?")
        params.append(q["level"])
    if q.get("ics"):
        where.append("(' ' || ics || ' ') LIKE ?")
        params.append(f"% {q['ics']} %")
    if q.get("status") == "current":
        where.append("effective <= ? AND withdrawn > ?")
        params.extend([today, today])
    order = " ORDER BY effective DESC" if q.get("sort") == "date" else ""
    return (" AND ".join(where) or "1"), params, order


def phase_like(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    queries = load_queries(args, work)["timed"]
    conn = sqlite3.connect(str(work / "registry.sqlite3"))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for q in queries:
        lst = by_type.setdefault(q["type"], [])
        if len(lst) < args.like_per_type:
            lst.append(q)
    conn.execute("SELECT COUNT(*) FROM bench_like WHERE body LIKE '%x%'").fetchone()  # warm
    out: dict[str, Any] = {"per_type": args.like_per_type, "types": {}}
    all_ms: list[float] = []
    for kind, qs in sorted(by_type.items()):
        times = []
        for q in qs:
            where, params, order = like_sql(q)
            t = time.perf_counter()
            conn.execute(f"SELECT id FROM bench_like WHERE {where}{order} LIMIT 10",
                         params).fetchall()
            conn.execute(f"SELECT COUNT(*) FROM bench_like WHERE {where}", params).fetchone()
            times.append((time.perf_counter() - t) * 1000)
        all_ms.extend(times)
        out["types"][kind] = {"n": len(times), "p50": round(pct(times, 50), 1),
                              "p95": round(pct(times, 95), 1)}
        log(f"like {kind}: p50 {out['types'][kind]['p50']} ms")
    out["overall"] = {"n": len(all_ms), "p50": round(pct(all_ms, 50), 1),
                      "p95": round(pct(all_ms, 95), 1)}
    conn.close()
    return out


# -- phase: fresh ----------------------------------------------------------------------------

PROBE_CHARS = "鲲鹏麒麟饕餮貔貅龘靐齉爨"


def phase_fresh(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from registry.extensions import db
    from registry.search.backend import backend_for
    from registry.search.indexer import start_background_indexer
    from registry.search.query import SearchParams
    from registry.standards.schemas import StandardInSchema
    from registry.standards.services import upsert_standard

    app = make_app(work)
    register_declarations()
    r = random.Random(args.seed + 11)
    lags: list[float] = []
    timeouts = 0
    with app.app_context():
        backend = backend_for(app)
        backend.search(SearchParams(q="电机", today=TODAY))  # open the searcher (jieba, readers)
        indexer = start_background_indexer(app)
        stamp = int(time.time()) % 100000
        for i in range(args.fresh):
            title = "".join(r.choice(PROBE_CHARS) for _ in range(4)) + f"探针样机{stamp}{i}"
            data = StandardInSchema().load({
                "number": f"T/BENCH {stamp % 9000 + 1000}.{i + 1}-2030", "title_zh": title,
                "effective_on": "2030-01-01", "ics": ["97.040.20"]})
            std, _ = upsert_standard(data, source="bench")
            want = std.id  # read before the commit: touching it after would open a read
            # transaction that goes stale when the updater commits (SQLite: the next write
            # in it then fails at once with "database is locked")
            db.session.commit()
            t0 = time.perf_counter()
            params = SearchParams(q=title, today=TODAY)
            while True:
                res = backend.search(params)
                if any(h.entity == "standard" and h.entity_id == want for h in res.hits):
                    lags.append(time.perf_counter() - t0)
                    break
                if time.perf_counter() - t0 > 30:
                    timeouts += 1
                    break
                time.sleep(0.005)
            time.sleep(r.uniform(0.1, 0.4))
        indexer.stop.set()
        indexer.wake.set()
        indexer.thread.join(timeout=30)
        backend.close()
    out = {"rounds": args.fresh, "timeouts": timeouts,
           "p50_s": round(pct(lags, 50), 3), "p95_s": round(pct(lags, 95), 3),
           "max_s": round(max(lags), 3) if lags else None}
    log(f"fresh: p50 {out['p50_s']} s, p95 {out['p95_s']} s")
    return out


# -- orchestration ---------------------------------------------------------------------------

TARGETS = {"p50_ms": 20, "p95_ms": 100, "number_p95_ms": 5, "like_ratio": 20,
           "rebuild_rate": 2000, "peak_mb": 2048, "fresh_p95_s": 2}


def report(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"args": {k: v for k, v in vars(args).items() if k != "phase"},
                           "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                           "date": dt.datetime.now().isoformat(timespec="seconds")}
    for name in PHASES:
        f = work / f"{name}.json"
        if f.exists():
            res[name] = json.loads(f.read_text())
    lines: list[str] = []
    add = lines.append
    load, build, q, like, fresh = (res.get(k) for k in PHASES)
    add(f"Search benchmark — {args.records:,} records "
        f"({args.catalogue:,} catalogue + {args.declarations:,} declarations), "
        f"{os.cpu_count()} CPUs, {res['date']}")
    if load:
        add(f"load (not a target): catalogue import {load['catalogue_import_rate']}/s, "
            f"declarations {load['declarations_load_s']} s, database {load['db_size_mb']} MB")
    if build:
        add(f"rebuild (indexer.rebuild, procs={build['procs']}): {build['documents']:,} docs in "
            f"{build['seconds']} s = {build['rate']:,.0f} docs/s   [target >= 2,000]")
        add(f"index size {build['index_mb']} MB in {build['segments']} segment(s); peak memory "
            f"{build['peak_rss_mb']} MB (sampled sum over the process tree, "
            f"{build.get('peak_anon_mb', '?')} MB of it anonymous; ru_maxrss self "
            f"{build['self_max_rss_mb']} MB, largest child {build['children_max_rss_mb']} MB)"
            f"   [target <= 2,048 MB]")
    if q:
        add("")
        head = f"{'query type':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
               f"{'median hits':>13}{'LIKE p50 ms':>13}{'ratio':>8}"
        add(head)
        add("-" * len(head))
        lt = (like or {}).get("types", {})
        for kind, s in q["types"].items():
            lk = lt.get(kind)
            ratio = f"{lk['p50'] / s['p50']:.0f}x" if lk and s["p50"] else ""
            add(f"{kind:<14}{s['n']:>6}{s['p50']:>9.1f}{s['p95']:>9.1f}{s['p99']:>9.1f}"
                f"{s['median_total']:>13,}{(lk['p50'] if lk else float('nan')):>13.0f}"
                f"{ratio:>8}")
        o = q["overall"]
        lo = (like or {}).get("overall")
        ratio = f"{lo['p50'] / o['p50']:.0f}x" if lo else ""
        add(f"{'ALL (mix)':<14}{o['n']:>6}{o['p50']:>9.1f}{o['p95']:>9.1f}{o['p99']:>9.1f}"
            f"{'':>13}{(lo['p50'] if lo else float('nan')):>13.0f}{ratio:>8}")
        add("targets: mix p50 <= 20 ms, p95 <= 100 ms; number p95 <= 5 ms; >= 20x LIKE")
        nt = q["number_top1"]
        add("number writings p95: " + ", ".join(
            f"{k} {v['p95']:.1f}" for k, v in q["number_writings"].items())
            + f" ms; exact numbers ranked first {nt['first']}/{nt['checked']}")
        add(f"query process peak memory {q['peak_rss_mb']} MB resident, of which "
            f"{q.get('peak_anon_mb', '?')} MB its own (the rest: mapped index files); "
            f"searcher open {q['searcher_open_s']} s")
        if like:
            add(f"LIKE baseline: {like['per_type']} queries per type, LIMIT 10 + COUNT(*) over "
                f"title/title_en/body/numbers of the same rows (SQLite)")
    if fresh:
        add(f"freshness (BackgroundIndexer, {fresh['rounds']} publishes): p50 {fresh['p50_s']} s, "
            f"p95 {fresh['p95_s']} s, max {fresh['max_s']} s, timeouts {fresh['timeouts']}"
            f"   [target p95 <= 2 s]")
    res["table"] = lines
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--catalogue", type=int, default=None,
                    help="catalogue records (default: a quarter of --records)")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--like-per-type", type=int, default=10)
    ap.add_argument("--fresh", type=int, default=30, help="publish/search rounds")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.catalogue is None:
        args.catalogue = args.records // 4
    args.declarations = args.records - args.catalogue
    work = (args.workdir or ROOT / "bench" / "out" / f"work-{args.records}").resolve()
    if args.phase:  # a child: run one phase, write its JSON
        load_before = os.getloadavg()
        result = globals()[f"phase_{args.phase}"](args, work)
        # other work on the machine during the phase (1-minute load averages)
        result["loadavg_start_end"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
        (work / f"{args.phase}.json").write_text(json.dumps(result, indent=1,
                                                            ensure_ascii=False))
        return
    for name in args.phases.split(","):
        name = name.strip()
        if name not in PHASES:
            raise SystemExit(f"unknown phase {name!r}; choose from {PHASES}")
        log(f"phase {name} ...")
        cmd = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:], "--phase", name]
        subprocess.run(cmd, check=True, cwd=ROOT)
    res = report(args, work)
    print("\n".join(res["table"]))
    out = args.out or work / "search.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))
    out.with_suffix(".txt").write_text("\n".join(res["table"]) + "\n")
    log(f"wrote {out} and {out.with_suffix('.txt')}")


if __name__ == "__main__":
    main()
