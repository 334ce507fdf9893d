"""What a resource of the panel is: one object that says everything about one kind of record.

A :class:`Resource` names its list (columns, search, filters), the region scope that narrows
every query on it (list, filter options, export, record page, bulk ids), its forms (create,
edit) and actions with the core service each one calls, which roles may create, and the related
tables shown on a record's page. Each resource lives in its own module of
:mod:`empower.admin.resources` and is registered there in one line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tortoise.queryset import QuerySet

from empower.rules import RulesConfig

from ..forms import Action, EditForm, FormSpec
from ..scope import Principal

if TYPE_CHECKING:
    from ..detail import RelatedTables

__all__ = ["MASKED_KINDS", "N_", "Column", "Filter", "MaskedSearch", "Resource", "Scope", "registry"]

N_ = str  # marks a string for the catalog; translated when rendered

Scope = Callable[[Principal], Callable[[QuerySet[Any]], QuerySet[Any]]]
# ``masked_search(queryset, text, rules) -> (queryset, probed)``: see ``Resource.masked_search``.
MaskedSearch = Callable[[QuerySet[Any], str, RulesConfig], tuple[QuerySet[Any], bool]]
# Column kinds shown masked to viewers (``Principal.masked``).
MASKED_KINDS = ("cin", "phone", "rib")


@dataclass
class Column:
    """One column of a list (and one field of the record's page and of exports)."""

    key: str
    label: str
    # text | date | datetime | mad | label | bool | cin | phone | rib | link | json | personal |
    # shares (a tranche plan) | labels (a list of vocabulary values)
    # (personal: shown only to the roles that see personal data, never to viewers)
    kind: str = "text"
    sortable: bool = True
    # A ``label`` column's context in the catalog (``formatting.label``): ``batch`` reads
    # ``batch:approved`` first.
    context: str = ""


@dataclass
class Filter:
    """A drop-down above a list: its options for her, and how a chosen value narrows the rows."""

    name: str
    label: str
    options: Callable[[Principal], Any]
    apply: Callable[[QuerySet[Any], str, Principal], QuerySet[Any]]
    default: str = ""
    # The same rows in the form a capped count reads fastest, when it differs from the page's
    # (the page stops after 25 rows, the count reads up to 10,001).
    count_apply: Callable[[QuerySet[Any], str, Principal], QuerySet[Any]] | None = None


@dataclass
class Resource:
    """Everything the panel knows about one kind of record."""

    slug: str
    label: str
    model: Any
    columns: list[Column]
    # Which rows she may see: ``scope(principal)(queryset)``.
    scope: Scope
    # ``search(queryset, text, rules)``: the rows the text finds (``rules``: the configured
    # rules, e.g. what a CIN looks like).
    search: Callable[[QuerySet[Any], str, RulesConfig], QuerySet[Any]] | None = None
    search_hint: str = ""
    filters: list[Filter] = field(default_factory=list)
    admin_only: bool = False
    has_detail: bool = True
    # Roles that may create one (writers only: viewers never write).
    create_roles: tuple[str, ...] = ("admin", "officer")
    icon: str = ""
    # Shown on the record's page and in exports, not in the list.
    extra: list[Column] = field(default_factory=list)
    create: FormSpec | None = None
    edit: EditForm | None = None
    # Roles that may edit one (writers only).
    edit_roles: tuple[str, ...] = ("admin", "officer")
    # Offered on a record's page when ``action.when(row)``; writers only.
    actions: list[Action] = field(default_factory=list)
    # Names of the actions also offered on a list's checked rows (all or nothing).
    bulk: tuple[str, ...] = ()
    # Tables shown under a record's page, each scoped like its own list.
    related: Callable[[dict[str, Any], Principal, RelatedTables],
                      Awaitable[list[dict[str, Any]]]] | None = None
    # ``audit_events.entity`` of this kind of record (its history on the record's page).
    audit_entity: str | None = None
    # The search of users who see CIN and phone masked (viewers): a CIN or a phone number matches
    # only the whole value, never a prefix or a part (which would spell the masked digits out
    # one search at a time); ``probed`` says the text was looked up as one (rate-limited). A
    # resource with a masked column and no masked search offers them no search at all.
    masked_search: MaskedSearch | None = None
    # What her search box says then (default: ``search_hint``).
    masked_search_hint: str = ""
    # A section of its own on the record's page (a session's roster, an activity's
    # completion): ``page(row, principal, panel)`` gives the context of ``page_template``.
    page: Callable[[dict[str, Any], Principal, Any], Awaitable[dict[str, Any]]] | None = None
    page_template: str = ""
    # The list's order when the query string names none.
    default_sort: str = "-id"
    # ``shown(row, principal)``: the row as she may see it, for rows whose content is hers to
    # see only in part (a confidential grievance an admin sees exists); applied to lists,
    # exports and the record's page.
    shown: Callable[[dict[str, Any], Principal], dict[str, Any]] | None = None

    def query(self, principal: Principal) -> QuerySet[Any]:
        """Every row she may see."""
        return self.scope(principal)(self.model.all())

    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def has_masked_columns(self) -> bool:
        """Whether viewers see some of its columns masked (CIN, phone)."""
        return any(c.kind in MASKED_KINDS for c in self.all_columns)

    def sortable(self, key: str, principal: Principal) -> bool:
        """Whether she may sort the list by the column ``key``: a listed, sortable column, and
        never a masked one for a masked user (the order of rows would spell the values out)."""
        col = next((c for c in self.columns if c.key == key), None)
        return col is not None and col.sortable and not (
            principal.masked and col.kind in MASKED_KINDS)

    @property
    def all_columns(self) -> list[Column]:
        return self.columns + self.extra

    @property
    def bulk_actions(self) -> list[Action]:
        return [a for a in self.actions if a.name in self.bulk]

    def action(self, name: str) -> Action | None:
        return next((a for a in self.actions if a.name == name), None)


def registry(resources: Iterable[Resource]) -> dict[str, Resource]:
    """Resources by slug, in menu order; two resources with one slug are a programming error."""
    out: dict[str, Resource] = {}
    for resource in resources:
        if resource.slug in out:
            raise ValueError(f"two panel resources are named {resource.slug!r}")
        out[resource.slug] = resource
    return out
