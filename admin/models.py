"""Tortoise models derived from the core's SQLAlchemy metadata, so the two never drift.

SQLAlchemy and Alembic own the schema; these read-only mirrors are generated at import from
``empower.models.Base.metadata``: same tables, same column names, same types and nullability.
Foreign keys are plain columns (``beneficiary_id``, ``province_code``) because the panel only
reads through Tortoise and every write goes through the core services. Tortoise needs a single
primary key: for ``user_regions`` (composite key) the first key column stands in, so the panel
never fetches a ``UserRegion`` by primary key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table, Text
from sqlalchemy import Enum as SAEnum
from tortoise import fields
from tortoise.models import Model

from empower.models import Base

__all__ = ["MODELS", "field_for", "model_for_table", "model_name"]


def field_for(column: Column[Any], *, primary_key: bool) -> fields.Field[Any]:
    """The Tortoise field that reads ``column`` as SQLAlchemy writes it."""
    kw: dict[str, Any] = {"source_field": column.name}
    if primary_key:
        kw["primary_key"] = True
    else:
        kw["null"] = bool(column.nullable)
    kind = column.type
    if isinstance(kind, SAEnum):
        # Vocabularies are stored as their string values (values_callable): read them as text.
        return fields.CharField(max_length=kind.length or 60, **kw)
    if isinstance(kind, Boolean):
        return fields.BooleanField(**kw)
    if isinstance(kind, Integer):
        if primary_key:
            kw["generated"] = bool(column.autoincrement in (True, "auto")) and not column.foreign_keys
        return fields.IntField(**kw)
    if isinstance(kind, Float):
        return fields.FloatField(**kw)
    if isinstance(kind, DateTime):
        return fields.DatetimeField(**kw)
    if isinstance(kind, Date):
        return fields.DateField(**kw)
    if isinstance(kind, Text):
        return fields.TextField(**kw)
    if isinstance(kind, String):
        return fields.CharField(max_length=kind.length or 255, **kw)
    if isinstance(kind, JSON):
        return fields.JSONField(**kw)
    raise TypeError(f"{column.table.name}.{column.name}: no Tortoise field for {kind!r}")


def model_for_table(name: str, table: Table) -> type[Model]:
    """Build the Tortoise model class mirroring one table."""
    pk_columns = list(table.primary_key.columns)
    attrs: dict[str, Any] = {"__module__": __name__}
    for column in table.columns:
        attrs[column.name] = field_for(column, primary_key=column is pk_columns[0])
    attrs["Meta"] = type("Meta", (), {"table": table.name, "app": "models"})
    return type(name, (Model,), attrs)


def _build() -> dict[str, type[Model]]:
    out: dict[str, type[Model]] = {}
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
        table = mapper.local_table
        assert isinstance(table, Table)
        out[mapper.class_.__name__] = model_for_table(mapper.class_.__name__, table)
    return out


MODELS = _build()
_NAMES = {model._meta.db_table: name for name, model in MODELS.items()}


def model_name(table: str) -> str:
    """The name of the model mirroring ``table`` (``archive_periods`` -> ``ArchivePeriod``)."""
    return _NAMES[table]

globals().update(MODELS)
# Tortoise's discovery reads this list (and nothing else) from the module.
__models__ = list(MODELS.values())

Activity = MODELS["Activity"]
ActivitySession = MODELS["ActivitySession"]
Agreement = MODELS["Agreement"]
Attendance = MODELS["Attendance"]
AuditEvent = MODELS["AuditEvent"]
Beneficiary = MODELS["Beneficiary"]
CoachingVisit = MODELS["CoachingVisit"]
Cooperative = MODELS["Cooperative"]
Disbursement = MODELS["Disbursement"]
DuplicateCandidate = MODELS["DuplicateCandidate"]
Enrollment = MODELS["Enrollment"]
Grant = MODELS["Grant"]
Grievance = MODELS["Grievance"]
GrievanceStep = MODELS["GrievanceStep"]
Indicator = MODELS["Indicator"]
Target = MODELS["Target"]
Contribution = MODELS["Contribution"]
Intake = MODELS["Intake"]
Membership = MODELS["Membership"]
Partner = MODELS["Partner"]
PaymentBatch = MODELS["PaymentBatch"]
PaymentInstruction = MODELS["PaymentInstruction"]
Program = MODELS["Program"]
Province = MODELS["Province"]
Region = MODELS["Region"]
SurveyRecord = MODELS["SurveyRecord"]
User = MODELS["User"]
UserRegion = MODELS["UserRegion"]
