"""Each resource's forms and actions, run by an officer through the core services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import empower
from empower.models import (
    Agreement,
    AuditEvent,
    Beneficiary,
    Cooperative,
    DuplicateCandidate,
    Enrollment,
    Membership,
    Partner,
    Program,
    SurveyRecord,
)
from empower.schemas import BeneficiaryCreate
from tests.factories import beneficiary_data


def _audited(db, entity: str, actor: str) -> bool:
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(AuditEvent.id).where(
            AuditEvent.entity == entity, AuditEvent.actor == actor).limit(1)) is not None


def test_create_forms_for_every_resource(as_user, seed, db):
    admin, amina = as_user("admin"), as_user("amina")
    r = admin.submit("/programs/new", {"code": "TAMKINE", "name": "Tamkine", "budget": "2 000 000",
                                       "grant_cap": "40000", "start_date": "2024-01-01",
                                       "region_code": "04"}, "/programs/new")
    assert r.status_code == 303, r.text[:800]
    assert amina.get("/programs/new").status_code == 404  # programs are created by admins
    # Partners of her regions, agreements on her regions' programs (test_scope_of_writes.py).
    r = amina.submit("/partners/new", {"name": "Association Tifawin", "kind": "association",
                                       "province_code": "04.441"}, "/partners/new")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work() as uow:
        partner_id = uow.session.scalar(select(Partner.id).where(Partner.name.like("Asso%")))
        tamkine_id = uow.session.scalar(select(Program.id).where(Program.code == "TAMKINE"))
    r = amina.submit("/agreements/new", {"program_id": tamkine_id, "partner_id": partner_id,
                                         "signed_on": "2024-02-01", "committed": "100000"},
                     "/agreements/new")
    assert r.status_code == 303, r.text[:800]
    r = amina.submit("/cooperatives/new", {"reference": "COOP-NEW", "name": "Tiwizi",
                                           "sector": "artisanat", "province_code": "04.441",
                                           "founded_on": "2023-05-01", "women_led": "true"},
                     "/cooperatives/new")
    assert r.status_code == 303, r.text[:800]
    r = amina.submit("/surveys/new", {"beneficiary_id": seed.inside_id,
                                      "program_id": seed.program_id, "round": "baseline",
                                      "surveyed_on": "2024-02-15", "monthly_income": "1500",
                                      "has_account": "false"}, "/surveys/new")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(Program).where(Program.code == "TAMKINE")).region_code \
            == "04"
        assert uow.session.scalar(select(Agreement.committed_centimes)) == 10_000_000
        coop = uow.session.scalar(select(Cooperative).where(Cooperative.reference == "COOP-NEW"))
        assert coop.sector == "crafts" and coop.women_led is True
        survey = uow.session.scalar(select(SurveyRecord))
        assert survey.monthly_income_centimes == 150_000 and survey.has_account is False
    for entity in ("partner", "agreement", "cooperative", "survey"):
        assert _audited(db, entity, "user:amina"), entity
    assert _audited(db, "program", "user:admin")


def test_enrollment_lifecycle_and_cooperative_members(as_user, seed, db):
    amina = as_user("amina")
    with db.unit_of_work() as uow:
        person = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            province_code="04.441")), actor="test")
        uow.commit()
    r = amina.submit("/enrollments/new", {"beneficiary_id": person.id,
                                          "program_id": seed.program_id,
                                          "applied_on": "2024-02-01"}, "/enrollments/new")
    assert r.status_code == 303, r.text[:800]
    url = r.headers["location"]
    assert amina.submit(f"{url}/enroll", {"on": "2024-02-10"}, url).status_code == 303
    r = amina.submit(f"{url}/exit", {"on": "2024-01-01", "reason": "abandon"}, url)
    assert r.status_code == 422 and 'value="2024-01-01"' in r.text  # before enrolment
    assert amina.submit(f"{url}/exit", {"on": "2024-06-01", "reason": "abandon"},
                        url).status_code == 303
    with db.unit_of_work() as uow:
        enr = uow.session.scalar(select(Enrollment).where(Enrollment.beneficiary_id == person.id))
        assert enr.status == "exited" and enr.exit_reason == "dropped_out"
    coop = f"/cooperatives/{seed.coop_in_id}"
    r = amina.submit(f"{coop}/admit", {"beneficiary_id": person.id, "role": "présidente",
                                       "joined_on": "2024-03-01"}, coop)
    assert r.status_code == 303, r.text[:800]
    r = amina.submit(f"{coop}/admit", {"beneficiary_id": seed.outside_id,
                                       "joined_on": "2024-03-01"}, coop)
    assert r.status_code == 422  # outside her regions: not found
    r = amina.submit(f"{coop}/edit", {"name": "Argan Tifawin Nouvelle", "sector": "argan",
                                      "province_code": "04.441", "founded_on": "2023-01-01"},
                     f"{coop}/edit")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work() as uow:
        member = uow.session.scalar(select(Membership).where(
            Membership.beneficiary_id == person.id))
        assert member.role == "president"
        member_id = member.id
        assert uow.session.get(Cooperative, seed.coop_in_id).name == "Argan Tifawin Nouvelle"
    assert "Argan Tifawin Nouvelle" in amina.get(coop).text
    r = amina.submit(f"{coop}/remove", {"membership_id": member_id, "on": "2024-09-01"}, coop)
    assert r.status_code == 303, r.text[:800]
    r = amina.submit(f"{coop}/remove", {"membership_id": 9999, "on": "2024-09-01"}, coop)
    assert r.status_code == 422
    with db.unit_of_work() as uow:
        assert uow.session.get(Membership, member_id).left_on == date(2024, 9, 1)


def test_edit_archive_restore_beneficiary(as_user, seed, db):
    amina = as_user("amina")
    url = f"/beneficiaries/{seed.inside_id}"
    form = amina.get(f"{url}/edit").text
    assert 'value="فاطمة"' in form
    values = {"cin": "AB999111", "first_name": "Fatima", "last_name": "Zahra",
              "first_name_ar": "فاطمة", "last_name_ar": "الزهراء", "birth_date": "1990-03-04",
              "phone": "0612345678", "province_code": "04.441", "milieu": "urbain",
              "consent_date": "2024-01-10", "registered_on": "2024-01-10"}
    assert amina.submit(f"{url}/edit", values, f"{url}/edit").status_code == 303
    assert amina.submit(f"{url}/archive", {"on": "2024-12-01"}, url).status_code == 303
    assert "Fatima" not in amina.get("/beneficiaries").text.split('id="results"')[1]
    assert "Fatima" in amina.get("/beneficiaries?archived=yes").text.split('id="results"')[1]
    # A restore is dated like the archive, and not before it.
    assert amina.submit(f"{url}/restore", {"on": "2024-11-30"}, url).status_code == 422
    assert amina.submit(f"{url}/restore", {"on": "2025-01-15"}, url).status_code == 303
    assert "Fatima" in amina.get("/beneficiaries").text.split('id="results"')[1]
    with db.unit_of_work() as uow:
        person = uow.session.get(Beneficiary, seed.inside_id)
        assert person.cin == "AB999111" and person.milieu == "urban"
        assert person.archived_on is None
        assert [(p.archived_on, p.restored_on) for p in person.archive_periods] == [
            (date(2024, 12, 1), date(2025, 1, 15))]


def test_duplicates_merge_and_dismiss(as_user, db):
    with db.unit_of_work() as uow:
        first = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            province_code="04.441", phone="0661000001")), actor="test")
        second = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            province_code="04.441", phone="0661000001")), actor="test")
        third = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            province_code="04.441", first_name="Fatema", phone="0661000002")), actor="test")
        uow.commit()
        ours = [first.id, second.id, third.id]
        cands = list(uow.session.scalars(select(DuplicateCandidate.id).where(
            DuplicateCandidate.beneficiary_id.in_(ours),
            DuplicateCandidate.other_beneficiary_id.in_(ours)).order_by(DuplicateCandidate.id)))
    assert cands, "the core should have flagged the same phone / same name"
    # A pair with a woman outside her regions is not hers to resolve.
    with db.unit_of_work() as uow:
        foreign = uow.session.scalar(select(DuplicateCandidate.id).where(
            DuplicateCandidate.beneficiary_id.not_in(ours)).limit(1))
    amina = as_user("amina")
    listing = amina.get("/duplicates").text
    assert f"/duplicates/{cands[0]}" in listing
    page = f"/duplicates/{cands[0]}"
    assert amina.submit(f"{page}/merge", {"note": "même CIN papier"}, page).status_code == 303
    with db.unit_of_work() as uow:
        assert uow.session.get(DuplicateCandidate, cands[0]).status == "merged"
        open_left = list(uow.session.scalars(select(DuplicateCandidate.id).where(
            DuplicateCandidate.status == "open", DuplicateCandidate.beneficiary_id.in_(ours),
            DuplicateCandidate.other_beneficiary_id.in_(ours))))
    if open_left:
        page = f"/duplicates/{open_left[0]}"
        assert amina.submit(f"{page}/dismiss", {}, page).status_code == 303
    # Resolving twice is refused on the page, never a 500.
    r = amina.submit(f"/duplicates/{cands[0]}/merge", {}, f"/duplicates/{cands[0]}")
    assert r.status_code == 422 and "form-error" in r.text  # the core refuses, on the page
    if foreign is not None:
        assert amina.get(f"/duplicates/{foreign}").status_code == 404


def test_reject_and_cancel_grants(as_user, seed, db):
    amina = as_user("amina")
    page = f"/grants/{seed.grant_in_id}"
    assert amina.submit(f"{page}/approve", {"on": "2024-03-05"}, page).status_code == 303
    assert amina.submit(f"{page}/cancel", {"on": "2024-04-01", "reason": "abandon"},
                        page).status_code == 303
    r = amina.submit(f"{page}/pay", {"amount": "100", "paid_on": "2024-04-02",
                                     "channel": "cash"}, page)
    assert r.status_code == 422 and "form-error" in r.text  # no tranche on a cancelled grant
    admin = as_user("admin")
    other = f"/grants/{seed.grant_out_id}"
    assert admin.submit(f"{other}/reject", {"on": date(2024, 3, 9).isoformat()},
                        other).status_code == 303
    assert "rejetée" in admin.get(other).text


def test_bulk_archive_all_or_nothing_and_scoped(as_user, seed, db):
    with db.unit_of_work() as uow:
        ids = [empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            province_code="04.441", first_name="Bulk" + "abc"[i], birth_date=date(1980, 1, 1 + i))),
            actor="test").id for i in range(3)]
        uow.commit()
    amina = as_user("amina")
    listing = amina.get("/beneficiaries").text
    assert 'id="bulk-archive"' in listing and 'form="bulk-archive"' in listing
    # One row outside her regions: 404, nothing archived.
    r = amina.submit("/beneficiaries/bulk/archive",
                     {"ids": [*map(str, ids), str(seed.outside_id)], "on": "2024-12-01"})
    assert r.status_code == 404
    # A date before a registration: the core refuses, nothing archived.
    r = amina.submit("/beneficiaries/bulk/archive", {"ids": [str(i) for i in ids],
                                                     "on": "2000-01-01"})
    assert r.status_code == 422 and "Rien n&#39;a été modifié" in r.text
    with db.unit_of_work() as uow:
        assert all(uow.session.get(Beneficiary, i).archived_on is None for i in ids)
    r = amina.submit("/beneficiaries/bulk/archive", {"ids": [str(i) for i in ids],
                                                     "on": "2024-12-01"})
    assert r.status_code == 200 and "3 fiches mises à jour" in r.text
    with db.unit_of_work() as uow:
        assert all(uow.session.get(Beneficiary, i).archived_on == date(2024, 12, 1) for i in ids)
    assert _audited(db, "beneficiary", "user:amina")
    assert 'id="bulk-archive"' not in as_user("vera").get("/beneficiaries").text
    r = as_user("vera").submit("/beneficiaries/bulk/archive", {"ids": [str(ids[0])],
                                                               "on": "2024-12-02"})
    assert r.status_code == 404


def test_record_pages_link_to_prefilled_forms(as_user, seed):
    amina = as_user("amina")
    page = amina.get(f"/beneficiaries/{seed.inside_id}").text
    assert f"/grants/new?beneficiary_id={seed.inside_id}" in page
    form = amina.get(f"/grants/new?beneficiary_id={seed.inside_id}").text
    assert 'name="beneficiary_id"\n      type="text"' in form or \
        f'value="{seed.inside_id}"' in form
    assert "/grants/new" not in as_user("vera").get(f"/beneficiaries/{seed.inside_id}").text


def test_list_counts_pages_and_caps(as_user, db, monkeypatch):
    from datetime import timedelta

    from empower.admin.routes import records

    with db.unit_of_work() as uow:
        empower.register_beneficiaries(uow, [BeneficiaryCreate(**beneficiary_data(
            province_code="04.441", first_name="Page", last_name="Test",
            birth_date=date(1970, 1, 1) + timedelta(days=40 * i))) for i in range(30)],
            actor="test")
        uow.commit()
    amina = as_user("amina")
    first = amina.get("/beneficiaries").text
    assert "31 résultats" in first  # 30 + the seed's woman in her region
    assert "page=2" in first
    second = amina.get("/beneficiaries?page=2").text
    assert "31 résultats" in second and "page=3" not in second
    searched = amina.get("/beneficiaries?q=page").text
    assert "Résultats 1 à 25" in searched  # a search is not counted beyond the page
    monkeypatch.setattr(records, "COUNT_CAP", 10)
    assert "Plus de 10 résultats" in amina.get("/beneficiaries").text
