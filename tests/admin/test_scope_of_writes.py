"""Scope of writes, over HTTP: what an officer reads everywhere, she writes only in her regions.

Amina (officer, region 04) reads every partner but records partners of a province in her
regions; she reads national programs (the seed's program has no region) but their agreements
are signed by admins. Refusals are translated messages on the form (422), never a 500.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

import empower
from empower.models import Agreement, Partner, Program
from empower.schemas import PartnerCreate
from tests.factories import make_program

from .conftest import IN_PROVINCE, OUT_PROVINCE


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _partners(db) -> set[str]:  # type: ignore[no-untyped-def]
    with db.unit_of_work(readonly=True) as uow:
        return set(uow.session.scalars(select(Partner.name)))


def test_an_officer_records_partners_of_her_regions_only(as_user, db, seed) -> None:
    amina, nadia = as_user("amina"), as_user("nadia")
    r = amina.submit("/partners/new", {"name": "Banque du Nord", "kind": "private_firm",
                                       "province_code": OUT_PROVINCE}, "/partners/new")
    assert r.status_code == 422
    page = _text(r.text)
    assert f"La province {OUT_PROVINCE} est hors de vos régions." in page
    assert 'value="Banque du Nord"' in page  # her values are kept
    r = amina.submit("/partners/new", {"name": "Agence nationale", "kind": "public_agency"},
                     "/partners/new")
    assert r.status_code == 422
    assert "un partenaire national est enregistré par un administrateur" in _text(r.text)
    r = nadia.submit("/partners/new", {"name": "Agence nationale", "kind": "public_agency"},
                     "/partners/new")
    assert r.status_code == 422 and "الشريك الوطني يسجله مدير" in _text(r.text)
    assert _partners(db) == set()
    r = amina.submit("/partners/new", {"name": "Association Oujda", "kind": "association",
                                       "province_code": IN_PROVINCE}, "/partners/new")
    assert r.status_code == 303, r.text[:800]
    admin = as_user("admin")
    for name, province in (("Agence nationale", ""), ("Banque du Nord", OUT_PROVINCE)):
        r = admin.submit("/partners/new", {"name": name, "kind": "private_firm",
                                           "province_code": province}, "/partners/new")
        assert r.status_code == 303, r.text[:800]
    assert _partners(db) == {"Association Oujda", "Agence nationale", "Banque du Nord"}
    # She still reads every partner.
    listing = amina.get("/partners").text
    assert "Banque du Nord" in listing and "Agence nationale" in listing


def test_agreements_on_national_programs_are_for_admins(as_user, db, seed) -> None:
    with db.unit_of_work() as uow:
        regional = make_program(uow, code="ORIENT", region_code="04")
        elsewhere = make_program(uow, code="NORD", region_code="01")
        national = uow.session.get(Program, seed.program_id)
        assert national.region_code is None
        partner = empower.create_partner(uow, PartnerCreate(
            name="Association Anir", kind="association", province_code=OUT_PROVINCE),
            actor="test:seed")
        ids = (regional.id, elsewhere.id, national.id, partner.id, national.code)
        uow.commit()
    regional_id, elsewhere_id, national_id, partner_id, national_code = ids
    amina, nadia, admin = as_user("amina"), as_user("nadia"), as_user("admin")

    def sign(user, program_id: int, day: str = "2024-02-01"):  # type: ignore[no-untyped-def]
        return user.submit("/agreements/new", {"program_id": program_id,
                                               "partner_id": partner_id, "signed_on": day,
                                               "committed": "1000"}, "/agreements/new")

    r = sign(amina, national_id)
    assert r.status_code == 422
    assert f"Le programme {national_code} est national : ses conventions sont signées et " \
           f"modifiées par un administrateur." in _text(r.text)
    r = sign(nadia, national_id)
    assert r.status_code == 422 and f"البرنامج {national_code} وطني" in _text(r.text)
    r = sign(amina, elsewhere_id)
    assert r.status_code == 422 and "Traceback" not in r.text  # not hers: not found
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Agreement)) == 0
    # Her region's program (with a partner based anywhere), and the admin on the national one.
    assert sign(amina, regional_id).status_code == 303
    assert sign(admin, national_id).status_code == 303
    with db.unit_of_work(readonly=True) as uow:
        signed = set(uow.session.scalars(select(Agreement.program_id)))
    assert signed == {regional_id, national_id}


def test_a_program_created_national_by_the_admin_stays_out_of_officers_agreements(
        as_user, db, seed) -> None:
    """The same through the panel's own program form: no region means national."""
    admin, amina = as_user("admin"), as_user("amina")
    r = admin.submit("/programs/new", {"code": "WATANI", "name": "Watani", "budget": "100000",
                                       "start_date": "2024-01-01"}, "/programs/new")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work() as uow:
        program_id = uow.session.scalar(select(Program.id).where(Program.code == "WATANI"))
        partner_id = empower.create_partner(uow, PartnerCreate(
            name="Anir", kind="association", province_code=IN_PROVINCE), actor="test:seed").id
        uow.commit()
    r = amina.submit("/agreements/new", {"program_id": program_id, "partner_id": partner_id,
                                         "signed_on": "2024-02-01"}, "/agreements/new")
    assert r.status_code == 422 and "WATANI" in _text(r.text)

