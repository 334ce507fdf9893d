"""Results against targets in the panel: indicators and targets (admins), an agreement's page
with committed, received and balance and its contributions, the dashboard's card of partners
behind their schedule; roles, CSRF, French, Arabic and English."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

import empower
from empower.models import Contribution, Indicator, Partner, Target, utcnow
from empower.schemas import AgreementCreate, ContributionCreate, PartnerCreate
from tests.factories import ACTOR


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page)).replace("\u202f", " ").replace("\xa0", " ")


def _agreement(db, seed, *, late: bool) -> int:  # type: ignore[no-untyped-def]
    """An agreement of the seed's (national) program, signed a year ago for two years, with
    a tenth given: 60 days late, or about 280 days behind its schedule."""
    today = utcnow().date()
    signed = today - timedelta(days=365 if late else 60)
    with db.unit_of_work() as uow:
        partner = empower.create_partner(uow, PartnerCreate(
            name="Association Amal" if late else "Fondation Nour", kind="association"),
            actor=ACTOR)
        agreement = empower.sign_agreement(uow, AgreementCreate(
            program_id=seed.program_id, partner_id=partner.id, signed_on=signed,
            ends_on=signed + timedelta(days=730), committed=Decimal("100000")), actor=ACTOR)
        empower.record_contribution(uow, ContributionCreate(
            agreement_id=agreement.id, amount="10000", received_on=signed + timedelta(days=1),
            reference=f"VIR-{agreement.id}"), actor=ACTOR)
        uow.commit()
        return agreement.id


def test_admins_keep_the_logframe_others_never_see_it(as_user, db, seed) -> None:
    admin = as_user("admin")
    r = admin.submit("/indicators/new", {"code": "IND-1", "name_fr": "Inscriptions actives",
                                         "direction": "higher", "kpi": "active_enrollments"},
                     "/indicators/new")
    assert r.status_code == 303, _text(r.text)[:1500]
    with db.unit_of_work(readonly=True) as uow:
        indicator = uow.session.scalar(select(Indicator).where(Indicator.code == "IND-1"))
        assert indicator is not None
    r = admin.submit("/targets/new", {"indicator_id": str(indicator.id),
                                      "program_id": str(seed.program_id), "region_code": "04",
                                      "period": "2024-Q3", "value": "120", "baseline": "10"},
                     "/targets/new")
    assert r.status_code == 303, _text(r.text)[:1500]
    with db.unit_of_work(readonly=True) as uow:
        target = uow.session.scalar(select(Target))
        assert (target.period, target.region_code, target.value) == ("2024-Q3", "04", 120)
    assert "IND-1" in admin.get("/indicators").text
    # a period outside the program: said on the form, never a 500
    r = admin.submit("/targets/new", {"indicator_id": str(indicator.id),
                                      "program_id": str(seed.program_id), "period": "2019",
                                      "value": "5"}, "/targets/new")
    assert r.status_code == 422 and "2019" in _text(r.text)
    # without the CSRF token nothing is written
    r = admin.post("/indicators/new", data={"code": "IND-2", "name_fr": "x", "kpi": "manual",
                                            "aggregation": "flow", "direction": "higher"})
    assert r.status_code in (400, 403)
    for name in ("amina", "vera"):
        user = as_user(name)
        assert user.get("/indicators").status_code == 404
        assert user.get("/targets/new").status_code == 404
        r = user.submit("/indicators/new", {"code": "IND-3", "name_fr": "x", "kpi": "manual",
                                            "aggregation": "flow", "direction": "higher"})
        assert r.status_code == 404
    with db.unit_of_work(readonly=True) as uow:
        assert set(uow.session.scalars(select(Indicator.code))) == {"IND-1"}


def test_an_agreements_page_and_a_contribution_above_the_commitment(as_user, db, seed) -> None:
    agreement_id = _agreement(db, seed, late=False)
    page = f"/agreements/{agreement_id}"
    admin = as_user("admin")
    text = _text(admin.get(page).text)
    assert "Contributions" in text and "VIR-" in text
    assert re.search(r'data-figure="balance">\s*90[ \u202f\xa0.,]?000', admin.get(page).text)
    today = utcnow().date().isoformat()
    r = admin.submit(f"{page}/contribute", {"reference": "NAT-9", "kind": "in_kind",
                                            "amount": "95 000", "received_on": today}, page)
    assert r.status_code == 303, _text(r.text)[:1500]
    after = admin.get(page).text
    assert 'id="above-commitment"' in after
    # a viewer reads it, cannot record; an officer of another region cannot either (national)
    vera = as_user("vera")
    assert vera.get(page).status_code == 200
    assert vera.submit(f"{page}/contribute", {"reference": "X-1", "kind": "cash",
                                              "amount": "1", "received_on": today},
                       page).status_code == 404
    omar = as_user("omar")
    r = omar.submit(f"{page}/contribute", {"reference": "X-2", "kind": "cash", "amount": "1",
                                           "received_on": today}, page)
    assert r.status_code in (403, 404, 422)
    with db.unit_of_work(readonly=True) as uow:
        refs = set(uow.session.scalars(select(Contribution.reference)))
        assert refs == {f"VIR-{agreement_id}", "NAT-9"}


def test_the_dashboard_lists_partners_behind_their_schedule_in_three_languages(
        as_user, db, seed) -> None:
    late = _agreement(db, seed, late=True)
    on_time = _agreement(db, seed, late=False)
    admin = as_user("admin")
    home = admin.get("/").text
    card = home.split('id="partners-behind"', 1)[1].split("</table>", 1)[0]
    assert f'data-agreement="{late}"' in card and f'data-agreement="{on_time}"' not in card
    assert "Partenaires en retard" in _text(home)
    nadia = as_user("nadia")  # Arabic
    assert "الشركاء المتأخرون" in _text(nadia.get("/").text)
    admin.submit("/language", {"language": "en"})
    assert "Partners behind their schedule" in _text(admin.get("/").text)
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(Partner.id).where(Partner.name == "Association Amal"))
