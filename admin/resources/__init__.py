"""The panel's resources, one module each; this list is their registration (and menu order).

Adding a resource: write ``admin/resources/<name>.py`` defining ``resource = Resource(...)``
(see :mod:`empower.admin.resources.base`) and add it to :data:`RESOURCES` below. The routes
(list, export, record page, create, edit, actions, bulk) serve every registered resource.
"""

from __future__ import annotations

from typing import Any

from fastapi_admin.resources import Model as AdminModel

from . import (
    activities,
    agreements,
    audit,
    beneficiaries,
    cooperatives,
    disbursements,
    duplicates,
    enrollments,
    grants,
    grievances,
    intakes,
    memberships,
    my_grievances,
    partners,
    payment_batches,
    payment_instructions,
    programs,
    sessions,
    surveys,
    users,
    visits,
)
from .base import Column, Filter, Resource, registry

__all__ = ["RESOURCES", "Column", "Filter", "Resource", "register_menu", "registry"]

RESOURCES: dict[str, Resource] = registry([
    beneficiaries.resource,
    cooperatives.resource,
    memberships.resource,
    programs.resource,
    partners.resource,
    agreements.resource,
    intakes.resource,
    enrollments.resource,
    grants.resource,
    disbursements.resource,
    payment_batches.resource,
    payment_instructions.resource,
    surveys.resource,
    activities.resource,
    sessions.resource,
    visits.resource,
    duplicates.resource,
    my_grievances.resource,
    grievances.resource,
    users.resource,
    audit.resource,
])


def register_menu(app: Any, resources: dict[str, Resource]) -> None:
    """Register every resource on the fastapi-admin application (its menu registry)."""
    for spec in resources.values():
        attrs = {"label": spec.label, "model": spec.model, "icon": spec.icon,
                 "fields": spec.column_keys(), "page_size": 25}
        app.register(type(f"{spec.model.__name__}Resource", (AdminModel,), attrs))
