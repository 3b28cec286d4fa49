"""Import every model module so the metadata (and Alembic) sees all tables."""

from registry.accounts.models import ApiToken, SignInFailure, User
from registry.audit import AuditEntry
from registry.declarations.models import (
    Declaration,
    DeclarationEdition,
    EditionStandard,
    Indicator,
    WatchFlag,
)
from registry.enterprises.models import Enterprise
from registry.reports.models import EnterpriseYear, Plan, PlanIndicator, SpotCheckDraw, SpotCheckItem
from registry.search.models import ChangeFeed
from registry.standards.models import Adoption, Replacement, Standard, StandardICS

__all__ = ["Adoption", "ApiToken", "AuditEntry", "ChangeFeed", "Declaration",
           "DeclarationEdition", "EditionStandard", "Enterprise", "EnterpriseYear", "Indicator",
           "Plan", "PlanIndicator", "Replacement", "SignInFailure", "SpotCheckDraw",
           "SpotCheckItem", "Standard", "StandardICS", "User", "WatchFlag"]
