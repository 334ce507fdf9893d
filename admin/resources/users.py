"""Users of the panel (admins only). Their writes are :mod:`empower.admin.accounts`, not a core
service, and are served by :mod:`empower.admin.routes.users`."""

from __future__ import annotations

from typing import Any

from empower import vocab

from .. import models as m
from ..detail import RelatedTables
from ..forms import Field, FormSpec
from ..scope import Principal
from .base import N_, Column, Filter, Resource
from .filters import equals, search_fields, vocab_options

__all__ = ["FIELDS", "resource"]

_C = Column

FIELDS = [
    Field("username", N_("User name"), required=True),
    Field("role", N_("Role"), "select", vocab.Role, required=True),
    Field("regions", N_("Regions (codes, comma-separated)")),
    Field("language", N_("Language"), "select", [("fr", "Français"), ("ar", "العربية"),
                                                  ("en", "English")]),
    Field("password", N_("Password"), "password", required=True),
]


async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    # No related table: her regions are shown among her fields.
    regions = await m.UserRegion.filter(user_id=row["id"]).values_list("region_code", flat=True)
    row["regions"] = ", ".join(sorted(str(r) for r in regions))
    return []


resource = Resource(
    "users", N_("Users"), m.User,
    [_C("id", "#"), _C("username", N_("User name")), _C("role", N_("Role"), "label"),
     _C("language", N_("Language")), _C("is_active", N_("Active"), "bool"),
     _C("focal_point", N_("Focal point (grievances)"), "bool"),
     # Failures lock a user name for one client address (empower.admin.throttle), not the
     # account: this is when the latest such lock ends.
     _C("locked_until", N_("Last lockout until"), "datetime"),
     _C("last_login_at", N_("Last login"), "datetime")],
    lambda p: p.scope_all, search_fields("username"), N_("User name"),
    [Filter("role", N_("Role"), vocab_options(vocab.Role), equals("role", vocab.Role))],
    admin_only=True, create_roles=("admin",),
    extra=[_C("failed_logins", N_("Failed logins")),
           _C("password_changed_at", N_("Password changed at"), "datetime"),
           _C("created_at", N_("Created at"), "datetime")],
    create=FormSpec(FIELDS, None, N_("Create a user")),
    related=related,
    audit_entity="user",
)
