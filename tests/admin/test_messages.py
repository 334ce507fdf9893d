"""The core's refusals, said again in French and Arabic (unknown ones keep the core's words)."""

from __future__ import annotations

import pytest
from empower.admin.compat import locale_scope
from empower.admin.messages import translate_error

CASES = [
    ("cin: 'A-1?' is not a valid CIN (expected letters then digits, e.g. AB123456)",
     "CIN « A-1? » invalide", "رقم البطاقة «A-1?» غير صالح"),
    ("cin: AB123456 is already registered (beneficiary #12)",
     "déjà enregistrée (bénéficiaire n° 12)", "مسجل مسبقا (المستفيدة رقم 12)"),
    ("amount: 9000.00 MAD would take grant G-1 above its approved 8000.00 MAD "
     "(2000.00 MAD left to pay)", "reste 2000.00 MAD", "الباقي 2000.00 درهم"),
    ("beneficiary #4 is not enrolled in program AWAL on 2024-03-05",
     "n'est pas inscrite au programme AWAL", "غير مسجلة في البرنامج AWAL"),
    ("grant G-9: cannot approve a cancelled record; cancelled is final",
     "(annulée)", "(ملغاة)"),
]


@pytest.mark.parametrize(("message", "fr", "ar"), CASES)
def test_known_messages_are_translated(message, fr, ar):
    with locale_scope("fr"):
        assert fr in translate_error(message)
    with locale_scope("ar"):
        assert ar in translate_error(message)
    with locale_scope("en"):
        assert translate_error(message) == message


def test_unknown_messages_keep_the_core_wording():
    with locale_scope("ar"):
        assert translate_error("something new: 42") == "something new: 42"
