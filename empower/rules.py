"""Pure rule checks and normalisers: no database, no I/O, unit-tested on their own.

The services call these on every write path (single and bulk), so a CIN, a phone number or a name
is refused or normalised the same way whether it comes from a script, the panel or an import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from empower.errors import InvalidInput, NotEligible, RuleViolation
from empower.grievances import GrievanceConfig

# The CIN and age rules are defined in empower.predicates; they stay importable from here.
from empower.predicates import DEFAULT_CIN_PATTERN, age_on, cin_pattern, normalize_cin

# What text may hold is defined in empower.text (below errors, which echo with it).
from empower.text import clean_text, echo
from empower.vocab import fold

__all__ = [
    "DATE_CODES",
    "DEFAULT_CIN_PATTERN",
    "EARLIEST_BIRTH",
    "EARLIEST_FOUNDING",
    "EARLIEST_PROGRAM",
    "MAX_RECORD_ID",
    "RulesConfig",
    "age_on",
    "centimes",
    "check_adult",
    "check_four_eyes",
    "check_after_founding",
    "check_after_program_start",
    "check_after_registration",
    "check_before_acts",
    "check_birth_date",
    "check_consent_date",
    "check_founded_on",
    "check_name",
    "check_not_future",
    "check_program_start",
    "check_rib",
    "check_tranche_conditions",
    "check_tranche_shares",
    "clean_text",
    "free_text",
    "latest_date",
    "mad",
    "name_key",
    "next_tranche",
    "normalize_cin",
    "normalize_phone",
    "record_id",
    "record_number",
    "same_actor",
]


@dataclass(frozen=True)
class RulesConfig:
    """The tunable parts of the rules; passed in by the caller, never read at import time."""

    cin_pattern: str = DEFAULT_CIN_PATTERN
    min_age: int = 18
    phone_region: str = "MA"
    # Two registered women whose names score at least this (rapidfuzz, 0-100) with the same
    # birth date become a duplicate candidate.
    name_match_threshold: int = 92
    # An act (a registration, a payment, a survey...) may be dated at most this many days after
    # today: a day absorbs the time zones (Morocco is ahead of UTC), anything later is a typo.
    future_days_margin: int = 1
    # The panel roles whose users may approve a payment batch (someone else built it).
    batch_approver_roles: tuple[str, ...] = ("admin",)
    # The grievance mechanism's deadlines (empower.grievances).
    grievances: GrievanceConfig = field(default_factory=GrievanceConfig)

    def __post_init__(self) -> None:
        # A pattern that does not compile is refused when the settings are read, not at the
        # first registration.
        cin_pattern(self)
        if self.future_days_margin < 0:
            raise ValueError("future_days_margin must be 0 or more")


_DEFAULT = RulesConfig()

# Moroccan numbers in their usual national or international spellings. These take a fast path
# that applies phonenumbers' own metadata patterns (no parsing), because a national registry
# imports hundreds of thousands of them; anything else goes through phonenumbers.parse.
_PHONE_NOISE = re.compile(r"[\s\-.()/]")
_MA_NATIONAL = re.compile(r"^(?:\+212|00212|212|0)([5-8][0-9]{8})$")


@lru_cache(maxsize=8)
def _type_patterns(region: str) -> tuple[tuple[frozenset[int], re.Pattern[str]], ...]:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert meta is not None
    descs = (
        meta.fixed_line, meta.mobile, meta.toll_free, meta.premium_rate, meta.shared_cost,
        meta.personal_number, meta.voip, meta.pager, meta.uan, meta.voicemail,
    )
    general = frozenset(meta.general_desc.possible_length or ()) if meta.general_desc else frozenset()
    out = []
    for desc in descs:
        if desc is None or not desc.national_number_pattern:
            continue
        lengths = frozenset(desc.possible_length or ()) or general
        out.append((lengths, re.compile(desc.national_number_pattern)))
    return tuple(out)


def _valid_moroccan_nsn(nsn: str) -> bool:
    return any(
        len(nsn) in lengths and pattern.fullmatch(nsn) for lengths, pattern in _type_patterns("MA")
    )


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]")


def _digits(text: str) -> str:
    # Every script's decimal digits, as phonenumbers reads them (٠٦١٢... is 0612...).
    if text.isascii():  # (the usual case, and a national batch reads tens of thousands)
        return _NOT_ASCII_DIGIT.sub("", text)
    return "".join(str(unicodedata.decimal(ch)) for ch in text
                   if unicodedata.decimal(ch, None) is not None)


def _phone_refused(raw: str, code: str, why: str) -> InvalidInput:
    return InvalidInput(f"phone: '{echo(raw)}' {why}", code=code, params={"value": echo(raw)},
                        field="phone", value=raw)


def normalize_phone(raw: str | None, config: RulesConfig | None = None) -> str | None:
    """Return the number in E.164 (``+2126...``), ``None`` when empty; refuse invalid numbers.

    One number, all of it: a cell holding two numbers (``0612345678 / 0698765432``), an
    extension (``ext 12``, ``poste 12``, ``x12``) or other words is refused, never cut down to
    its first number. Raises :class:`InvalidInput` (field ``phone``).
    """
    if raw is None:
        return None
    text = clean_text(str(raw), field="phone").strip()
    if not text:
        return None
    cfg = config or _DEFAULT
    compact = _PHONE_NOISE.sub("", text)
    if cfg.phone_region == "MA":
        m = _MA_NATIONAL.match(compact)
        if m:
            if _valid_moroccan_nsn(m.group(1)):
                return "+212" + m.group(1)
            raise _phone_refused(raw, "phone.invalid", "is not a valid phone number")
    # phonenumbers reads the first number of a text and an extension after it, and drops the
    # rest: whatever it would drop is refused here. More digits than any one number with its
    # 00 prefix is two of them.
    digits = _digits(text)
    if len(digits) > 17:
        raise _phone_refused(raw, "phone.two_numbers", "holds more than one number")
    if any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise _phone_refused(raw, "phone.extension",
                             "holds an extension or text besides the number")
    try:
        number = phonenumbers.parse(text, cfg.phone_region)
    except phonenumbers.NumberParseException as exc:
        raise _phone_refused(raw, "phone.unreadable", "is not a phone number") from exc
    if number.extension:
        raise _phone_refused(raw, "phone.extension",
                             "holds an extension or text besides the number")
    # Every digit of the cell is this number's: its significant digits, after at most an
    # international prefix (00), the country code and national-prefix zeros.
    nsn = phonenumbers.national_significant_number(number)
    lead = digits[:-len(nsn)] if nsn and digits.endswith(nsn) else None
    if lead is None or re.fullmatch(rf"(?:0{{0,2}}{number.country_code})?0*", lead) is None:
        raise _phone_refused(raw, "phone.two_numbers", "holds more than one number")
    if not phonenumbers.is_valid_number(number):
        raise _phone_refused(raw, "phone.invalid", "is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_adult(birth_date: date, on: date, config: RulesConfig | None = None) -> None:
    """Refuse a person younger than the minimum age on the business date ``on``."""
    cfg = config or _DEFAULT
    if birth_date > on:
        raise InvalidInput(
            f"birth_date: {birth_date.isoformat()} is after the registration date {on.isoformat()}",
            code="birth_date.after_registration", params={"birth_date": birth_date, "on": on},
            field="birth_date",
            value=birth_date.isoformat(),
        )
    age = age_on(birth_date, on)
    if age < cfg.min_age:
        raise NotEligible(
            f"birth_date: she is {age} on {on.isoformat()}; beneficiaries must be "
            f"{cfg.min_age} or older",
            code="beneficiary.too_young", params={"age": age, "on": on, "min_age": cfg.min_age},
            field="birth_date",
            value=birth_date.isoformat(),
        )


# -- plausible dates ------------------------------------------------------------------------------
# Every business date has a range: nobody registered was born before EARLIEST_BIRTH, no
# cooperative was founded and no program started before 1900 (a date in year 1 is a typo, not
# history); an act is dated no earlier than what it depends on (her registration, the program's
# start, the cooperative's founding) and no later than today plus the configured margin.

EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_FOUNDING = date(1900, 1, 1)
EARLIEST_PROGRAM = date(1900, 1, 1)

# The codes the date rules below raise (the message catalog has an entry for each; the codes
# passed to check_before_acts are among them).
DATE_CODES = (
    "date.in_future", "birth_date.before_earliest", "consent_date.before_birth",
    "cooperative.founded_before_earliest", "program.start_before_earliest",
    "date.before_registration", "date.before_program_start", "date.before_founding",
    "beneficiary.registered_after_acts", "program.start_after_acts",
    "cooperative.founded_after_acts",
)


def latest_date(today: date, config: RulesConfig | None = None) -> date:
    """The last date an act may carry: ``today`` plus the configured margin."""
    cfg = config or _DEFAULT
    return today + timedelta(days=cfg.future_days_margin)


def check_not_future(on: date, *, field: str, today: date,
                     config: RulesConfig | None = None) -> None:
    """Refuse an act dated after today plus the margin (``date.in_future``, ``InvalidInput``)."""
    cfg = config or _DEFAULT
    latest = latest_date(today, cfg)
    if on > latest:
        raise InvalidInput(
            f"{field}: {on.isoformat()} is after {latest.isoformat()}; a date is at most "
            f"{cfg.future_days_margin} day(s) after today", code="date.in_future",
            params={"value": on, "latest": latest, "margin": cfg.future_days_margin},
            field=field, value=on.isoformat())


def check_birth_date(birth_date: date, on: date, config: RulesConfig | None = None) -> None:
    """Refuse a birth before 1900 (``birth_date.before_earliest``, ``InvalidInput``), then one
    less than the minimum age before the act dated ``on`` (:func:`check_adult`)."""
    if birth_date < EARLIEST_BIRTH:
        raise InvalidInput(
            f"birth_date: {birth_date.isoformat()} is before {EARLIEST_BIRTH.isoformat()}; "
            f"that is not a plausible birth date", code="birth_date.before_earliest",
            params={"value": birth_date, "earliest": EARLIEST_BIRTH}, field="birth_date",
            value=birth_date.isoformat())
    check_adult(birth_date, on, config)


def check_consent_date(consent_date: date, birth_date: date) -> None:
    """Refuse a consent dated before her birth (``consent_date.before_birth``, ``InvalidInput``).

    That it comes no later than her registration is checked with the registration.
    """
    if consent_date < birth_date:
        raise InvalidInput(
            f"consent_date: {consent_date.isoformat()} is before her birth on "
            f"{birth_date.isoformat()}", code="consent_date.before_birth",
            params={"value": consent_date, "birth_date": birth_date}, field="consent_date",
            value=consent_date.isoformat())


def check_founded_on(founded_on: date, *, today: date, config: RulesConfig | None = None) -> None:
    """Refuse a founding before 1900 (``cooperative.founded_before_earliest``) or after today
    plus the margin (``date.in_future``); both ``InvalidInput``."""
    if founded_on < EARLIEST_FOUNDING:
        raise InvalidInput(
            f"founded_on: {founded_on.isoformat()} is before {EARLIEST_FOUNDING.isoformat()}; "
            f"that is not a plausible founding date", code="cooperative.founded_before_earliest",
            params={"value": founded_on, "earliest": EARLIEST_FOUNDING}, field="founded_on",
            value=founded_on.isoformat())
    check_not_future(founded_on, field="founded_on", today=today, config=config)


def check_program_start(start_date: date) -> None:
    """Refuse a program starting before 1900 (``program.start_before_earliest``, ``InvalidInput``).

    A program may start in the future (it is planned before it runs).
    """
    if start_date < EARLIEST_PROGRAM:
        raise InvalidInput(
            f"start_date: {start_date.isoformat()} is before {EARLIEST_PROGRAM.isoformat()}; "
            f"that is not a plausible start date", code="program.start_before_earliest",
            params={"value": start_date, "earliest": EARLIEST_PROGRAM}, field="start_date",
            value=start_date.isoformat())


def check_after_registration(on: date, registered_on: date, *, field: str) -> None:
    """Refuse an act of hers dated before her registration (``date.before_registration``)."""
    if on < registered_on:
        raise InvalidInput(
            f"{field}: {on.isoformat()} is before her registration on "
            f"{registered_on.isoformat()}", code="date.before_registration",
            params={"value": on, "registered_on": registered_on}, field=field,
            value=on.isoformat())


def check_after_program_start(on: date, program: str, start_date: date, *, field: str) -> None:
    """Refuse an act in a program dated before it starts (``date.before_program_start``)."""
    if on < start_date:
        raise InvalidInput(
            f"{field}: {on.isoformat()} is before program {program} starts on "
            f"{start_date.isoformat()}", code="date.before_program_start",
            params={"value": on, "program": program, "start_date": start_date}, field=field,
            value=on.isoformat())


def check_after_founding(on: date, reference: str, founded_on: date, *, field: str) -> None:
    """Refuse an act of a cooperative dated before its founding (``date.before_founding``)."""
    if on < founded_on:
        raise InvalidInput(
            f"{field}: {on.isoformat()} is before cooperative {reference} was founded on "
            f"{founded_on.isoformat()}", code="date.before_founding",
            params={"value": on, "reference": reference, "founded_on": founded_on},
            field=field, value=on.isoformat())


def check_before_acts(value: date, acts: Iterable[tuple[str, date | None]], *, field: str,
                      code: str) -> None:
    """Refuse moving a date (a registration, a program's start, a founding) after the acts that
    depend on it; ``acts`` gives each kind of act (``"enrolment"``, ``"grant"``...) and its
    earliest date. ``code`` is one of :data:`DATE_CODES` (``*.…_after_acts``); ``InvalidInput``.
    """
    dated = [(on, act) for act, on in acts if on is not None]
    if not dated:
        return
    first_on, first_act = min(dated)
    if value > first_on:
        raise InvalidInput(
            f"{field}: {value.isoformat()} would come after the {first_act} dated "
            f"{first_on.isoformat()}, which depends on it", code=code,
            params={"value": value, "act": first_act, "act_on": first_on}, field=field,
            value=value.isoformat())


_NAME_PUNCT = frozenset(" -'’.")


def _script(ch: str) -> str | None:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("ARABIC"):
        return "arabic"
    return None


def check_name(value: str | None, *, script: str, field: str,
               organisation: bool = False) -> str | None:
    """Trim a name and check every letter is of the expected script (``latin`` or ``arabic``).

    A woman's name holds letters and `` -'’.`` only; an ``organisation``'s (a cooperative's
    Arabic name: ``تعاونية النور 2``) may also hold digits and punctuation, but its letters are
    held to the script the same way (its length is its schema's). The text rule
    (:func:`clean_text`) applies first.
    Raises :class:`InvalidInput` naming ``field``.
    """
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", clean_text(str(value), field=field)).split())
    if not text:
        return None
    if len(text) > 100 and not organisation:
        raise InvalidInput(f"{field}: a name is at most 100 characters",
                           code="name.too_long", field=field, value=value)
    letters = 0
    for ch in text:
        if ch in _NAME_PUNCT:
            continue
        category = unicodedata.category(ch)
        # Arabic tatweel and harakat are marks, not letters; they belong to the Arabic script.
        if script == "arabic" and (category.startswith("M") or ch == "\u0640"):
            continue
        if organisation and category[0] in "NP":
            continue
        # Only letters count: Arabic-Indic digits are "ARABIC" by name but are not a name.
        if not category.startswith("L") or _script(ch) != script:
            human = "Latin" if script == "latin" else "Arabic"
            raise InvalidInput(
                f"{field}: '{echo(value)}' must be written in {human} script (found "
                f"'{echo(ch)}')", code=f"name.wrong_script_{script}",
                params={"value": echo(value), "char": echo(ch)}, field=field, value=value)
        letters += 1
    if letters == 0:
        raise InvalidInput(f"{field}: '{echo(value)}' has no letters", code="name.no_letters",
                           params={"value": echo(value)}, field=field, value=value)
    return text


def free_text(value: str | None, *, field: str, max_length: int | None = None) -> str | None:
    """A note, a reason or a purpose given to a service directly (not through an input model):
    the text rule (:func:`clean_text`), trimmed, ``None`` when blank.

    Raises :class:`InvalidInput` naming ``field`` as :func:`clean_text` does, or when the text
    is longer than ``max_length`` (the column's size).
    """
    if value is None:
        return None
    text = clean_text(str(value), field=field).strip()
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(f"{field}: '{echo(value)}' is too long (at most {max_length} "
                           f"characters)", code="input.too_long",
                           params={"value": echo(value), "max_length": max_length}, field=field,
                           value=value)
    return text or None


def name_key(first: str | None, last: str | None) -> str:
    """Comparison key for duplicate detection: folded, accentless, word order kept."""
    parts = [p for p in (first, last) if p]
    return fold(" ".join(parts)).replace("_", " ")


# A trillion dirhams: far above any program, far below the 64-bit centimes columns.
MAX_AMOUNT = Decimal(10) ** 12

_AMOUNT_NOISE = re.compile(r"(?i)\s|mad|dhs?|dirhams?|درهم|\u00a0|\u202f")


def centimes(value: Decimal | int | float | str, *, field: str = "amount") -> int:
    """Convert an amount in MAD (``12500.50``, ``"12 500,50"``, ``"12500 MAD"``) to centimes."""
    if isinstance(value, bool):
        raise InvalidInput(f"{field}: '{value}' is not an amount", code="amount.invalid",
                           params={"value": str(value)}, field=field, value=value)
    if isinstance(value, int):
        dec = Decimal(value)
    elif isinstance(value, Decimal):
        dec = value
    else:
        text = _AMOUNT_NOISE.sub("", str(value))
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") \
                else text.replace(",", "")
        else:
            text = text.replace(",", ".")
        try:
            dec = Decimal(text)
        except InvalidOperation as exc:
            raise InvalidInput(f"{field}: '{value}' is not an amount", code="amount.invalid",
                           params={"value": str(value)}, field=field, value=value) from exc
    if not dec.is_finite():
        raise InvalidInput(f"{field}: '{value}' is not an amount", code="amount.invalid",
                           params={"value": str(value)}, field=field, value=value)
    if dec < 0:
        raise InvalidInput(f"{field}: '{value}' is negative", code="amount.negative",
                           params={"value": str(value)}, field=field, value=value)
    if dec >= MAX_AMOUNT:
        raise InvalidInput(f"{field}: '{value}' is too large (at most {MAX_AMOUNT:,} MAD)",
                           code="amount.too_large", params={"value": str(value), "max": MAX_AMOUNT},
                           field=field, value=value)
    cents = (dec * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if cents != dec * 100:
        raise InvalidInput(
            f"{field}: '{value}' has more than two decimals", code="amount.too_many_decimals",
            params={"value": str(value)}, field=field, value=value
        )
    return int(cents)


def mad(centimes_value: int | None) -> Decimal | None:
    """Centimes to a two-decimal MAD amount (exact)."""
    if centimes_value is None:
        return None
    return (Decimal(centimes_value) / 100).quantize(Decimal("0.01"))


def same_actor(one: str | None, other: str | None) -> bool:
    """Whether two audit actors name the same person (``user:Amina`` is ``user:amina``).

    An unknown actor (``None``: a grant recorded before the panel kept it) is nobody's.
    """
    if one is None or other is None:
        return False
    return one.strip().casefold() == other.strip().casefold()


# The step four eyes guards -> what the same person must not have done before it.
FOUR_EYES_STEPS = {
    "approve": "submitted it; someone else approves it",
    "disburse": "approved it; someone else pays its tranches",
}


def check_four_eyes(step: str, actor: str, earlier: str | None, *, applies: bool,
                    reference: str) -> None:
    """Four eyes on money: refuse ``actor`` taking ``step`` on grant ``reference`` when she
    took the step before it.

    ``step`` is ``"approve"`` (``earlier``: who submitted the grant) or ``"disburse"`` (who
    approved it). ``applies`` is false when the program turned the rule off, or when a
    program's history is being recorded (an import says what others did, earlier).

    Raises :class:`RuleViolation` with code ``grant.four_eyes_approve`` or
    ``grant.four_eyes_disburse``.
    """
    if step not in FOUR_EYES_STEPS:
        raise ValueError(f"four eyes: unknown step {step!r}")
    if not applies or not same_actor(actor, earlier):
        return
    raise RuleViolation(
        f"grant {reference}: four eyes on money; {actor} {FOUR_EYES_STEPS[step]}",
        code=f"grant.four_eyes_{step}", params={"reference": reference})


# Record numbers are the tables' INTEGER keys: PostgreSQL's int4 holds at most this, and a larger
# number overflows the driver (SQLite's at 2**63) instead of finding nothing.
MAX_RECORD_ID = 2_147_483_647
_RECORD_NUMBER = re.compile(r"[0-9]{1,10}")


def record_number(text: str) -> int | None:
    """The record number ``text`` spells, or None when it spells none.

    ASCII digits only: ``int()`` also reads ``"١٢"`` (Arabic-Indic digits) as 12, ``" 12 "`` and
    ``"1_2"``, and raises on ``"²"``, which ``str.isdigit()`` accepts; and at most
    :data:`MAX_RECORD_ID`. Nothing is stripped: the caller says what it allows around the number.
    """
    if not isinstance(text, str) or not _RECORD_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_RECORD_ID else None


def record_id(value: object, *, field: str = "id") -> int:
    """A record number typed or passed for ``field`` (an int, or digits with spaces around).

    Raises :class:`InvalidInput` (code ``input.not_a_record``) for anything else: another
    script's digits, a sign, a fraction, a number beyond :data:`MAX_RECORD_ID`.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= MAX_RECORD_ID:
            return value
    elif isinstance(value, str):
        number = record_number(value.strip())
        if number is not None:
            return number
    shown = str(value)
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    raise InvalidInput(f"{field}: '{shown}' is not a record number", code="input.not_a_record",
                       params={"value": shown}, field=field, value=value)


# A Moroccan RIB: bank (3), city (3), account (16), key (2). The key makes the 24-digit number a
# multiple of 97 (the key is 97 - (the 22 digits x 100 mod 97)).
RIB_LENGTH = 24
_RIB_NOISE = re.compile(r"[\s\-.]")


def check_rib(raw: str | None, *, field: str = "rib") -> str | None:
    """The RIB ``raw`` spells, as its 24 digits, or None for an empty value.

    Spaces, dashes and dots between the groups are dropped; digits of any script are read.
    Raises :class:`InvalidInput` ``rib.invalid`` (not 24 digits) or ``rib.bad_key`` (the key
    does not pass the mod-97 check: a digit was mistyped).
    """
    if raw is None or not str(raw).strip():
        return None
    digits = _digits(_RIB_NOISE.sub("", str(raw)))
    if len(digits) != RIB_LENGTH or not digits.isascii() or not digits.isdigit():
        raise InvalidInput(f"{field}: '{echo(str(raw))}' is not a RIB (24 digits: bank, city, "
                           f"account, key)", code="rib.invalid", params={"value": echo(str(raw))},
                           field=field, value=raw)
    if int(digits) % 97 != 0:
        raise InvalidInput(f"{field}: '{echo(str(raw))}' has a wrong key (the last two digits do "
                           f"not match the others: a digit was mistyped)", code="rib.bad_key",
                           params={"value": echo(str(raw))}, field=field, value=raw)
    return digits


MAX_TRANCHES = 12


def check_tranche_shares(shares: Iterable[Decimal | int | float | str] | None, *,
                         field: str = "tranche_shares") -> list[Decimal] | None:
    """A program's tranche plan: shares of the approved amount in percent, summing to 100.

    None or empty means no plan (one tranche of what is left). Raises :class:`InvalidInput`
    ``tranche.shares_invalid`` naming the share or the total that is wrong.
    """
    if shares is None:
        return None
    values: list[Decimal] = []
    for raw in shares:
        try:
            value = Decimal(str(raw).strip().rstrip("%").replace(",", "."))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value <= 0 or value > 100:
            raise InvalidInput(f"{field}: '{echo(str(raw))}' is not a share between 0 and 100 %",
                               code="tranche.shares_invalid", params={"value": echo(str(raw))},
                               field=field, value=str(raw))
        values.append(value)
    if not values:
        return None
    if len(values) > MAX_TRANCHES or sum(values) != 100:
        total = "/".join(str(v) for v in values)
        raise InvalidInput(f"{field}: {total} must be at most {MAX_TRANCHES} shares summing to "
                           f"100 %", code="tranche.shares_invalid", params={"value": total},
                           field=field, value=total)
    return values


def check_tranche_conditions(conditions: Iterable[str] | None, *,
                             field: str = "tranche_conditions") -> list[str] | None:
    """A program's conditions for a tranche after the first, as TrancheCondition values.

    Raises :class:`InvalidInput` (``choice.invalid``) for a condition that is not one.
    """
    from empower.vocab import TrancheCondition, parse_choice

    if conditions is None:
        return None
    out: list[str] = []
    for raw in conditions:
        value = parse_choice(TrancheCondition, str(raw), field=field).value
        if value not in out:
            out.append(value)
    return out or None


def next_tranche(approved_c: int, disbursed_c: int, paid_count: int,
                 shares: Iterable[Decimal] | None) -> tuple[int, int] | None:
    """The next tranche of a grant: ``(its number, its amount in centimes)``, or None when
    nothing is left to pay.

    Without a plan it is the whole remainder. With one, it is what brings the paid total to the
    next cumulative share of the approved amount (rounded to the centime; the last share takes
    the remainder), so a tranche paid by hand off the plan shortens the next one instead of
    shifting the plan.
    """
    left = approved_c - disbursed_c
    if left <= 0:
        return None
    plan = list(shares or [])
    if not plan:
        return paid_count + 1, left
    cumulative = Decimal(0)
    for number, share in enumerate(plan, start=1):
        cumulative += share
        target = approved_c if number == len(plan) else int(
            (Decimal(approved_c) * cumulative / 100).to_integral_value(ROUND_HALF_UP))
        if target > disbursed_c:
            return number, target - disbursed_c
    return len(plan), left
