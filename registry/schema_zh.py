"""Chinese for marshmallow's built-in English validation messages (one table for all files)."""

from __future__ import annotations

import re

MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Missing data for required field\."), "必填项"),
    (re.compile(r"Field may not be null\."), "不能为空"),
    (re.compile(r"Not a valid number\."), "应为数字"),
    (re.compile(r"Not a valid boolean\."), "应为 是 或 否"),
    (re.compile(r"Not a valid string\."), "应为文本"),
    (re.compile(r"Not a valid list\."), "应为列表"),
    (re.compile(r"Not a valid date\."), "日期格式无效"),
    (re.compile(r"Not a valid URL\."), "不是有效的网址（应以 http:// 或 https:// 开头）"),
    (re.compile(r"Invalid input type\."), "类型无效"),
    (re.compile(r"Unknown field\."), "未知字段"),
    (re.compile(r"Must be one of: .*"), "取值无效"),
    (re.compile(r"String does not match expected pattern\."), "格式不正确"),
    (re.compile(r"Longer than maximum length (\d+)\."), r"长度不能超过 \1 个字符"),
    (re.compile(r"Length must be between 1 and (\d+)\."), r"不能为空，且长度不能超过 \1 个字符"),
    (re.compile(r"Shorter than minimum length \d+\."), "不能为空"),
    (re.compile(r"Special numeric values \(nan or infinity\) are not permitted\."), "应为有限的数字"),
)


def to_chinese(message: str) -> str:
    """The Chinese for one of marshmallow's messages; other messages are returned as given."""
    for pattern, repl in MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(repl, message)
    return message
