"""ISO 4217 currencies and their minor units, from py-moneyed's maintained table, and
which of them are in use today and where, from CLDR (babel)."""

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

import moneyed
from babel import numbers as cldr
from babel.core import get_global
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UNKNOWN_CURRENCY = _("%(code)s is not an ISO 4217 currency code.")

# Amount columns are NUMERIC(14, 2): two decimal places at most, whatever the
# currency's minor unit (the BHD's three decimals are refused, never rounded), and
# amounts less than 1e12.
MAX_DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal("999999999999.99")


def normalize_code(code: str) -> str:
    """Return the upper-case ISO code, or raise ValidationError(code="unknown_currency")."""
    normalized = code.strip().upper()
    if not is_known(normalized):
        raise ValidationError(UNKNOWN_CURRENCY, code="unknown_currency", params={"code": code})
    return normalized


def validate_code(code: str) -> None:
    """Model field validator: the stored code must already be normalized."""
    if code != code.strip().upper() or not is_known(code):
        raise ValidationError(UNKNOWN_CURRENCY, code="unknown_currency", params={"code": code})


@lru_cache(maxsize=512)
def is_known(code: str) -> bool:
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        return False
    try:
        moneyed.get_currency(code)
    except moneyed.CurrencyDoesNotExist:
        return False
    return True


@lru_cache(maxsize=512)
def decimal_places(code: str) -> int:
    """The currency's minor unit as a number of decimal places (JPY 0, RUB 2), capped at 2."""
    sub_unit = moneyed.get_currency(code).sub_unit
    places = len(str(sub_unit)) - 1 if sub_unit > 1 else 0
    return min(places, MAX_DECIMAL_PLACES)


def quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-decimal_places(code))


def name(code: str, language: str) -> str:
    return str(moneyed.get_currency(code).get_name(language))


def all_codes() -> list[str]:
    return sorted(c.code for c in moneyed.list_all_currencies())


# The codes every list starts with: the project's first users' and the world's most held.
COMMON = ("RUB", "USD", "EUR")


@lru_cache(maxsize=1)
def current_codes() -> list[str]:
    """The currencies legal tender somewhere today, by CLDR's territory data: no peseta
    (ADP), no old rouble (RUR), no gold (XAU) or test code (XTS)."""
    today = datetime.now(UTC).date()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(cldr.get_territory_currencies(territory, today))
    return sorted(code for code in codes if is_known(code))


@lru_cache(maxsize=512)
def territory_currency(territory: str) -> str | None:
    """The main currency of a region (an ISO 3166 code, "RU") today, if it has one."""
    today = datetime.now(UTC).date()
    codes = [c for c in cldr.get_territory_currencies(territory, today) if is_known(c)]
    return codes[0] if codes else None


def choice_codes(first: Iterable[str]) -> list[str]:
    """`first` (known codes, in that order, each once), then every current currency."""
    leading = list(dict.fromkeys(c for c in first if c and is_known(c)))
    return leading + [c for c in current_codes() if c not in leading]
