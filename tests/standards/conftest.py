"""Fixtures for the catalogue tests: users with API tokens and a small catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from registry.accounts.services import create_user, issue_token
from registry.standards.models import Standard
from registry.standards.services import upsert_standard

D = dt.date


def _add(data: dict[str, Any]) -> Standard:
    std, _ = upsert_standard(data, source="test")
    return std


@pytest.fixture
def admin_token(db: Any) -> str:
    user = create_user("admin@example.com", "管理员", "correct horse", role="admin")
    return issue_token(user, "tests")


@pytest.fixture
def member_token(db: Any) -> str:
    user = create_user("member@example.com", "企业用户", "correct horse", role="member")
    return issue_token(user, "tests")


@pytest.fixture
def admin_headers(admin_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def catalogue(db: Any) -> dict[str, Standard]:
    """Two editions of GB/T 19001 (2008 replaced by 2016) and a few other standards."""
    rows = [
        {
            "number": "GB/T 19001-2008",
            "title_zh": "质量管理体系 要求",
            "issued_on": D(2008, 10, 29),
            "effective_on": D(2009, 3, 1),
            "ics": ["03.120.10"],
            "ccs": "A00",
        },
        {
            "number": "GB/T 19001-2016",
            "title_zh": "质量管理体系 要求",
            "title_en": "Quality management systems—Requirements",
            "issued_on": D(2016, 12, 30),
            "effective_on": D(2017, 7, 1),
            "ics": ["03.120.10"],
            "ccs": "A00",
            "replaces": ["GB/T 19001-2008"],
            "adoptions": [{"number": "ISO 9001:2015", "degree": "IDT"}],
        },
        {
            "number": "GB 4706.1-2005",
            "title_zh": "家用和类似用途电器的安全 第1部分：通用要求",
            "issued_on": D(2005, 8, 26),
            "effective_on": D(2006, 8, 1),
            "ics": ["13.120"],
        },
        {
            "number": "JB/T 13368-2018",
            "title_zh": "叉车属具 软包夹",
            "issued_on": D(2018, 4, 30),
            "effective_on": D(2018, 12, 1),
            "ics": ["53.060"],
        },
        {
            "number": "T/ZZB 2109-2021",
            "title_zh": "一次性炭化竹筷",
            "issued_on": D(2021, 6, 1),
            "effective_on": D(2021, 7, 1),
            "ics": ["97.020"],
            "ccs": "Y87",
        },
        {
            "number": "GB/T 3100-1993",
            "title_zh": "国际单位制及其应用",
            "issued_on": D(1993, 12, 27),
            "effective_on": D(1994, 7, 1),
            "withdrawn_on": D(2020, 1, 1),
            "end_kind": "abolished",
        },
        {
            "number": "GB/T 99999-2099",
            "title_zh": "未来的标准",
            "issued_on": D(2098, 1, 1),
            "effective_on": D(2099, 1, 1),
        },
    ]
    out = {}
    for row in rows:
        std = _add(row)
        out[std.number] = std
    return out
