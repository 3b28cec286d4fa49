"""Import every model module so the metadata (and Alembic) sees all tables."""

from registry.accounts.models import ApiToken, User
from registry.search.models import ChangeFeed
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

__all__ = ["Adoption", "ApiToken", "ChangeFeed", "Replacement", "Standard", "StandardICS", "User"]
