"""ISO 4217 currencies and their minor units, from py-moneyed's maintained table."""

from decimal import Decimal
from functools import lru_cache

import moneyed
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
