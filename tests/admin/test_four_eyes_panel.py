"""Four eyes on money, in the panel over HTTP.

Amina and Nadia are officers of region 04 (Nadia reads Arabic); Leila is a second admin, who
reads Arabic. On a program that applies four eyes (the default for a program an admin creates),
the one who submitted a grant does not approve it and the one who approved it does not pay it;
the refusal is a translated message on the page (422), never a 500. A program without four eyes
lets one person take every step, and a program's history imported by one actor is accepted.
The one-off "pay" of a grant's page is an admin's, on a program that allows it
(``panel_payments``; test_payments_panel.py), as on the programs here.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from empower.admin import accounts
from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.models import AuditEvent, Grant, Program
from empower.schemas import EnrollmentCreate
from tests.admin.conftest import PASSWORD
from tests.io.helpers import write_csv


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page)).replace("\u202f", " ")


def _four_eyes_program(as_user, db, seed) -> int:  # type: ignore[no-untyped-def]
    """A program created by the admin in the panel, four eyes left as it comes; the woman of
    region 04 enrolled in it."""
    admin = as_user("admin")
    r = admin.submit("/programs/new", {"code": "RIGOR", "name": "Rigor", "budget": "1 000 000",
                                       "grant_cap": "50000", "start_date": "2024-01-01",
                                       "region_code": "04", "four_eyes": "",
                                       "panel_payments": "true"}, "/programs/new")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work() as uow:
        program = uow.session.scalar(select(Program).where(Program.code == "RIGOR"))
        assert program.four_eyes is True
        empower.apply(uow, EnrollmentCreate(beneficiary_id=seed.inside_id, program_id=program.id,
                                            applied_on=date(2024, 2, 1),
                                            enrolled_on=date(2024, 2, 1)), actor="test:seed")
        uow.commit()
        return program.id


def _leila(as_user, db):  # type: ignore[no-untyped-def]
    """A second admin, who reads Arabic."""
    accounts.create_user(db, "leila", PASSWORD, role="admin", language="ar", actor="test:seed")
    return as_user("leila")


def _submit(user, program_id: int, seed, reference: str) -> int:  # type: ignore[no-untyped-def]
    r = user.submit("/grants/new", {"reference": reference, "program_id": program_id,
                                    "beneficiary_id": seed.inside_id, "amount_requested": "20000",
                                    "submitted_on": "2024-03-01"}, "/grants/new")
    assert r.status_code == 303, r.text[:800]
    return int(r.headers["location"].rsplit("/", 1)[1])


def _approve(user, grant_id: int):  # type: ignore[no-untyped-def]
    page = f"/grants/{grant_id}"
    return user.submit(f"{page}/approve", {"on": "2024-03-05"}, page)


def _pay(user, grant_id: int, amount: str = "5000"):  # type: ignore[no-untyped-def]
    page = f"/grants/{grant_id}"
    return user.submit(f"{page}/pay", {"amount": amount, "paid_on": "2024-03-10",
                                       "channel": "cash"}, page)


def test_who_submits_does_not_approve_and_who_approves_does_not_pay(as_user, db, seed) -> None:
    program_id = _four_eyes_program(as_user, db, seed)
    amina = as_user("amina")
    grant_id = _submit(amina, program_id, seed, "G-4EYES")

    r = _approve(amina, grant_id)
    assert r.status_code == 422
    page = _text(r.text)
    assert "Subvention G-4EYES : vous avez déposé cette demande ; une autre personne doit " \
           "l'approuver (contrôle à quatre yeux)." in page
    assert "Traceback" not in page
    # Not through a bulk action either.
    r = amina.submit("/grants/bulk/approve", {"ids": [grant_id], "on": "2024-03-05"}, "/grants")
    assert r.status_code == 422 and "quatre yeux" in _text(r.text)
    with db.unit_of_work() as uow:
        grant = uow.session.get(Grant, grant_id)
        assert grant.status == "submitted" and grant.submitted_by == "user:amina"

    leila = _leila(as_user, db)
    assert _approve(leila, grant_id).status_code == 303
    r = _pay(leila, grant_id)
    assert r.status_code == 422
    page = _text(r.text)
    assert "المنحة G-4EYES: أنت من وافقت على هذه المنحة؛ يجب أن يؤدي دفعاتها شخص آخر" in page
    # The other admin did not approve it: she pays.
    assert _pay(as_user("admin"), grant_id).status_code == 303
    with db.unit_of_work() as uow:
        grant = uow.session.get(Grant, grant_id)
        assert (grant.approved_by, grant.disbursed_centimes) == ("user:leila", 500_000)
    # The grant's page says who submitted and who approved.
    page = _text(amina.get(f"/grants/{grant_id}").text)
    assert "Déposée par" in page and "user:amina" in page
    assert "Approuvée par" in page and "user:leila" in page


def test_an_admin_is_held_to_four_eyes_too(as_user, db, seed) -> None:
    program_id = _four_eyes_program(as_user, db, seed)
    admin = as_user("admin")
    grant_id = _submit(admin, program_id, seed, "G-ADMIN")
    assert _approve(admin, grant_id).status_code == 422


def test_a_program_without_four_eyes_lets_one_person_take_every_step(as_user, db,
                                                                     seed) -> None:
    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        assert program.four_eyes is False  # the factories'
        program.panel_payments = True
        uow.commit()
    admin = as_user("admin")
    grant_id = _submit(admin, seed.program_id, seed, "G-ALONE")
    assert _approve(admin, grant_id).status_code == 303
    assert _pay(admin, grant_id).status_code == 303


def test_only_an_admin_turns_four_eyes_off_and_it_is_audited(as_user, db, seed) -> None:
    program_id = _four_eyes_program(as_user, db, seed)
    admin, amina = as_user("admin"), as_user("amina")
    page = f"/programs/{program_id}"
    assert amina.get(page).status_code == 200  # she reads it (a program of her region)
    assert 'id="edit-button"' not in amina.get(page).text
    assert amina.get(f"{page}/edit").status_code == 404
    assert amina.submit(f"{page}/edit", {"four_eyes": "false"}, page).status_code == 404
    assert 'id="edit-button"' in admin.get(page).text
    assert admin.get(f"{page}/edit").status_code == 200
    r = admin.submit(f"{page}/edit", {"four_eyes": "false"}, page)
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        program = uow.session.get(Program, program_id)
        assert program.four_eyes is False
        assert (program.code, program.budget_centimes, program.region_code) == (
            "RIGOR", 100_000_000, "04")  # nothing else changed
        event = uow.session.scalar(select(AuditEvent).where(
            AuditEvent.entity == "program", AuditEvent.action == "update"))
        assert event.actor == "user:admin" and event.changes == {"four_eyes": [True, False]}
    grant_id = _submit(amina, program_id, seed, "G-OFF")
    assert _approve(amina, grant_id).status_code == 303


def test_a_programs_history_imported_by_one_actor_is_accepted(as_user, db, seed,
                                                              tmp_path: Path) -> None:
    program_id = _four_eyes_program(as_user, db, seed)
    with db.unit_of_work(readonly=True) as uow:
        cin = uow.session.get(empower.models.Beneficiary, seed.inside_id).cin
        code = uow.session.get(Program, program_id).code
    grants = write_csv(tmp_path / "grants.csv", [
        ["reference", "program_code", "cin", "amount_requested", "amount_approved",
         "submitted_on", "approved_on"],
        ["G-HIST", code, cin, "20000", "20000", "2024-03-01", "2024-03-05"]])
    tranches = write_csv(tmp_path / "tranches.csv", [
        ["reference", "grant_reference", "amount", "paid_on", "channel"],
        ["T-HIST", "G-HIST", "5000", "2024-03-10", "cash"]])
    for kind, path in (("grants", grants), ("disbursements", tranches)):
        report = import_file(db, kind, path, actor="user:admin", today=date(2025, 1, 15))
        assert report.rejections == [] and report.committed, report.rejections
    with db.unit_of_work(readonly=True) as uow:
        grant = uow.session.scalar(select(Grant).where(Grant.reference == "G-HIST"))
        assert (grant.submitted_by, grant.approved_by, grant.disbursed_centimes) == (
            "user:admin", "user:admin", 500_000)
    # Back in the panel the rule holds: the record says the admin approved it.
    r = _pay(as_user("admin"), grant.id)
    assert r.status_code == 422 and "quatre yeux" in _text(r.text)
    assert _pay(_leila(as_user, db), grant.id).status_code == 303
