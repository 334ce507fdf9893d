"""The panel's pages follow the one definition of scope and of the rules it shows.

A cooperative's page lists only the members her regions cover; the dashboard's open duplicates
are the pairs her duplicates list shows; the CIN search reads what ``EMPOWER_CIN_PATTERN``
configures; the age-band filter has the report's bands.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

import empower
from empower.models import DuplicateCandidate, utcnow
from empower.predicates import age_band
from empower.rules import RulesConfig
from empower.schemas import BeneficiaryCreate, MembershipCreate
from tests.factories import beneficiary_data

ACTOR = "test:scope-pages"


def results(html: str) -> str:
    """The result table only (the search box echoes what was typed)."""
    start = html.index('id="results"')
    return html[html.index("<tbody>", start):]


def dashboard(html: str, key: str) -> int:
    found = re.search(rf'data-count="{key}"><a href="[^"]*">(\d+)', html)
    assert found, key
    return int(found.group(1))


def test_a_cooperative_page_lists_only_the_members_her_regions_cover(as_user, db, seed):
    with db.unit_of_work() as uow:
        for person in (seed.inside_id, seed.outside_id):
            empower.admit_member(uow, MembershipCreate(
                cooperative_id=seed.coop_in_id, beneficiary_id=person,
                joined_on=date(2024, 2, 1)), actor=ACTOR)
        uow.commit()
    page = f"/cooperatives/{seed.coop_in_id}"
    officer = as_user("amina").get(page).text
    assert "Fatima" in officer and "Khadija" not in officer
    everyone = as_user("admin").get(page).text
    assert "Fatima" in everyone and "Khadija" in everyone


def test_the_dashboard_counts_the_duplicate_pairs_her_list_shows(as_user, db, seed):
    # A namesake of Khadija (region 01), with her birth date, registered in region 04.
    with db.unit_of_work() as uow:
        empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            first_name="Khadija", last_name="Tanger", first_name_ar=None, last_name_ar=None,
            province_code="04.441")), actor=ACTOR)
        uow.commit()
        pairs = uow.session.scalar(select(DuplicateCandidate.id).limit(1))
    assert pairs is not None, "the namesakes should make a duplicate pair"
    for username, expected in (("amina", 0), ("omar", 0), ("admin", 1)):
        user = as_user(username)
        listed = results(user.get("/duplicates").text).count('href="/duplicates/')
        assert dashboard(user.get("/").text, "open_duplicates") == listed == expected, username


def test_the_dashboard_says_what_it_counts_in_the_reports_terms(as_user, seed):
    html = as_user("amina").get("/").text
    assert "Femmes distinctes ayant une inscription active aujourd&#39;hui, non archivées" in html
    assert "Bénéficiaires en parcours" in html
    english = as_user("amina")
    english.submit("/language", {"language": "en"})
    assert "Distinct women with an enrolment active today, not archived" in english.get("/").text


def test_the_age_band_filter_has_the_reports_bands(as_user, seed):
    html = as_user("admin").get("/beneficiaries").text
    options = re.findall(r'<option value="(\d\d[^"]*)"', html)
    assert [o for o in options if "-" in o or "+" in o] == [
        "18-24", "25-34", "35-44", "45-54", "55+"]
    # The seed's women were born on 4 March 1990: their band finds them, 55+ does not.
    admin = as_user("admin")
    band = age_band(date(1990, 3, 4), utcnow().date())
    assert "Fatima" in results(admin.get(f"/beneficiaries?age={band}").text)
    assert "Fatima" not in results(admin.get("/beneficiaries?age=55%2B").text)


@pytest.fixture
def three_letter_cins(monkeypatch: pytest.MonkeyPatch) -> str:
    """The deployment's CINs are three letters and three digits (set before the panel starts)."""
    pattern = r"[A-Z]{3}\d{3}"
    monkeypatch.setenv("EMPOWER_CIN_PATTERN", pattern)
    return pattern


def test_the_cin_search_reads_the_configured_pattern(three_letter_cins, as_user, db_url, seed):
    configured = empower.connect(db_url, rules=RulesConfig(cin_pattern=three_letter_cins))
    try:
        with configured.unit_of_work() as uow:
            empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
                cin="ABC123", first_name="Nora", last_name="Berrada", province_code="04.441")),
                actor=ACTOR)
            uow.commit()
    finally:
        configured.dispose()
    amina = as_user("amina")
    # The hard-coded pattern (one or two letters) read "abc-123" as a name and found nobody.
    assert "Nora" in results(amina.get("/beneficiaries?q=abc-123").text)
    # Under this pattern "AB123456" is no CIN: it is not searched as one.
    assert "Fatima" not in results(amina.get("/beneficiaries?q=AB1").text)
