"""The language an API answers in, and amounts and dates as a person reads them in it."""

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, get_currency_symbol
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def request_language(request: HttpRequest, default: str) -> str:
    """The first language of the client's Accept-Language that Kopilka speaks, else
    `default` (the caller's own). A client asking only for languages we lack gets the
    person's language, not the site's."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return default


def _language() -> str:
    return translation.get_language() or "ru"


def money_text(amount: Decimal, currency: str) -> str:
    """3200 RUB -> "3 200,00 ₽" (ru), "3,200.00 ₽" (en): grouped and with the decimal mark
    of the active language, and the currency's sign where it has one (else its code)."""
    language = _language()
    number = format_decimal(amount, format="#,##0.00", locale=language)
    return f"{number} {get_currency_symbol(currency, locale=language)}"


def day_text(day: date, today: date | None = None) -> str:
    """2026-11-24 -> "24 ноября" (ru), "24 November" (en); with the year when it is not
    `today`'s year (or when there is no `today`)."""
    pattern = "d MMMM" if today is not None and day.year == today.year else "d MMMM y"
    return format_date(day, pattern, locale=_language())


def month_text(month: date) -> str:
    """2026-11 -> "ноябрь 2026" (ru), "November 2026" (en)."""
    return format_date(month, "LLLL y", locale=_language())
