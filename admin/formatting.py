"""Locale-aware display of dates, amounts and vocabulary values (Babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from .compat import current_locale, gettext

__all__ = ["BABEL_LOCALES", "fmt_date", "fmt_datetime", "fmt_mad", "fmt_number", "label"]

# Moroccan variants: French and Arabic as written in Morocco (Latin digits in ar_MA).
BABEL_LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_GB"}


@lru_cache(maxsize=8)
def _locale_object(code: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(code, "fr_MA"))


def _babel() -> Locale:
    return _locale_object(current_locale())


@lru_cache(maxsize=50_000)
def _date(value: date, code: str) -> str:
    # A list page formats dozens of dates; Babel takes ~25 µs each, a cache hit ~0.1 µs.
    return format_date(value, format="medium", locale=_locale_object(code))


def fmt_date(value: date | None) -> str:
    """``12 mars 2025`` / ``12‏/03‏/2025`` / ``12 Mar 2025``."""
    if value is None:
        return ""
    return _date(value, current_locale())


def fmt_datetime(value: datetime | None) -> str:
    """A UTC timestamp, shown in UTC (the panel's users share one time zone; we say so)."""
    if value is None:
        return ""
    return format_datetime(value, format="short", tzinfo=None, locale=_babel()) + " UTC"


def fmt_mad(centimes: int | None) -> str:
    """Integer centimes as MAD with two decimals in the user's locale (``12 500,00 MAD``)."""
    if centimes is None:
        return ""
    amount = Decimal(centimes) / 100
    return format_currency(amount, "MAD", format="#,##0.00\u00a0¤", locale=_babel(),
                           currency_digits=False)


def fmt_number(value: Any) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=_babel())


def label(value: Any, context: str = "") -> str:
    """A vocabulary value (``rural``, ``bank_transfer``) in the user's language.

    ``context`` names what the value describes when a language says it differently there
    (French agrees ``approuvée`` with a grant and ``approuvé`` with a batch): the catalog's
    ``context:value`` when it has one, else the value's own entry."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if context:
        key = f"{context}:{value}"
        said = gettext(key)
        if said != key:
            return said
    return gettext(str(value))
