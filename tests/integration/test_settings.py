"""Settings that work: every ``empower.config.Settings`` field is in the README's configuration
table and every row of the table is a field; the duplicate-name threshold reaches the rules."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

import empower
from empower.config import Settings
from empower.models import DuplicateCandidate
from tests.factories import make_beneficiary

ROOT = Path(__file__).resolve().parents[2]


def _readme_variables() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(EMPOWER_[A-Z0-9_]+)` \|", section, re.M)


def test_the_readme_table_lists_every_setting_and_nothing_else() -> None:
    documented = _readme_variables()
    assert documented, "the README's configuration table was not found"
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    prefix = Settings.model_config["env_prefix"]
    fields = {f"{prefix}{name}".upper() for name in Settings.model_fields}
    assert fields - set(documented) == set(), "settings missing from the README"
    assert set(documented) - fields == set(), "README rows that are no setting"


def test_the_duplicate_name_threshold_is_read_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPOWER_DUPLICATE_NAME_THRESHOLD", "75")
    assert Settings(_env_file=None).rules().name_match_threshold == 75
    monkeypatch.setenv("EMPOWER_DUPLICATE_NAME_THRESHOLD", "101")
    with pytest.raises(ValidationError, match="duplicate_name_threshold"):
        Settings(_env_file=None)


def _candidates_for_near_namesakes(url: str, threshold: int) -> int:
    db = empower.connect(url, rules=Settings(_env_file=None, duplicate_name_threshold=threshold).rules())
    try:
        with db.unit_of_work() as uow:
            # No Arabic spelling: the Latin names alone decide (they score about 69).
            make_beneficiary(uow, first_name="Fatima", last_name="Benali", first_name_ar=None,
                             last_name_ar=None, birth_date=date(1990, 3, 4))
            make_beneficiary(uow, first_name="Fatma", last_name="Ben Aly", first_name_ar=None,
                             last_name_ar=None, birth_date=date(1990, 3, 4))
            count = uow.session.scalar(select(func.count()).select_from(DuplicateCandidate))
            uow.rollback()
            return int(count or 0)
    finally:
        db.dispose()


def test_the_threshold_setting_decides_which_pairs_are_candidates(db_url: str) -> None:
    assert _candidates_for_near_namesakes(db_url, 92) == 0
    assert _candidates_for_near_namesakes(db_url, 65) == 1
