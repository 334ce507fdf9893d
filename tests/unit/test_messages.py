"""The message catalog: every refusal has a sentence in French, Arabic and English."""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from empower import errors, rules
from empower.errors import EmpowerError, InvalidInput, NotEligible
from empower.messages import CATALOG, LANGUAGES, describe, format_amount, placeholders, render

_ARABIC = re.compile(r"[\u0600-\u06FF]")
# Words a French sentence never needs; their presence means a sentence was left in English.
_ENGLISH = re.compile(r"\b(the|is|not|already|must|cannot|and|has|was|would|above|before|"
                      r"after|of|with|outside|does|exist|refused|required)\b", re.IGNORECASE)


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_every_entry_is_said_in_three_languages_with_the_same_figures(code: str) -> None:
    entry = CATALOG[code]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert placeholders(entry["fr"]) == placeholders(entry["en"]) == placeholders(entry["ar"])
    assert code == code.lower() and "." in code and " " not in code


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_no_translation_is_left_in_english(code: str) -> None:
    entry = CATALOG[code]
    assert entry["fr"] != entry["en"]
    # Placeholders and quoted example values aside, the French sentence has no English words.
    french = re.sub(r"\{[^}]*\}", "", entry["fr"])
    assert _ENGLISH.search(french) is None, french
    assert _ARABIC.search(entry["ar"]) is not None
    assert _ARABIC.search(entry["en"]) is None


def test_amounts_are_written_the_way_each_language_writes_them() -> None:
    assert format_amount(Decimal("12500"), "fr") == "12\u202f500,00"
    assert format_amount(Decimal("12500.5"), "ar") == "12.500,50"
    assert format_amount(Decimal("1234567.89"), "en") == "1,234,567.89"
    assert format_amount(Decimal("0.05"), "fr") == "0,05"


def test_describe_fills_the_template_of_the_language() -> None:
    with pytest.raises(NotEligible) as caught:
        rules.check_adult(date(2010, 5, 1), date(2025, 3, 12))
    exc = caught.value
    assert exc.code == "beneficiary.too_young"
    assert exc.params == {"age": 14, "on": date(2025, 3, 12), "min_age": 18}
    assert describe(exc, "fr") == ("Elle a 14 ans le 2025-03-12 ; les bénéficiaires doivent "
                                   "avoir au moins 18 ans.")
    assert "14" in describe(exc, "ar") and "2025-03-12" in describe(exc, "ar")
    assert describe(exc, "en") == "She is 14 on 2025-03-12; beneficiaries must be 18 or older"
    # The English message scripts read is unchanged.
    assert exc.message == "birth_date: she is 14 on 2025-03-12; beneficiaries must be 18 or older"


def test_an_unknown_code_keeps_the_english_message() -> None:
    exc = EmpowerError("something odd happened")
    assert exc.code == "error" and exc.params == {}
    assert describe(exc, "fr") == "something odd happened"
    assert InvalidInput("x: y").code == "invalid_input"
    assert render("no.such.code", {}, "ar", default="fallback") == "fallback"


def test_an_unknown_language_is_english() -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.normalize_cin("12")
    assert describe(caught.value, "de") == describe(caught.value, "en")
    assert describe(caught.value, "fr").startswith("CIN « 12 » invalide")


# -- every raise site has a code, and every code an entry ---------------------------------------

_ROOT = Path(__file__).resolve().parents[2]
_ERRORS = frozenset(name for name in errors.__all__
                    if issubclass(getattr(errors, name), BaseException))
# Helper `io` gives the importer's own raise sites their codes; until then they keep their kind.
_NOT_YET_CODED: tuple[str, ...] = ()


def _error_calls() -> list[tuple[str, int, ast.Call]]:
    calls = []
    for folder in ("empower", "admin", "reports"):
        for path in sorted((_ROOT / folder).rglob("*.py")):
            rel = path.relative_to(_ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.id if isinstance(func, ast.Name) else \
                        func.attr if isinstance(func, ast.Attribute) else None
                    if name in _ERRORS:
                        calls.append((rel, node.lineno, node))
    return calls


def _code_of(call: ast.Call) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == "code"), None)


def test_the_scan_sees_the_raise_sites() -> None:
    files = {rel for rel, _, _ in _error_calls()}
    assert {"empower/rules.py", "empower/services/grants.py", "reports/period.py",
            "admin/accounts.py"} <= files


def test_the_constraints_racing_writers_hit_have_entries() -> None:
    # db.py builds these errors from a table, out of the scan's sight.
    from empower.db import _CONSTRAINT_MESSAGES

    codes = {code for _, code, _, _ in _CONSTRAINT_MESSAGES.values()} | {"race.unique",
                                                                        "race.constraint"}
    assert sorted(codes - set(CATALOG)) == []


def test_every_raise_site_names_its_code() -> None:
    missing = [f"{rel}:{line}" for rel, line, call in _error_calls()
               if _code_of(call) is None and not rel.startswith(_NOT_YET_CODED)]
    assert missing == []


def test_every_code_written_in_the_source_has_an_entry() -> None:
    unknown = []
    for rel, line, call in _error_calls():
        code = _code_of(call)
        if isinstance(code, ast.Constant):
            if code.value not in CATALOG:
                unknown.append(f"{rel}:{line}: {code.value}")
        elif isinstance(code, ast.JoinedStr):
            # code=f"name.wrong_script_{script}": some entry must start with the literal part.
            head = code.values[0].value if isinstance(code.values[0], ast.Constant) else ""
            if not head or not any(c.startswith(str(head)) for c in CATALOG):
                unknown.append(f"{rel}:{line}: {ast.unparse(code)}")
        elif isinstance(code, ast.IfExp):
            for branch in (code.body, code.orelse):
                if not (isinstance(branch, ast.Constant) and branch.value in CATALOG):
                    unknown.append(f"{rel}:{line}: {ast.unparse(branch)}")
        elif code is not None and not isinstance(code, ast.Name | ast.Attribute | ast.Subscript):
            unknown.append(f"{rel}:{line}: {ast.unparse(code)}")
    assert unknown == []
