"""The accounts tests' fixtures: real scrypt hashes computed once, the two-enterprise world."""

from tests.accounts.conftest import _fast_hashes, world  # noqa: F401  (pytest fixtures)
