"""Payment batches in the panel over HTTP: build, approve by a second person, export, cancel,
close; a grant's instructions; the one-off "pay" kept for admins where the program allows it;
RIBs and tranche plans on the forms; the dashboard's card.

Seed (tests/admin/conftest.py): a national program (four eyes off), Amina (officer), Vera
(viewer) and Nadia (officer, Arabic) in region 04, Omar (officer) in region 01, one admin.
A batch is its region's (``payment_batches.region_code``): an officer builds one for a region of
hers, and a batch built without a region (the whole country's) is the admins'.
"""

from __future__ import annotations

import html
import re
from datetime import date

from empower.admin import accounts
from sqlalchemy import select

import empower
from empower.models import (
    Beneficiary,
    Cooperative,
    Grant,
    PaymentBatch,
    PaymentInstruction,
    Program,
)
from empower.schemas import ReturnLine
from tests.admin.conftest import PASSWORD
from tests.factories import make_payable, make_rib

IN, OUT = "04.441", "01.511"
TODAY = date.today()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page)).replace("\u202f", " ").replace("\xa0", " ")


def _payables(db, seed, *, without_rib: bool = True) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Approved grants of the seed's program: two women of 04 with a RIB (one without, if
    asked) and one of 01; their ids by name."""
    out: dict[str, int] = {}
    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        for key, province, rib in (("in1", IN, make_rib(9001)), ("in2", IN, make_rib(9002)),
                                   ("out", OUT, make_rib(9003))):
            out[key] = make_payable(uow, program, province_code=province, rib=rib,
                                    first_name="Salma", last_name="Idrissi").id
        if without_rib:
            out["norib"] = make_payable(uow, program, province_code=IN, rib=None).id
        uow.commit()
    return out


def _build(user, seed, region: str | None = "04", channel: str = "bank_transfer"):  # type: ignore[no-untyped-def]
    data = {"program_id": seed.program_id, "channel": channel, "planned_on": TODAY.isoformat()}
    if region:
        data["region_code"] = region
    return user.submit("/payment_batches/new", data, "/payment_batches/new")


def _built_id(response) -> int:  # type: ignore[no-untyped-def]
    found = re.search(r'id="built-batch-link" href="/payment_batches/(\d+)"|'
                      r'href="/payment_batches/(\d+)" id="built-batch-link"', response.text)
    assert found, response.text[:2000]
    return int(found.group(1) or found.group(2))


def _batch(db, batch_id: int) -> PaymentBatch:  # type: ignore[no-untyped-def]
    with db.unit_of_work(readonly=True) as uow:
        batch = uow.session.get(PaymentBatch, batch_id)
        uow.session.expunge(batch)
        return batch


def test_an_officer_builds_a_batch_of_her_region_and_reads_why_grants_were_left_out(
        as_user, db, seed) -> None:
    ids = _payables(db, seed)
    amina = as_user("amina")
    assert amina.get("/payment_batches/new").status_code == 200
    r = _build(amina, seed)
    assert r.status_code == 200, r.text[:800]
    page = _text(r.text)
    assert "Lot préparé :" in page and 'data-lines="2"' in page
    # The woman without a RIB is left out, said in French from the core's code.
    left = r.text.split(f'data-grant="{ids["norib"]}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-code="payment.no_rib"' in left
    assert "aucun RIB n'est enregistré" in _text(left)
    # Region 01's grant is neither in the batch nor among the left out: not her region.
    assert f'data-grant="{ids["out"]}"' not in r.text
    batch_id = _built_id(r)
    batch = _batch(db, batch_id)
    assert (batch.region_code, batch.status, batch.created_by) == ("04", "draft", "user:amina")
    detail = amina.get(f"/payment_batches/{batch_id}")
    assert detail.status_code == 200
    text = _text(detail.text)
    assert "Lots de paiement" in text and 'data-lines="2"' in detail.text
    assert 'data-amount="4000000"' in detail.text  # 2 x 20 000 MAD, one tranche each
    assert 'id="awaiting-approval"' in detail.text
    assert make_rib(9001) in detail.text  # an officer reads the RIB whole
    # The officer does not approve (the default approver role is admin): no button.
    assert 'id="action-approve"' not in detail.text
    assert 'id="action-cancel"' in detail.text


def test_the_builder_refusal_and_the_officer_refusal_are_translated(as_user, db, seed) -> None:
    _payables(db, seed, without_rib=False)
    amina, admin = as_user("amina"), as_user("admin")
    batch_id = _built_id(_build(amina, seed))
    page = f"/payment_batches/{batch_id}"
    # A crafted approval by the officer: the core refuses her role, on the page, in French.
    r = amina.submit(f"{page}/approve", {}, page)
    assert r.status_code == 422
    assert "un lot de paiement est approuvé par un compte actif de rôle admin" in _text(r.text)
    assert "Traceback" not in r.text
    assert _batch(db, batch_id).status == "draft"
    # The admin approves the officer's batch: a second person.
    assert 'id="action-approve"' in admin.get(page).text
    r = admin.submit(f"{page}/approve", {}, page)
    assert r.status_code == 303, r.text[:800]
    batch = _batch(db, batch_id)
    assert (batch.status, batch.approved_by, batch.approved_on) == ("approved", "user:admin",
                                                                    TODAY)
    # A batch the admin built herself: she does not approve it (four eyes), said in Arabic too.
    with db.unit_of_work() as uow:
        make_payable(uow, uow.session.get(Program, seed.program_id), province_code=IN,
                     rib=make_rib(9100))
        uow.commit()
    own = _built_id(_build(admin, seed, region=None))
    assert _batch(db, own).region_code is None
    assert 'id="action-approve"' not in admin.get(f"/payment_batches/{own}").text
    r = admin.submit(f"/payment_batches/{own}/approve", {}, f"/payment_batches/{own}")
    assert r.status_code == 422
    assert "qui l'a préparé ne l'approuve pas" in _text(r.text)
    accounts.create_user(db, "leila", PASSWORD, role="admin", language="ar", actor="test:seed")
    leila = as_user("leila")
    with db.unit_of_work() as uow:
        # Leila built this one too (as a script would): her refusal is in Arabic.
        uow.session.get(PaymentBatch, own).created_by = "user:leila"
        uow.commit()
    r = leila.submit(f"/payment_batches/{own}/approve", {}, f"/payment_batches/{own}")
    assert r.status_code == 422 and 'dir="rtl"' in r.text
    assert "من أعدها لا يصادق عليها" in _text(r.text)


def test_a_batch_is_its_regions_and_an_officer_of_another_region_cannot_see_or_act(
        as_user, db, seed) -> None:
    _payables(db, seed, without_rib=False)
    amina, omar = as_user("amina"), as_user("omar")
    batch_id = _built_id(_build(amina, seed))
    with db.unit_of_work(readonly=True) as uow:
        line_id = uow.session.scalar(select(PaymentInstruction.id).where(
            PaymentInstruction.batch_id == batch_id))
    page = f"/payment_batches/{batch_id}"
    reference = _batch(db, batch_id).reference
    assert omar.get(page).status_code == 404
    assert reference not in omar.get("/payment_batches").text
    assert omar.get(f"/payment_instructions/{line_id}").status_code == 404
    assert reference not in omar.get("/payment_instructions").text
    assert reference not in omar.get("/payment_batches/export.csv").text
    csrf = omar.csrf("/payment_batches")
    for action in ("approve", "cancel", "close", "export"):
        r = omar.post(f"{page}/{action}", data={"csrf_token": csrf, "fmt": "csv"})
        assert r.status_code == 404, action
    assert _batch(db, batch_id).status == "draft"
    # Nor can she build for region 04, nor without a region (the whole country's).
    r = _build(omar, seed, region="04")
    assert r.status_code == 422 and "La région 04 est hors de vos régions." in _text(r.text)
    r = _build(omar, seed, region=None)
    assert r.status_code == 422 and "Indiquez la région du lot" in _text(r.text)
    # The admin sees every batch, and the batch without a region is hers only.
    admin = as_user("admin")
    assert admin.get(page).status_code == 200
    national = _built_id(_build(admin, seed, region="01"))
    assert omar.get(f"/payment_batches/{national}").status_code == 200  # region 01's
    assert amina.get(f"/payment_batches/{national}").status_code == 404


def test_a_viewer_reads_batches_with_payees_masked_and_cannot_act(as_user, db, seed) -> None:
    _payables(db, seed, without_rib=False)
    batch_id = _built_id(_build(as_user("amina"), seed))
    vera = as_user("vera")
    page = vera.get(f"/payment_batches/{batch_id}")
    assert page.status_code == 200
    rib = make_rib(9001)
    assert rib not in page.text and "*" * 20 + rib[-4:] in page.text
    assert 'id="action-cancel"' not in page.text and 'id="export-form"' not in page.text
    lines = vera.get("/payment_instructions").text
    assert rib not in lines and "*" * 20 + rib[-4:] in lines
    export = vera.get("/payment_instructions/export.csv").text
    assert rib not in export and rib[-4:] in export
    # Her search finds lines by reference or name, never by RIB.
    assert "Salma" in vera.get("/payment_instructions?q=Salma").text
    assert "Salma" not in vera.get(f"/payment_instructions?q={rib}").text
    assert vera.get("/payment_batches/new").status_code == 404
    assert _build(vera, seed).status_code == 404
    csrf = vera.csrf(f"/payment_batches/{batch_id}")
    for action in ("approve", "cancel", "export"):
        r = vera.post(f"/payment_batches/{batch_id}/{action}", data={"csrf_token": csrf})
        assert r.status_code == 404, action
    assert _batch(db, batch_id).status == "draft"


def test_posts_without_csrf_token_are_refused(as_user, db, seed) -> None:
    _payables(db, seed, without_rib=False)
    amina, admin = as_user("amina"), as_user("admin")
    r = amina.post("/payment_batches/new", data={
        "program_id": seed.program_id, "channel": "bank_transfer",
        "planned_on": TODAY.isoformat(), "region_code": "04"})
    assert r.status_code == 403
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(PaymentBatch.id)) is None
    batch_id = _built_id(_build(amina, seed))
    for user, action in ((admin, "approve"), (amina, "cancel"), (amina, "export")):
        assert user.post(f"/payment_batches/{batch_id}/{action}",
                         data={"fmt": "csv"}).status_code == 403
    assert _batch(db, batch_id).status == "draft"


def test_export_sends_an_approved_batch_and_the_grant_page_shows_its_line(as_user, db,
                                                                          seed) -> None:
    ids = _payables(db, seed, without_rib=False)
    amina, admin = as_user("amina"), as_user("admin")
    batch_id = _built_id(_build(amina, seed))
    page = f"/payment_batches/{batch_id}"
    # A draft's file is refused (approve it first), translated, nothing sent.
    r = amina.submit(f"{page}/export", {"fmt": "csv"}, page)
    assert r.status_code == 422 and 'id="form-error"' in r.text
    assert admin.submit(f"{page}/approve", {}, page).status_code == 303
    home = _text(amina.get("/").text)
    assert ">0,00 MAD<" in home.split('data-count="in_flight"', 1)[1].split("</div>", 1)[0]
    r = amina.submit(f"{page}/export", {"fmt": "csv"}, page)
    assert r.status_code == 200, r.text[:800]
    reference = _batch(db, batch_id).reference
    assert r.headers["content-disposition"] == f'attachment; filename="{reference}.csv"'
    body = r.content.decode("utf-8-sig")
    assert make_rib(9001) in body and "Salma" in body and f"{reference}-00001" in body
    batch = _batch(db, batch_id)
    assert (batch.status, batch.sent_on) == ("sent", TODAY)
    # Again, pseudonymised: no names; the batch stays sent.
    r = amina.submit(f"{page}/export", {"fmt": "xlsx", "pseudonymised": "true"}, page)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "pseudonymised.xlsx" in r.headers["content-disposition"]
    r = amina.submit(f"{page}/export", {"fmt": "csv", "pseudonymised": "true"}, page)
    assert "Salma" not in r.content.decode("utf-8-sig")
    # The grant's page: the line (batch, status, amount) and the amount in flight.
    grant = _text(amina.get(f"/grants/{ids['in1']}").text)
    assert "Ordres de paiement" in grant and reference in grant and "envoyé" in grant
    assert "En cours de paiement" in grant and "20 000,00 MAD" in grant
    # The dashboard: 40 000 MAD sent, not yet paid, in her regions; none in Omar's.
    home = amina.get("/").text
    card = home.split('data-count="in_flight"', 1)[1].split("</div>", 1)[0]
    assert "40 000,00 MAD" in _text(card)
    omar_home = as_user("omar").get("/").text
    assert "0,00 MAD" in _text(omar_home.split('data-count="in_flight"', 1)[1].split("</div>", 1)[0])
    # Reconciled on the command line (here: the core), then closed in the panel.
    with db.unit_of_work() as uow:
        lines = list(uow.session.scalars(select(PaymentInstruction.reference).where(
            PaymentInstruction.batch_id == batch_id)))
        empower.reconcile_batch(uow, batch_id, [
            ReturnLine(line=n + 2, reference=ref, status="paid", paid_on=TODAY)
            for n, ref in enumerate(lines)], actor="user:admin")
        uow.commit()
    assert 'id="action-close"' in amina.get(page).text
    assert amina.submit(f"{page}/close", {}, page).status_code == 303
    assert _batch(db, batch_id).status == "closed"
    steps = amina.get(page).text
    assert all(f'data-step="{s}"' in steps for s in ("build", "approve", "send", "reconcile",
                                                     "close"))


def test_a_draft_is_cancelled_and_gives_back_what_it_held(as_user, db, seed) -> None:
    ids = _payables(db, seed, without_rib=False)
    amina, admin = as_user("amina"), as_user("admin")
    batch_id = _built_id(_build(amina, seed))
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, ids["in1"]).in_flight_centimes == 2_000_000
    home = amina.get("/").text
    card = home.split('data-count="batches_awaiting_approval"', 1)[1].split("</div>", 1)[0]
    assert 'href="/payment_batches?status=draft"' in card and ">1<" in card
    page = f"/payment_batches/{batch_id}"
    assert amina.submit(f"{page}/cancel", {"reason": "erreur de date"}, page).status_code == 303
    assert _batch(db, batch_id).status == "cancelled"
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, ids["in1"]).in_flight_centimes == 0
    assert 'id="action-cancel"' not in amina.get(page).text
    # Cancelled, it is not approved either.
    r = admin.submit(f"{page}/approve", {}, page)
    assert r.status_code == 422
    listed = amina.get("/payment_batches?status=cancelled&channel=bank_transfer").text
    assert _batch(db, batch_id).reference in listed
    assert _batch(db, batch_id).reference not in amina.get("/payment_batches?status=draft").text


def test_one_off_payment_is_an_admins_where_the_program_allows_it(as_user, db, seed) -> None:
    ids = _payables(db, seed, without_rib=False)
    amina, admin = as_user("amina"), as_user("admin")
    page = f"/grants/{ids['in1']}"
    tranche = {"amount": "5000", "paid_on": TODAY.isoformat(), "channel": "cash"}
    assert 'id="action-pay"' not in amina.get(page).text
    r = amina.submit(f"{page}/pay", tranche, page)
    assert r.status_code == 422
    assert "enregistrée par un administrateur" in _text(r.text)
    # The admin, on a program that pays through batches only (the default): refused too.
    assert 'id="action-pay"' not in admin.get(page).text
    r = admin.submit(f"{page}/pay", tranche, page)
    assert r.status_code == 422 and "paie ses tranches par lots de paiement" in _text(r.text)
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, ids["in1"]).disbursed_centimes == 0
    # The program allows it: the admin pays a one-off tranche.
    r = admin.submit(f"/programs/{seed.program_id}/edit", {"panel_payments": "true"},
                     f"/programs/{seed.program_id}/edit")
    assert r.status_code == 303, r.text[:800]
    assert 'id="action-pay"' in admin.get(page).text
    assert 'id="action-pay"' not in amina.get(page).text
    assert admin.submit(f"{page}/pay", tranche, page).status_code == 303
    assert amina.submit(f"{page}/pay", tranche, page).status_code == 422
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, ids["in1"]).disbursed_centimes == 500_000


def test_ribs_on_the_forms_checked_by_the_core_and_masked_for_viewers(as_user, db,
                                                                      seed) -> None:
    amina = as_user("amina")
    page = f"/beneficiaries/{seed.inside_id}"
    form = {"cin": "", "first_name": "Fatima", "last_name": "Zahra",
            "birth_date": "1990-03-04", "province_code": IN, "consent_date": "2024-01-10",
            "registered_on": "2024-01-10"}
    with db.unit_of_work(readonly=True) as uow:
        form["cin"] = uow.session.get(Beneficiary, seed.inside_id).cin
    good = make_rib(4242)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    r = amina.submit(f"{page}/edit", {**form, "rib": bad}, f"{page}/edit")
    assert r.status_code == 422 and "a une clé fausse" in _text(r.text)
    r = amina.submit(f"{page}/edit", {**form, "rib": "1234"}, f"{page}/edit")
    assert r.status_code == 422 and "n'est pas un RIB" in _text(r.text)
    spaced = " ".join(good[i:i + 4] for i in range(0, 24, 4))
    r = amina.submit(f"{page}/edit", {**form, "rib": spaced}, f"{page}/edit")
    assert r.status_code == 303, _text(r.text)[_text(r.text).find("form-error"):][:600]
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Beneficiary, seed.inside_id).rib == good
    assert good in amina.get(page).text
    vera = as_user("vera")
    assert good not in vera.get(page).text and "*" * 20 + good[-4:] in vera.get(page).text
    assert good not in vera.get("/beneficiaries/export.csv").text
    # A cooperative's RIB, on its form.
    coop = f"/cooperatives/{seed.coop_in_id}"
    r = amina.submit(f"{coop}/edit", {"name": "Argan Tifawin", "sector": "argan",
                                      "province_code": IN, "founded_on": "2023-01-01",
                                      "rib": make_rib(77)}, f"{coop}/edit")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Cooperative, seed.coop_in_id).rib == make_rib(77)
    assert make_rib(77) not in vera.get(coop).text
    # Viewers still search cooperatives by name.
    assert "Argan Tifawin" in vera.get("/cooperatives?q=Argan").text


def test_a_program_form_takes_a_tranche_plan(as_user, db, seed) -> None:
    admin = as_user("admin")
    base = {"code": "PLAN", "name": "Plan", "budget": "100000", "start_date": "2024-01-01"}
    r = admin.submit("/programs/new", {**base, "tranche_shares": "40/40"}, "/programs/new")
    assert r.status_code == 422 and "dont la somme fait 100" in _text(r.text)
    form = admin.get("/programs/new").text
    assert 'name="tranche_conditions" value="training_completed"' in form
    r = admin.post("/programs/new", data={
        **base, "tranche_shares": "40 / 40 / 20", "panel_payments": "true",
        "tranche_conditions": ["training_completed", "visit_since_last_tranche"],
        "csrf_token": admin.csrf("/programs/new")})
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        program = uow.session.scalar(select(Program).where(Program.code == "PLAN"))
        assert program.tranche_shares == ["40", "40", "20"]
        assert program.tranche_conditions == ["training_completed", "visit_since_last_tranche"]
        assert program.panel_payments is True
        pid = program.id
    shown = _text(admin.get(f"/programs/{pid}").text)
    assert "40 / 40 / 20" in shown and "formation achevée" in shown
    edit = admin.get(f"/programs/{pid}/edit").text
    assert 'value="40/40/20"' in edit
    assert re.search(r'value="training_completed"[^>]*checked', edit)
    # Unticking a condition and keeping the shares (blank keeps them).
    r = admin.post(f"/programs/{pid}/edit", data={
        "four_eyes": "true", "tranche_conditions": ["visit_since_last_tranche"],
        "csrf_token": admin.csrf(f"/programs/{pid}/edit")})
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        program = uow.session.get(Program, pid)
        assert program.tranche_conditions == ["visit_since_last_tranche"]
        assert program.tranche_shares == ["40", "40", "20"]


def test_payment_pages_in_arabic(as_user, db, seed) -> None:
    ids = _payables(db, seed)
    nadia = as_user("nadia")  # officer of 04, reads Arabic
    r = _build(nadia, seed)
    assert r.status_code == 200 and 'dir="rtl"' in r.text
    text = _text(r.text)
    assert "تم إعداد الدفعة" in text and "المنح المستبعدة" in text
    left = r.text.split(f'data-grant="{ids["norib"]}"', 1)[1].split("</tr>", 1)[0]
    assert "لا يوجد رقم تعريف بنكي للمستفيد" in _text(left)
    page = _text(nadia.get(f"/payment_batches/{_built_id(r)}").text)
    assert "دفعات الأداء" in page and "المجاميع" in page and "مسودة" in page
    assert "دفعات الأداء في انتظار المصادقة" in _text(nadia.get("/").text)
