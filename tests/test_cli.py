"""`registry create-user`: every role can be created from the command line."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from registry.accounts.models import User
from tests.declarations.conftest import CODE_A, make_enterprise

PASSWORD = "a-long-password-1"


def _create(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["create-user", "--password", PASSWORD, *args])


class TestCreateUser:
    def test_officer_with_region(self, runner: FlaskCliRunner, db: Any) -> None:
        got = _create(runner, "--email", "sz@example.com", "--name", "嵊州市局",
                      "--role", "officer", "--region", "330683")
        assert got.exit_code == 0, got.output
        assert "330683" in got.output and "API token: reg_" in got.output
        user = db.session.scalar(select(User).where(User.email == "sz@example.com"))
        assert user.role == "officer" and user.region_code == "330683"

    def test_officer_without_region_is_refused_clearly(
            self, runner: FlaskCliRunner, db: Any) -> None:
        got = _create(runner, "--email", "x@example.com", "--role", "officer")
        assert got.exit_code != 0
        assert "管辖地区" in got.output
        assert db.session.scalar(select(User).where(User.email == "x@example.com")) is None

    def test_officer_with_an_invalid_region(self, runner: FlaskCliRunner, db: Any) -> None:
        got = _create(runner, "--email", "x@example.com", "--role", "officer",
                      "--region", "339999")
        assert got.exit_code != 0 and "管辖地区" in got.output

    def test_member_of_an_enterprise(self, runner: FlaskCliRunner, db: Any) -> None:
        ent = make_enterprise(CODE_A, "嵊州市甲机械有限公司")
        got = _create(runner, "--email", "m@example.com", "--role", "member",
                      "--enterprise", CODE_A.lower())
        assert got.exit_code == 0, got.output
        user = db.session.scalar(select(User).where(User.email == "m@example.com"))
        assert user.enterprise_id == ent.id

    def test_unknown_enterprise(self, runner: FlaskCliRunner, db: Any) -> None:
        got = _create(runner, "--email", "m@example.com", "--role", "member",
                      "--enterprise", "91330683MA2BXXXXXX")
        assert got.exit_code != 0 and "未找到" in got.output

    def test_region_only_for_officers(self, runner: FlaskCliRunner, db: Any) -> None:
        got = _create(runner, "--email", "a@example.com", "--region", "330683")
        assert got.exit_code != 0 and "--region" in got.output
