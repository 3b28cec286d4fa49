"""A hand-built data set for the adoption rate: five enterprises, two counties of 绍兴 (and one
in 杭州), three years, every case the definition names. Built through the services, then the
publication and withdrawal times are moved into the past (the services stamp "now").

Regions: 嵊州 330683 and 新昌 330624 under 绍兴 330600; 诸暨 330681 has no products;
杭州上城 330102 is outside 绍兴. Industries: divisions 38 (电气机械) and 34 (通用设备).

| enterprise | region | industry | above-scale 2023 / 2024 / 2025 |
|---|---|---|---|
| E1 | 330683 | 38 | yes / yes / yes |
| E2 | 330683 | 34 | no / yes / yes  (became above-scale in the second year) |
| E3 | 330624 | 34 | yes / yes / yes |
| E4 | 330624 | 38 | (no records) |
| E5 | 330102 | 38 | yes / yes / yes (outside 绍兴) |

| product | enterprise | main | standards | output 万元 | published (UTC) | notes |
|---|---|---|---|---|---|---|
| P1 电饭锅 | E1 | yes | S_IDT + S_PLAIN | 100 | 2022-06-01 | several standards, adopts IDT |
| P2 电机 | E1 | yes | S_NEQ | 50 | 2022-06-01 | NEQ only: not adopting |
| P3 配件 | E1 | no | S_IDT | 30 | 2022-06-01 | not a main product |
| P4 风机 | E1 | yes | S_MOD | 80 | 2023-03-01 | withdrawn 2024-07-01 |
| P5 水泵 | E2 | yes | S_IDT | — | 2023-02-01 | no output value |
| P6 阀门 | E3 | yes | S_MOD → S_PLAIN | 60 → 70 | 2022-01-10; 2024-08-01 | amended: drops MOD |
| P7 齿轮 | E3 | yes | S_PLAIN + ISO 6336-1:2019 | 20 | 2024-12-31 02:00 | made directly to ISO |
| P8 轴承 | E3 | yes | S_IDT | 90 | 2025-12-31 17:00 | = 2026-01-01 01:00 Beijing: not in 2025 |
| P9 开关 | E4 | yes | S_IDT | 10 | 2022-05-01 | enterprise without records |
| P10 灯具 | E5 | yes | S_IDT | 500 | 2022-05-01 | outside 绍兴 |
| P11 草稿 | E1 | yes | S_IDT | 5 | never | a draft |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from registry.accounts.models import User
from registry.accounts.services import create_user, issue_token
from registry.declarations import services
from registry.declarations.models import Declaration
from registry.enterprises.models import Enterprise
from registry.extensions import db as _db
from registry.identifiers import make_credit_code
from registry.reports.facts import set_enterprise_year
from registry.standards.services import upsert_standard
from tests.declarations.conftest import PASSWORD, content, make_enterprise, reuse_password_hashes

D, T = dt.date, dt.datetime

S_IDT, S_MOD, S_NEQ, S_PLAIN = ("GB/T 19001-2016", "GB 4706.1-2005", "JB/T 13368-2018",
                                "JB/T 10001-2019")
CATALOGUE: list[dict[str, Any]] = [
    {"number": S_IDT, "title_zh": "质量管理体系 要求", "issued_on": D(2016, 12, 30),
     "effective_on": D(2017, 7, 1),
     "adoptions": [{"number": "ISO 9001:2015", "degree": "IDT", "title": None}]},
    {"number": S_MOD, "title_zh": "家用和类似用途电器的安全 第1部分：通用要求",
     "issued_on": D(2005, 8, 26), "effective_on": D(2006, 8, 1),
     "adoptions": [{"number": "IEC 60335-1:2004", "degree": "MOD", "title": None}]},
    {"number": S_NEQ, "title_zh": "叉车属具 软包夹", "issued_on": D(2018, 4, 30),
     "effective_on": D(2018, 12, 1),
     "adoptions": [{"number": "ISO 2328:2011", "degree": "NEQ", "title": None}]},
    {"number": S_PLAIN, "title_zh": "通用机械 示例", "issued_on": D(2019, 1, 1),
     "effective_on": D(2019, 7, 1)},
]


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_password_hashes(monkeypatch)


@dataclass
class ReportWorld:
    ents: dict[str, Enterprise]
    decls: dict[str, Declaration]
    users: dict[str, User]
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.tokens[role]}"}


ROLES = ("anonymous", "member_e1", "officer_sx", "officer_hz", "admin")


def _file(ent: Enterprise, actor: User, name: str, standards: list[str], *, main: bool = True,
          value: float | None = None, intl: str | None = None, at: T | None = None) -> Declaration:
    data = content(product_name=name, standards=standards, is_main_product=main,
                   annual_output_value=value, intl_standard=intl, indicators=[])
    decl, _ = services.create_declaration(ent, data, actor, publish=at is not None)
    if at is not None:
        decl.editions[0].published_at = at
        decl.first_published_at = at
    _db.session.flush()
    return decl


def _amend(decl: Declaration, actor: User, at: T, **changes: Any) -> None:
    data = services.edition_data(decl.current_edition)  # type: ignore[arg-type]
    data.update(changes)
    services.amend_declaration(decl, data, actor)
    decl.current_edition.published_at = at  # type: ignore[union-attr]
    _db.session.flush()


def make_report_world() -> ReportWorld:
    for row in CATALOGUE:
        upsert_standard(row, source="test")
    ents = {
        "E1": make_enterprise(make_credit_code("9", "1", "330683", "MA2RPT001"), "嵊州甲电器", "38"),
        "E2": make_enterprise(make_credit_code("9", "1", "330683", "MA2RPT002"), "嵊州乙泵业", "34"),
        "E3": make_enterprise(make_credit_code("9", "1", "330624", "MA2RPT003"), "新昌丙机械", "34"),
        "E4": make_enterprise(make_credit_code("9", "1", "330624", "MA2RPT004"), "新昌丁开关", "38"),
        "E5": make_enterprise(make_credit_code("9", "1", "330102", "MA2RPT005"), "杭州戊灯具", "38"),
    }
    users = {
        "member_e1": create_user("e1@example.com", "甲企业", PASSWORD, enterprise=ents["E1"]),
        "member_e2": create_user("e2@example.com", "乙企业", PASSWORD, enterprise=ents["E2"]),
        "member_e3": create_user("e3@example.com", "丙企业", PASSWORD, enterprise=ents["E3"]),
        "member_e4": create_user("e4@example.com", "丁企业", PASSWORD, enterprise=ents["E4"]),
        "member_e5": create_user("e5@example.com", "戊企业", PASSWORD, enterprise=ents["E5"]),
        "officer_sx": create_user("sx@example.com", "绍兴市局", PASSWORD, role="officer",
                                  region_code="330600"),
        "officer_hz": create_user("hz@example.com", "杭州市局", PASSWORD, role="officer",
                                  region_code="330100"),
        "admin": create_user("admin@example.com", "管理员", PASSWORD, role="admin"),
    }
    admin = users["admin"]
    for year in (2023, 2024, 2025):
        set_enterprise_year(ents["E1"], year, True, 5000.0, admin)
        set_enterprise_year(ents["E2"], year, year >= 2024, 2500.0, admin)
        set_enterprise_year(ents["E3"], year, True, None, admin)
        set_enterprise_year(ents["E5"], year, True, 9000.0, admin)
    m = {k: users[f"member_{k.lower()}"] for k in ents}
    decls = {
        "P1": _file(ents["E1"], m["E1"], "电饭锅", [S_IDT, S_PLAIN], value=100, at=T(2022, 6, 1)),
        "P2": _file(ents["E1"], m["E1"], "电机", [S_NEQ], value=50, at=T(2022, 6, 1)),
        "P3": _file(ents["E1"], m["E1"], "配件", [S_IDT], main=False, value=30, at=T(2022, 6, 1)),
        "P4": _file(ents["E1"], m["E1"], "风机", [S_MOD], value=80, at=T(2023, 3, 1)),
        "P5": _file(ents["E2"], m["E2"], "水泵", [S_IDT], at=T(2023, 2, 1)),
        "P6": _file(ents["E3"], m["E3"], "阀门", [S_MOD], value=60, at=T(2022, 1, 10)),
        "P7": _file(ents["E3"], m["E3"], "齿轮", [S_PLAIN], value=20, intl="ISO 6336-1:2019",
                    at=T(2024, 12, 31, 2)),
        "P8": _file(ents["E3"], m["E3"], "轴承", [S_IDT], value=90, at=T(2025, 12, 31, 17)),
        "P9": _file(ents["E4"], m["E4"], "开关", [S_IDT], value=10, at=T(2022, 5, 1)),
        "P10": _file(ents["E5"], m["E5"], "灯具", [S_IDT], value=500, at=T(2022, 5, 1)),
        "P11": _file(ents["E1"], m["E1"], "草稿", [S_IDT], value=5),
    }
    _amend(decls["P6"], m["E3"], T(2024, 8, 1), standards=[S_PLAIN], annual_output_value=70)
    services.withdraw_declaration(decls["P4"], "停产", m["E1"])
    decls["P4"].withdrawn_at = T(2024, 7, 1)
    _db.session.flush()
    tokens = {role: issue_token(users[role], "tests") for role in ROLES if role != "anonymous"}
    return ReportWorld(ents, decls, users, tokens)


@pytest.fixture
def rw(db: Any) -> ReportWorld:
    return make_report_world()


# -- plans and spot checks: the same world, plus catalogue records with drafting organisations and
# certificates (tests/reports/test_plans.py works out every figure from these by hand) ----------

PLAN_CATALOGUE: list[dict[str, Any]] = [
    # issued in the period, drafted by E1 (嵊州, 绍兴) and an institute: counts
    {"number": "T/ZZB 0101-2023", "title_zh": "示例浙江制造一", "issued_on": D(2023, 5, 1),
     "drafting_orgs": ["嵊州甲电器", "浙江某研究院"]},
    # drafted by E5 (杭州): not 绍兴
    {"number": "T/ZZB 0102-2024", "title_zh": "示例浙江制造二", "issued_on": D(2024, 3, 1),
     "drafting_orgs": ["杭州戊灯具"]},
    # before the period
    {"number": "T/ZZB 0103-2022", "title_zh": "示例浙江制造三", "issued_on": D(2022, 1, 1),
     "drafting_orgs": ["新昌丙机械"]},
    # two 绍兴 drafters: counts once
    {"number": "T/ZZB 0104-2025", "title_zh": "示例浙江制造四", "issued_on": D(2025, 2, 1),
     "drafting_orgs": ["新昌丙机械", "嵊州甲电器"]},
    # a national standard, the drafter's name written with a space: counts (spaces ignored)
    {"number": "GB/T 99001-2024", "title_zh": "示例国家标准", "issued_on": D(2024, 1, 1),
     "drafting_orgs": ["新昌 丙机械"]},
    # an abbreviation: does not match (a documented limit)
    {"number": "GB/T 99002-2024", "title_zh": "示例国家标准二", "issued_on": D(2024, 2, 1),
     "drafting_orgs": ["丙机械"]},
]


@pytest.fixture
def pw(rw: ReportWorld) -> ReportWorld:
    """``rw`` with PLAN_CATALOGUE and certificates: E1 浙江制造 valid to 2030, E3 品字标 expired
    2024-01-01 (not counted from then on), E5 (杭州) 品字标 valid."""
    for row in PLAN_CATALOGUE:
        std, _ = upsert_standard({k: v for k, v in row.items() if k != "drafting_orgs"},
                                 source="test")
        std.drafting_orgs = list(row["drafting_orgs"])
    rw.ents["E1"].certificates = [{"kind": "浙江制造", "number": "ZJ-1", "standard": None,
                                   "valid_until": "2030-01-01"}]
    rw.ents["E3"].certificates = [{"kind": "品字标", "number": "PZB-3", "standard": None,
                                   "valid_until": "2024-01-01"}]
    rw.ents["E5"].certificates = [{"kind": "品字标", "number": "PZB-5", "standard": None,
                                   "valid_until": None}]
    _db.session.flush()
    return rw
