"""An officer registering a woman while a file of women is imported (issue 9).

On PostgreSQL the import looks a chunk's CINs up, then inserts them; an officer who registers one
of those CINs in between (committed, or still uncommitted and committed while the import waits
on the unique index) used to abort the whole import. SQLite cannot race this way: every writer
starts with BEGIN IMMEDIATE, so the officer waits for the import's transaction instead (see
``tests/integration/test_integrity.py`` for the polite wait).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

import empower
from empower.io.importing import import_file
from empower.models import Beneficiary
from empower.schemas import BeneficiaryCreate
from tests.factories import beneficiary_data
from tests.io.fixtures_data import BENEFICIARIES
from tests.io.helpers import write_csv

WOMEN = 40
RACED = 17  # the officer registers the 18th woman of the file (line 19)
NAMES = ["Fatima", "Khadija", "Meryem", "Naima", "Zineb", "Hanane", "Samira", "Loubna"]
FAMILIES = ["Benali", "Alaoui", "Idrissi", "Tazi", "Fassi", "Amrani", "Berrada", "Chraibi"]


def _file(tmp_path: Path) -> tuple[Path, list[str]]:
    header = BENEFICIARIES[0]
    template = BENEFICIARIES[1]
    rows, cins = [header], []
    for i in range(WOMEN):
        cin = f"AC{2000 + i}"
        row = list(template)
        row[0], row[1], row[2], row[3], row[4] = cin, NAMES[i % 8], FAMILIES[i // 8 % 8], "", ""
        row[5] = f"19{60 + i % 30}-0{1 + i % 9}-1{i % 10}"
        row[6] = ""
        rows.append(row)
        cins.append(cin)
    return write_csv(tmp_path / "women.csv", rows), cins


def _race(monkeypatch: pytest.MonkeyPatch, db: empower.Database, cin: str, *,
          committed: bool) -> list[str]:
    """The officer registers ``cin`` after the import looked its chunk up, before it inserts.

    ``committed=False``: her registration is still open when the import inserts, and commits
    half a second later, while the import waits on the unique index.
    """
    real = empower.register_beneficiaries
    done: list[str] = []

    def racing(uow, people, **kwargs):  # type: ignore[no-untyped-def]
        if not done:
            officer = empower.connect(db.engine.url.render_as_string(hide_password=False))
            unit = officer.unit_of_work()
            u2 = unit.__enter__()
            empower.register_beneficiary(u2, BeneficiaryCreate.model_validate(
                beneficiary_data(cin=cin, first_name="Officer", last_name="Typed")),
                actor="user:amina")

            def finish() -> None:
                u2.commit()
                unit.__exit__(None, None, None)
                officer.dispose()

            if committed:
                finish()
            else:
                threading.Timer(0.5, finish).start()
            done.append(cin)
        return real(uow, people, **kwargs)

    monkeypatch.setattr(empower, "register_beneficiaries", racing)
    return done


def _count(db: empower.Database) -> int:
    with db.unit_of_work(readonly=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(Beneficiary)) or 0


@pytest.fixture
def pg_db(db: empower.Database) -> empower.Database:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE makes the officer wait: this race cannot happen")
    return db


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "uncommitted"])
def test_valid_only_rejects_only_the_raced_row(pg_db, tmp_path, monkeypatch, committed):
    path, cins = _file(tmp_path)
    raced = _race(monkeypatch, pg_db, cins[RACED], committed=committed)
    report = import_file(pg_db, "beneficiaries", path, mode="valid-only")
    assert raced == [cins[RACED]]
    # Committed before the insert, the bulk registration's own look-up finds her; still open,
    # only the database's unique index can stop the insert.
    code = "cin.taken" if committed else "import.cin_registered_meanwhile"
    assert [(r.line, r.column, r.value, r.code) for r in report.rejections] == [
        (RACED + 2, "cin", cins[RACED], code)]
    assert cins[RACED] in report.rejections[0].reason
    assert report.created == WOMEN - 1 and report.committed is True
    assert _count(pg_db) == WOMEN  # 39 from the file and the officer's
    with pg_db.unit_of_work(readonly=True) as uow:
        person = uow.session.scalar(select(Beneficiary).where(Beneficiary.cin == cins[RACED]))
        assert person is not None and person.first_name == "Officer"


def test_atomic_writes_nothing_and_names_the_line(pg_db, tmp_path, monkeypatch):
    path, cins = _file(tmp_path)
    _race(monkeypatch, pg_db, cins[RACED], committed=False)
    report = import_file(pg_db, "beneficiaries", path, mode="atomic")
    assert [(r.line, r.value) for r in report.rejections] == [(RACED + 2, cins[RACED])]
    assert report.committed is False
    assert _count(pg_db) == 1  # only the officer's registration


def test_the_refusal_is_said_in_french(pg_db, tmp_path, monkeypatch):
    path, cins = _file(tmp_path)
    _race(monkeypatch, pg_db, cins[RACED], committed=False)
    report = import_file(pg_db, "beneficiaries", path, mode="valid-only", lang="fr")
    assert report.rejections[0].reason == (
        f"La CIN {cins[RACED]} a été enregistrée par quelqu'un d'autre pendant cet import.")


def test_a_cooperative_reference_raced_row_by_row(pg_db, tmp_path, monkeypatch):
    """Kinds written row by row (cooperatives, grants, enrolments...) run each row in a
    savepoint: the raced row is rejected with its line and the rest is written."""
    from empower.schemas import CooperativeCreate
    from tests.io.fixtures_data import COOPERATIVES

    real = empower.found_cooperative
    calls: list[str] = []

    def racing(uow, data, **kwargs):  # type: ignore[no-untyped-def]
        if data.reference == "COOP-2" and not calls:
            officer = empower.connect(pg_db.engine.url.render_as_string(hide_password=False))
            unit = officer.unit_of_work()
            u2 = unit.__enter__()
            real(u2, CooperativeCreate(reference="COOP-2", name="Typed by Amina",
                                       sector="argan", province_code="04.441",
                                       founded_on=data.founded_on), actor="user:amina")

            def finish() -> None:
                u2.commit()
                unit.__exit__(None, None, None)
                officer.dispose()

            threading.Timer(0.5, finish).start()
            calls.append(data.reference)
        return real(uow, data, **kwargs)

    monkeypatch.setattr(empower, "found_cooperative", racing)
    rows = [*COOPERATIVES, ["COOP-3", "Nour", "", "", "argan", "04.441", "", "2021-01-01", "",
                            "oui"]]
    report = import_file(pg_db, "cooperatives", write_csv(tmp_path / "coops.csv", rows),
                         mode="valid-only")
    assert calls == ["COOP-2"]
    assert [(r.line, r.code) for r in report.rejections] == [(3, "race.cooperative_reference_taken")]
    assert report.created == 2 and report.committed is True
