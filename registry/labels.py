"""Names of the registry's coded values, one table each, translated (zh first, en catalogue).

Every face takes its labels from here: the models' ``*_label`` properties, the pages'
template globals, the API, imports and exports. Each entry is a lazy string: ``str()`` of
it is Chinese outside a request or in a Chinese one, English in an English page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

LEVEL = {
    "national": _l("国家标准"), "industry": _l("行业标准"), "local": _l("地方标准"),
    "group": _l("团体标准"), "enterprise": _l("企业标准"), "international": _l("国际/国外标准"),
    "zzb": _l("浙江制造"),
}
NATURE = {"mandatory": _l("强制性"), "recommended": _l("推荐性"), "guidance": _l("指导性")}
STATUS = {"upcoming": _l("即将实施"), "current": _l("现行"), "replaced": _l("被代替"),
          "abolished": _l("废止")}
DEGREE = {"IDT": _l("等同采用"), "MOD": _l("修改采用"), "NEQ": _l("非等效采用")}

DECLARATION_STATE = {"draft": _l("草稿"), "published": _l("已公开"), "withdrawn": _l("已废止")}
EDITION_KIND = {"initial": _l("首次声明"), "amendment": _l("修改"), "revision": _l("修订")}
WATCH_EVENT = {"replaced": _l("被代替"), "abolished": _l("废止")}

AUDIT_ACTION = {
    "declaration.create": _l("新建声明"),
    "declaration.update_draft": _l("修改草稿"),
    "declaration.publish": _l("公开声明"),
    "declaration.amend": _l("修改声明（新版本）"),
    "declaration.revise": _l("修订声明（新版本）"),
    "declaration.withdraw": _l("废止声明"),
    "declaration.delete_draft": _l("删除草稿"),
    "enterprise.register": _l("注册企业"),
    "enterprise.update": _l("修改企业信息"),
    "enterprise.year_facts": _l("修改企业年度数据"),
    "token.issue": _l("创建 API 令牌"),
    "token.revoke": _l("撤销 API 令牌"),
    "account.password_change": _l("修改密码"),
    "plan.create": _l("新建规划"),
    "plan.update": _l("修改规划"),
    "plan.indicator": _l("新增或修改规划指标"),
    "spotcheck.draw": _l("抽取抽查样本"),
    "spotcheck.result": _l("登记抽查结果"),
}

PLAN_KIND = {"binding": _l("约束性"), "expected": _l("预期性")}
PLAN_STATUS = {"met": _l("已达标"), "on_track": _l("进度正常"), "behind": _l("滞后"),
               "no_value": _l("暂无数值")}
SPOTCHECK_RESULT = {"conforming": _l("符合"), "nonconforming": _l("不符合")}
SPOTCHECK_FINDING = {
    "below_mandatory": _l("低于强制性标准"), "cites_withdrawn": _l("引用已废止标准"),
    "invalid_number_or_name": _l("标准编号或名称无效"), "missing_indicators": _l("缺少指标"),
    "wrong_structure": _l("结构不规范"), "other": _l("其他"),
}


def text(table: Mapping[str, Any], key: str | None, default: str | None = None) -> str:
    """The label of ``key`` as a string (``default``, else the key itself, when unnamed)."""
    if key is None:
        return default or ""
    found = table.get(key)
    return str(found) if found is not None else (default if default is not None else key)


def chinese(table: Mapping[str, Any]) -> dict[str, str]:
    """The table's Chinese names (imports read and exports write these, whatever the page)."""
    return {key: getattr(value, "_args", (str(value),))[0] for key, value in table.items()}
