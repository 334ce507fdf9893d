"""The targeting pages over HTTP: calls for applications, their funnel, applications, selection.

Seed (tests/admin/conftest.py): a national program; Amina and Nadia (Arabic) are officers of
region 04, Vera a viewer of 04, Omar an officer of 01. The call here covers regions 04 and 01,
with three applicants in 04 (one refused as urban) and one in 01 (refused: no vulnerability
score recorded).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

import empower
from empower.models import Enrollment, Intake, Program
from empower.schemas import EnrollmentCreate, IntakeCreate
from empower.services import targeting
from empower.vocab import EnrollmentStatus, IntakeStatus
from tests.factories import ACTOR, make_beneficiary

RULES = [{"field": "age", "op": "between", "value": [18, 45]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 40}]
WEIGHTS = [{"field": "household_size", "weight": 2}]


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page)).replace("\u202f", " ").replace("\xa0", " ")


@dataclass
class Call:
    intake_id: int
    ok_ids: list[int]
    urban_id: int
    far_id: int


def _call(db: Any, seed: Any, *, places: int = 1, close: bool = False) -> Call:
    """An open call of the seed's program covering regions 04 and 01, with its applicants."""
    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        assert program is not None
        intake = targeting.create_intake(uow, IntakeCreate.model_validate({
            "program_id": program.id, "code": "APPEL-T1", "name": "Appel test",
            "opens_on": date(2024, 2, 1), "closes_on": date(2024, 2, 29), "places": places,
            "region_codes": ["04", "01"], "rules": RULES, "weights": WEIGHTS,
            "promote_until": date(2024, 4, 30)}), actor=ACTOR)
        targeting.open_intake(uow, intake.id, on=date(2024, 2, 1), actor=ACTOR)

        def apply(**person: Any) -> int:
            person.setdefault("vulnerability_score", 30)
            woman = make_beneficiary(uow, **person)
            return empower.apply(uow, EnrollmentCreate(
                beneficiary_id=woman.id, program_id=program.id, applied_on=date(2024, 2, 10),
                intake_id=intake.id), actor=ACTOR).id

        ok = [apply(first_name="Aicha", household_size=5), apply(first_name="Salma",
                                                                 household_size=2)]
        urban = apply(first_name="Meryem", milieu="urban")
        far = apply(first_name="Hind", province_code="01.511", vulnerability_score=None)
        if close:
            targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
        uow.commit()
        return Call(intake.id, ok, urban, far)


def _status(db: Any, enrolment_id: int) -> EnrollmentStatus:
    with db.unit_of_work(readonly=True) as uow:
        row = uow.session.get(Enrollment, enrolment_id)
        assert row is not None
        return row.status


def _form(**over: str) -> dict[str, str]:
    data = {"program_id": "", "code": "APPEL-F", "name": "Appel formulaire",
            "opens_on": "2024-05-01", "closes_on": "2024-05-31", "places": "10",
            "region_codes": "04", "province_codes": "",
            "rules": '[{"field": "age", "op": "between", "value": [18, 45]}]',
            "weights": '[{"field": "disability", "weight": 5}]', "promote_until": ""}
    data.update(over)
    return data


def test_an_admin_creates_edits_and_opens_a_call(as_user, db, seed) -> None:
    admin = as_user("admin")
    assert admin.get("/intakes/new").status_code == 200
    r = admin.submit("/intakes/new", _form(program_id=str(seed.program_id)), "/intakes/new")
    assert r.status_code == 303, _text(r.text)[:2000]
    page = r.headers["location"]
    with db.unit_of_work(readonly=True) as uow:
        intake = uow.session.scalar(select(Intake).where(Intake.code == "APPEL-F"))
        assert intake is not None and intake.region_codes == ["04"]
        assert intake.rules == [{"field": "age", "op": "between", "value": [18, 45]}]
    edit = admin.get(f"{page}/edit").text
    assert "&#34;between&#34;" in edit or "&quot;between&quot;" in edit  # rules as JSON
    r = admin.submit(f"{page}/edit", _form(program_id=str(seed.program_id), places="12",
                                           rules='[{"field": "milieu", "op": "=", '
                                                 '"value": "rural"}]'), f"{page}/edit")
    assert r.status_code == 303, _text(r.text)[:2000]
    with db.unit_of_work(readonly=True) as uow:
        intake = uow.session.scalar(select(Intake).where(Intake.code == "APPEL-F"))
        assert intake is not None and intake.places == 12 and intake.rules_version == 2
    r = admin.submit(f"{page}/open", {"on": "2024-05-01"}, page)
    assert r.status_code == 303
    listing = _text(admin.get("/intakes").text)
    assert "APPEL-F" in listing and "Appels à candidatures" in listing
    assert "ouvert" in listing and "à traiter" not in listing  # the call's word, not a pair's
    history = _text(admin.get(page).text)
    assert "<td>ouverture</td>" in history and "à traiter" not in history


def test_a_bad_rule_is_named_on_its_field_translated_never_a_500(as_user, db, seed) -> None:
    admin = as_user("admin")
    r = admin.submit("/intakes/new", _form(program_id=str(seed.program_id), rules=(
        '[{"field": "age", "op": "between", "value": [18, 45]}, '
        '{"field": "salary", "op": "<", "value": 3}]')), "/intakes/new")
    assert r.status_code == 422
    page = _text(r.text)
    assert "condition invalide" in page and "salary" in page
    assert 'id="error-rules"' in r.text  # said next to the rules field
    assert "Règle 2 : condition invalide" in page
    # Not JSON at all: the panel's own refusal, on the field, in Arabic for Nadia's admin view.
    r = admin.submit("/intakes/new", _form(program_id=str(seed.program_id),
                                           weights='[{"field": '), "/intakes/new")
    assert r.status_code == 422
    assert "JSON valide" in _text(r.text) and 'id="error-weights"' in r.text
    # Her values are kept.
    assert "APPEL-F" in r.text
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(Intake).where(Intake.code == "APPEL-F")) is None


def test_officers_and_viewers_read_calls_but_do_not_make_or_run_them(as_user, db, seed) -> None:
    call = _call(db, seed, close=True)
    page = f"/intakes/{call.intake_id}"
    for name in ("amina", "vera"):
        user = as_user(name)
        assert user.get(page).status_code == 200
        assert user.get("/intakes/new").status_code == 404
        assert user.get(f"{page}/edit").status_code == 404
        assert 'id="do-select"' not in user.get(page).text
    amina = as_user("amina")
    r = amina.submit(f"{page}/select", {"on": "2024-03-05"}, page)
    assert r.status_code == 404
    vera = as_user("vera")
    assert vera.submit(f"{page}/select", {"on": "2024-03-05"}, page).status_code == 404
    with db.unit_of_work(readonly=True) as uow:
        intake = uow.session.get(Intake, call.intake_id)
        assert intake is not None and intake.status == IntakeStatus.CLOSED


def test_the_funnel_and_the_applications_are_hers(as_user, db, seed) -> None:
    call = _call(db, seed)
    page = f"/intakes/{call.intake_id}"
    admin = _text(as_user("admin").get(page).text)
    assert 'data-funnel="applied">' in admin
    assert re.search(r'data-funnel="applied"><a [^>]*>4<', admin)
    assert re.search(r'data-funnel="eligible"><a [^>]*>2<', admin)
    assert re.search(r'data-funnel="refused"><a [^>]*>2<', admin)
    assert 'data-refused="milieu">1<' in admin and 'data-refused="vulnerability_score">1<' in admin
    assert 'id="preview"' in admin and "Âge entre 18 et 45" in admin
    amina = as_user("amina").get(page).text
    assert re.search(r'data-funnel="applied"><a [^>]*>3<', amina)
    assert f'data-application="{call.far_id}"' not in amina  # region 01's woman
    assert f'data-application="{call.urban_id}"' in amina
    assert 'data-preview="01.511' not in amina  # the preview of her provinces only
    omar = as_user("omar").get(page).text
    assert f'data-application="{call.far_id}"' in omar
    assert f'data-application="{call.urban_id}"' not in omar
    # The application of another region's woman is not found (404), never forbidden.
    assert as_user("amina").get(f"/enrollments/{call.far_id}").status_code == 404
    # The enrolments list filtered by the call and a status.
    listed = as_user("amina").get(f"/enrollments?intake={call.intake_id}&status=rejected").text
    assert f'/enrollments/{call.urban_id}"' in listed
    assert f'/enrollments/{call.ok_ids[0]}"' not in listed


def test_an_application_page_shows_each_rule_and_an_officer_overrides(as_user, db, seed) -> None:
    call = _call(db, seed)
    page = f"/enrollments/{call.urban_id}"
    vera = as_user("vera")
    text = _text(vera.get(page).text)
    assert 'data-rule="milieu"' in text and 'data-outcome="failed"' in text
    assert "Milieu = rural" in text and "non satisfaite" in text
    assert 'id="do-override"' not in text  # viewers do not act
    assert vera.submit(f"{page}/override", {"reason": "x"}, page).status_code == 404
    amina = as_user("amina")
    assert 'id="do-override"' in amina.get(page).text
    # Without a reason: refused on the page, translated.
    r = amina.submit(f"{page}/override", {"reason": "  "}, page)
    assert r.status_code == 422 and "par écrit" in _text(r.text)
    r = amina.submit(f"{page}/override", {"reason": "Vit en zone périurbaine rattachée"}, page)
    assert r.status_code == 303, _text(r.text)[:1500]
    assert _status(db, call.urban_id) == EnrollmentStatus.APPLIED
    after = _text(amina.get(page).text)
    assert "Vit en zone périurbaine rattachée" in after and "user:amina" in after
    # Omar (region 01) cannot override Amina's woman; her page is a 404 for him.
    assert as_user("omar").submit(f"/enrollments/{call.far_id}/override",
                                  {"reason": "ok"}, f"/enrollments/{call.far_id}"
                                  ).status_code == 303
    omar = as_user("omar")
    assert omar.submit(f"{page}/override", {"reason": "x"}, "/").status_code == 404


def test_override_without_csrf_is_refused(as_user, db, seed) -> None:
    call = _call(db, seed)
    amina = as_user("amina")
    r = amina.post(f"/enrollments/{call.urban_id}/override", data={"reason": "sans jeton"})
    assert r.status_code == 403
    r = amina.post(f"/enrollments/{call.urban_id}/override",
                   data={"reason": "mauvais jeton", "csrf_token": "forged"})
    assert r.status_code == 403
    assert _status(db, call.urban_id) == EnrollmentStatus.REJECTED
    admin = as_user("admin")
    r = admin.post(f"/intakes/{call.intake_id}/close", data={"on": "2024-03-01"})
    assert r.status_code == 403


def test_an_admin_selects_once_and_promotes_from_the_waiting_list(as_user, db, seed) -> None:
    call = _call(db, seed, close=True)
    page = f"/intakes/{call.intake_id}"
    admin = as_user("admin")
    other = as_user("admin")
    token = other.csrf(page)  # a second admin's page, loaded before the selection
    r = admin.submit(f"{page}/select", {"on": "2024-03-05"}, page)
    assert r.status_code == 303, _text(r.text)[:1500]
    first, second = call.ok_ids  # scores 10 and 4: one place
    assert _status(db, first) == EnrollmentStatus.ENROLLED
    assert _status(db, second) == EnrollmentStatus.WAITLISTED
    r = other.post(f"{page}/select", data={"on": "2024-03-05", "csrf_token": token})
    assert r.status_code == 422
    assert "Appel APPEL-T1 : sélection impossible, la fiche est sélection faite" in _text(r.text)
    text = _text(admin.get(page).text)
    assert re.search(r'data-funnel="selected"><a [^>]*>1<', text)
    assert re.search(r'data-funnel="waitlisted"><a [^>]*>1<', text)
    # The waitlisted application says so in the enrolments list's filter and labels.
    listed = _text(admin.get("/enrollments?status=waitlisted").text)
    assert f'/enrollments/{second}"' in listed and "liste d'attente" in listed
    women = admin.get("/beneficiaries?enrolment=waitlisted&archived=all").text
    assert '<option value="waitlisted" selected>sur liste d&#39;attente</option>' in women \
        or "sur liste d'attente" in _text(women)
    with db.unit_of_work(readonly=True) as uow:
        waiting = uow.session.get(Enrollment, second)
        assert waiting is not None
        assert f'/beneficiaries/{waiting.beneficiary_id}"' in women
    # A place freed: the next on the list is promoted.
    r = admin.submit(f"/enrollments/{first}/exit", {"on": "2024-03-10", "reason": "dropped_out"},
                     f"/enrollments/{first}")
    assert r.status_code == 303, _text(r.text)[:1500]
    r = admin.submit(f"{page}/promote", {"on": "2024-03-11"}, page)
    assert r.status_code == 303, _text(r.text)[:1500]
    assert _status(db, second) == EnrollmentStatus.ENROLLED


def test_applying_to_an_open_call_from_the_enrolment_form(as_user, db, seed) -> None:
    call = _call(db, seed)
    with db.unit_of_work() as uow:
        woman = make_beneficiary(uow, first_name="Nora", vulnerability_score=20,
                                 household_size=3)
        uow.commit()
        woman_id = woman.id
    amina = as_user("amina")
    assert 'id="apply-to-intake"' in amina.get(f"/intakes/{call.intake_id}").text
    assert 'id="apply-to-intake"' not in as_user("vera").get(f"/intakes/{call.intake_id}").text
    form = amina.get(f"/enrollments/new?program_id={seed.program_id}"
                     f"&intake_id={call.intake_id}").text
    assert f'<option value="{call.intake_id}" selected>' in form
    assert f'<option value="{call.intake_id}"' in form and "APPEL-T1" in form
    r = amina.submit("/enrollments/new", {"beneficiary_id": str(woman_id),
                                          "program_id": str(seed.program_id),
                                          "applied_on": "2024-02-12",
                                          "intake_id": str(call.intake_id)}, "/enrollments/new")
    assert r.status_code == 303, _text(r.text)[:1500]
    with db.unit_of_work(readonly=True) as uow:
        row = uow.session.scalar(select(Enrollment).where(Enrollment.beneficiary_id == woman_id))
        assert row is not None and row.intake_id == call.intake_id and row.eligible is True
        assert row.score == 6.0
    page = _text(amina.get(r.headers["location"]).text)
    assert 'data-outcome="passed"' in page and 'id="do-enroll"' not in page


def test_arabic_labels_of_a_call(as_user, db, seed) -> None:
    call = _call(db, seed)
    nadia = as_user("nadia")
    text = _text(nadia.get(f"/intakes/{call.intake_id}").text)
    assert 'dir="rtl"' in text and "طلبات الترشيح" in text and "مسار الترشيحات" in text
    app = _text(nadia.get(f"/enrollments/{call.urban_id}").text)
    assert "الوسط = قروي" in app and "غير مستوفاة" in app


def test_a_call_open_elsewhere_is_not_hers(as_user, db, seed) -> None:
    """A call of the national program open in region 01 only (by region) and one open in a
    province of 04 only: Amina (04) sees the second, Omar (01) the first; neither can apply a
    woman to the other's."""
    with db.unit_of_work() as uow:
        made = {}
        for code, where in (("APPEL-NORD", {"region_codes": ["01"]}),
                            ("APPEL-SUD", {"province_codes": ["04.441"]})):
            made[code] = targeting.create_intake(uow, IntakeCreate.model_validate({
                "program_id": seed.program_id, "code": code, "name": code,
                "opens_on": date(2024, 2, 1), "closes_on": date(2024, 2, 29), "places": 5,
                "rules": RULES, **where}), actor=ACTOR).id
            targeting.open_intake(uow, made[code], on=date(2024, 2, 1), actor=ACTOR)
        woman = make_beneficiary(uow, first_name="Nora", vulnerability_score=20)
        uow.commit()
        woman_id = woman.id
    nord, sud = made["APPEL-NORD"], made["APPEL-SUD"]
    amina, omar, admin = as_user("amina"), as_user("omar"), as_user("admin")
    assert amina.get(f"/intakes/{nord}").status_code == 404
    assert amina.get(f"/intakes/{sud}").status_code == 200
    assert omar.get(f"/intakes/{sud}").status_code == 404
    assert omar.get(f"/intakes/{nord}").status_code == 200
    listed = amina.get("/intakes").text
    assert "APPEL-SUD" in listed and "APPEL-NORD" not in listed
    exported = amina.get("/intakes/export.csv")
    assert exported.status_code == 200
    assert "APPEL-SUD" in exported.text and "APPEL-NORD" not in exported.text
    assert "APPEL-NORD" not in amina.get("/intakes?status=open&program="
                                         f"{seed.program_id}&sort=code").text
    assert "APPEL-NORD" in admin.get("/intakes").text
    form = amina.get("/enrollments/new").text
    assert "APPEL-SUD" in form and "APPEL-NORD" not in form
    r = amina.submit("/enrollments/new", {"beneficiary_id": str(woman_id),
                                          "program_id": str(seed.program_id),
                                          "applied_on": "2024-02-12", "intake_id": str(nord)},
                     "/enrollments/new")
    assert r.status_code == 422 and 'id="form-error"' in r.text
    assert "APPEL-NORD" not in r.text
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(Enrollment).where(
            Enrollment.beneficiary_id == woman_id)) is None


def test_odd_input_on_the_call_pages_is_never_a_500(as_user, db, seed) -> None:
    call = _call(db, seed)
    admin = as_user("admin")
    for url in ("/intakes?status=%3Cscript%3E&program=%C2%B2&page=-3&sort=rules",
                "/enrollments?intake=99999999999999&status=waitlisted",
                f"/intakes/{call.intake_id}?status=x", "/intakes/export.csv"):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/intakes/99999999999999").status_code == 404
    for rules in ('{"field": "age"}', "[1, 2]", '[{"field": "age", "op": "between", '
                  '"value": [45, 18]}]', "[" * 5000, '"<script>alert(1)</script>"'):
        r = admin.submit("/intakes/new", _form(program_id=str(seed.program_id), rules=rules),
                         "/intakes/new")
        assert r.status_code == 422, rules[:40]
        assert "<script>alert" not in r.text
    r = admin.submit(f"/intakes/{call.intake_id}/select", {"on": "2024-03-05"},
                     f"/intakes/{call.intake_id}")
    assert r.status_code == 422  # still open: the translated refusal, nothing selected
    assert "sélection impossible" in _text(r.text)
