"""One table per coded value: Chinese for exports and commands, translated on English pages."""

from __future__ import annotations

from flask import Flask

from registry import labels
from registry.standards.models import Standard


def test_chinese_names_whatever_the_page(app: Flask) -> None:
    assert labels.chinese(labels.NATURE) == {"mandatory": "强制性", "recommended": "推荐性",
                                             "guidance": "指导性"}
    with app.test_request_context("/?lang=en"):
        assert labels.chinese(labels.STATUS)["current"] == "现行"
        assert labels.text(labels.STATUS, "current") == "Current"


def test_outside_a_request_labels_are_chinese(app: Flask) -> None:
    with app.app_context():  # a command or the index worker
        assert labels.text(labels.AUDIT_ACTION, "declaration.create") == "新建声明"
        assert labels.text(labels.AUDIT_ACTION, "something.new") == "something.new"
        assert Standard(level="group", org="ZZB").level_label == "浙江制造"
        assert Standard(level="national", nature="mandatory").nature_label == "强制性"
        assert Standard(level="national", nature=None).nature_label is None
