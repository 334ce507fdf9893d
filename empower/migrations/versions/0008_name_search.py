"""name search through an index: beneficiaries.search_key and its full-text index

The search box of the panel looked names up with ``LIKE '%word%'``, which reads every row: at
a million women a rare name took a quarter of a second. Each woman now has the folded words of
her names in both scripts (``beneficiaries.search_key``, see ``empower.search``), indexed for
word-prefix search: on SQLite an FTS5 table (``beneficiaries_fts``, external content, kept in
step by triggers), on PostgreSQL a GIN index on ``to_tsvector('simple', search_key)``.

Existing women get their key here, computed by ``empower.search.search_key`` (a later change of
the folding comes with a migration that recomputes it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_BATCH = 5000

# The SQLite full-text table and the triggers that keep it in step with beneficiaries.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE beneficiaries_fts USING fts5(search_key, content='beneficiaries', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER beneficiaries_fts_insert AFTER INSERT ON beneficiaries BEGIN "
    "INSERT INTO beneficiaries_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER beneficiaries_fts_delete AFTER DELETE ON beneficiaries BEGIN "
    "INSERT INTO beneficiaries_fts(beneficiaries_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER beneficiaries_fts_update AFTER UPDATE OF search_key ON beneficiaries BEGIN "
    "INSERT INTO beneficiaries_fts(beneficiaries_fts, rowid, search_key) "
    "VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO beneficiaries_fts(rowid, search_key) VALUES (new.id, new.search_key); END",
]
PG_INDEX = ("CREATE INDEX ix_beneficiaries_search_key_fts ON beneficiaries USING gin "
            "(to_tsvector('simple', coalesce(search_key, '')))")


def upgrade() -> None:
    from empower.search import search_key

    op.add_column('beneficiaries', sa.Column('search_key', sa.Text(), nullable=True))
    bind = op.get_bind()
    people = sa.table('beneficiaries', sa.column('id', sa.Integer),
                      sa.column('first_name'), sa.column('last_name'),
                      sa.column('first_name_ar'), sa.column('last_name_ar'),
                      sa.column('search_key', sa.Text))
    last = 0
    while True:
        rows = bind.execute(sa.select(people.c.id, people.c.first_name, people.c.last_name,
                                      people.c.first_name_ar, people.c.last_name_ar)
                            .where(people.c.id > last).order_by(people.c.id)
                            .limit(_BATCH)).all()
        if not rows:
            break
        bind.execute(people.update().where(people.c.id == sa.bindparam('pid'))
                     .values(search_key=sa.bindparam('key')),
                     [{'pid': r[0], 'key': search_key(*r[1:])} for r in rows])
        last = rows[-1][0]
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(sa.text(statement))
        op.execute(sa.text("INSERT INTO beneficiaries_fts(beneficiaries_fts) VALUES ('rebuild')"))
    else:
        op.execute(sa.text(PG_INDEX))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('beneficiaries_fts_update', 'beneficiaries_fts_delete',
                     'beneficiaries_fts_insert'):
            op.execute(sa.text(f'DROP TRIGGER {name}'))
        op.execute(sa.text('DROP TABLE beneficiaries_fts'))
    else:
        op.execute(sa.text('DROP INDEX ix_beneficiaries_search_key_fts'))
    op.drop_column('beneficiaries', 'search_key')
