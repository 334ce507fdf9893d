"""The Tortoise mirrors match the SQLAlchemy metadata column for column (a drift test)."""

from __future__ import annotations

import asyncio

from empower.admin import compat
from empower.admin import models as m
from empower.admin.app import tortoise_url
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy import Enum as SAEnum
from tortoise import fields

from empower.models import Base

_EXPECTED = [
    (SAEnum, fields.CharField), (Boolean, fields.BooleanField), (Integer, fields.IntField),
    (Float, fields.FloatField), (DateTime, fields.DatetimeField), (Date, fields.DateField),
    (Text, fields.TextField), (String, fields.CharField),
]


def test_every_table_and_column_is_mirrored_with_type_and_nullability():
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    mirrored = {model._meta.db_table: model for model in m.MODELS.values()}
    assert set(mirrored) == set(tables)
    for name, table in tables.items():
        model = mirrored[name]
        by_column = {f.source_field or f.model_field_name: f
                     for f in model._meta.fields_map.values()}
        assert set(by_column) == {c.name for c in table.columns}, name
        for column in table.columns:
            field = by_column[column.name]
            for sa_type, tortoise_type in _EXPECTED:
                if isinstance(column.type, sa_type):
                    assert isinstance(field, tortoise_type), (name, column.name)
                    break
            if not field.pk:
                assert field.null == column.nullable, (name, column.name)
            if isinstance(column.type, String) and not isinstance(column.type, Text):
                assert field.max_length == (column.type.length or 255), (name, column.name)


def test_tortoise_reads_what_sqlalchemy_wrote(db, db_url, seed):
    async def read():
        async with compat.tortoise_lifespan(tortoise_url(db_url),
                                            {"models": ["empower.admin.models"]}):
            out = {}
            for name, model in m.MODELS.items():
                out[name] = await model.all().limit(5).values()
            return out

    rows = asyncio.run(read())
    person = next(r for r in rows["Beneficiary"] if r["id"] == seed.inside_id)
    assert person["first_name_ar"] == "فاطمة"
    assert person["milieu"] == "rural"
    assert rows["Grant"][0]["status"] == "submitted"
    assert rows["User"] and rows["User"][0]["password_hash"].startswith("$argon2id$")
