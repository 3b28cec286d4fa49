"""Shared by the accounts tests: real scrypt hashes computed once per password, and the
two-enterprise world of the declarations tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.declarations.conftest import World, make_catalogue, make_world, reuse_password_hashes


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    reuse_password_hashes(monkeypatch)


@pytest.fixture
def world(db: Any) -> World:
    return make_world(make_catalogue())
