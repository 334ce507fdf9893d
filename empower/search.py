"""Finding a woman by what an officer types: her names in Latin or Arabic script, her CIN, her
phone, through an index on SQLite and PostgreSQL.

Names are searched through ``beneficiaries.search_key``: the words of her four name fields,
each folded the way a Moroccan user expects two spellings to be the same (:func:`fold_word`:
case and accents in Latin script; in Arabic the alef and hamza forms, taa marbuta and alif
maqsura, diacritics and tatweel). Each word typed must begin a word of her names
(:func:`name_matches`), which the database answers from a full-text index
(:func:`name_search_sql`: SQLite FTS5 table ``beneficiaries_fts``, PostgreSQL a GIN index on
``to_tsvector('simple', search_key)``, both made by migration 0008).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, literal_column, select, text

__all__ = [
    "INDEX_TABLES",
    "MAX_TERMS",
    "not_an_index_table",
    "fold_word",
    "name_matches",
    "name_ids_subquery",
    "name_search_sql",
    "phone_prefix",
    "prefix_bounds",
    "prefix_range_sql",
    "purge_erased_words",
    "search_key",
    "search_terms",
]

# Arabic letters written several ways for one name: folded to one form.
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ۀ": "ه", "ى": "ي", "ی": "ي", "ئ": "ي", "ؤ": "و", "ک": "ك", "ڭ": "ك",
})
# Harakat, superscript alef, Quranic marks and tatweel: not letters of the name.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = re.compile(r"[^\W_]+")
# The SQLite full-text table and its shadow tables: made by migration 0008, not models (the
# schema comparison of migrations and models leaves them out).
INDEX_TABLES = frozenset({"beneficiaries_fts", "beneficiaries_fts_data", "beneficiaries_fts_idx",
                          "beneficiaries_fts_docsize", "beneficiaries_fts_config"})


# PostgreSQL's full-text index: an expression index, made by migration 0008 too.
PG_INDEX = "ix_beneficiaries_search_key_fts"


def not_an_index_table(name: str | None, type_: str, *_: Any) -> bool:
    """Alembic's ``include_name`` hook: compare every table and index but the full-text
    index's (SQLite's FTS5 tables, PostgreSQL's expression index)."""
    return not ((type_ == "table" and name in INDEX_TABLES)
                or (type_ == "index" and name == PG_INDEX))


# A search box reads at most this many words (each one more condition on the index).
MAX_TERMS = 4


def fold_word(word: str) -> str:
    """One spelling for the ways a word of a name is typed: ``FÂTIMA`` -> ``fatima``,
    ``فاطِمة`` -> ``فاطمه``, ``إيمان`` -> ``ايمان``."""
    text = unicodedata.normalize("NFKC", word).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    # Latin accents are combining marks after NFKD; Arabic letters with a hamza were folded
    # above (NFKD would split the hamza off them too).
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_terms(text: str) -> list[str]:
    """The folded words of a search text (at most :data:`MAX_TERMS`, in order, no repeats);
    only letters and digits, so a term never carries full-text query syntax."""
    out: list[str] = []
    for word in _WORD.findall(fold_word(str(text))):
        if word not in out:
            out.append(word)
        if len(out) == MAX_TERMS:
            break
    return out


def search_key(*names: str | None) -> str | None:
    """The indexed words of a woman's names, in both scripts (None when she has none)."""
    words: list[str] = []
    for name in names:
        for word in search_terms_all(name or ""):
            if word not in words:
                words.append(word)
    return " ".join(words) or None


def search_terms_all(text: str) -> list[str]:
    """Every folded word of ``text`` (no cap): what :func:`search_key` indexes."""
    return _WORD.findall(fold_word(text))


def name_matches(key: str | None, typed: str) -> bool:
    """The pure rule: every word typed begins one of the words of ``key`` (her search key).
    A text with no word matches no one."""
    terms = search_terms(typed)
    if not terms or not key:
        return False
    words = key.split()
    return all(any(w.startswith(t) for w in words) for t in terms)


def name_search_sql(typed: str, dialect: str, id_column: Any = None,
                    key_column: Any = None) -> ColumnElement[bool] | None:
    """The SQL twin of :func:`name_matches`, served by the full-text index; None when the text
    has no word.

    SQLite: ``id IN (SELECT rowid FROM beneficiaries_fts WHERE beneficiaries_fts MATCH ...)``
    with one quoted prefix query per word; PostgreSQL: ``to_tsvector('simple', search_key) @@
    to_tsquery('simple', 'w1:* & w2:*')``. ``id_column`` / ``key_column`` default to the
    beneficiaries table's.
    """
    from empower.models import Beneficiary

    terms = search_terms(typed)
    if not terms:
        return None
    if dialect == "sqlite":
        ids = id_column if id_column is not None else Beneficiary.id
        query = " ".join(f'"{t}"*' for t in terms)
        matching: Any = (select(literal_column("rowid")).select_from(text_table("beneficiaries_fts"))
                    .where(text("beneficiaries_fts MATCH :fts_query")
                           .bindparams(bindparam("fts_query", query))))
        return ids.in_(matching.scalar_subquery())
    key = key_column if key_column is not None else Beneficiary.search_key
    return func.to_tsvector("simple", func.coalesce(key, "")).op("@@")(
        func.to_tsquery("simple", " & ".join(f"{t}:*" for t in terms)))


def text_table(name: str) -> Any:
    """A table known only by name (the FTS5 table is not one of the models)."""
    from sqlalchemy import table

    return table(name)


def name_ids_subquery(typed: str, dialect: str) -> str | None:
    """The ids :func:`name_search_sql` finds, as a parenthesised SQL subquery for the panel's
    ORM (``id IN <subquery>``, which it takes as raw text): the same index, the same terms.
    The terms are letters and digits only (:func:`search_terms`), so they are written into
    the text safely."""
    terms = search_terms(typed)
    if not terms:
        return None
    # Written into the SQL only because each term is letters and digits (no quote, no
    # operator): checked here again, so a change of search_terms cannot open a hole.
    if not all(_WORD.fullmatch(t) for t in terms):
        raise ValueError("search terms must be letters and digits only")
    if dialect == "sqlite":
        query = " ".join(f'"{t}"*' for t in terms)
        return ("(SELECT rowid FROM beneficiaries_fts "  # noqa: S608
                f"WHERE beneficiaries_fts MATCH '{query}')")
    query = " & ".join(f"{t}:*" for t in terms)
    return ("(SELECT id FROM beneficiaries WHERE to_tsvector('simple', "  # noqa: S608
            f"coalesce(search_key, '')) @@ to_tsquery('simple', '{query}'))")


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """``(low, high)``: a text starts with ``prefix`` exactly when ``low <= text < high``."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_range_sql(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range an ordinary index serves on every backend
    (``LIKE 'AB12%'`` is not indexed by SQLite's case-insensitive LIKE)."""
    low, high = prefix_bounds(prefix)
    return and_(column >= low, column < high)


_DIGITS = re.compile(r"\D")


def phone_prefix(typed: str) -> str | None:
    """The start of a stored Moroccan phone number (``+2126...``) that a typed one spells:
    ``06 12``, ``0612``, ``212612``, ``+212 612``, ``00212612`` -> ``+212612``; None for fewer
    than 3 national digits or a number that is not Moroccan."""
    digits = _DIGITS.sub("", unicodedata.normalize("NFKC", typed))
    for lead in ("00212", "212", "0"):
        if digits.startswith(lead):
            digits = digits[len(lead):]
            break
    else:
        if not typed.strip().startswith("+") and len(digits) < 9:
            return None
    if len(digits) < 3 or len(digits) > 9 or digits[0] not in "5678":
        return None
    return "+212" + digits


def purge_erased_words(session: Any) -> None:
    """After an erasure, rewrite SQLite's full-text index so no page of it keeps her words
    (FTS5 marks a deleted row's words as deleted and drops them only when it merges its
    segments; ``optimize`` merges them all now). PostgreSQL drops a deleted row version's
    index entries at VACUUM, as it does for every column (docs/privacy.md)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO beneficiaries_fts(beneficiaries_fts) "
                             "VALUES ('optimize')"))
