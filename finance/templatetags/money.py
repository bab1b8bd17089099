"""`{{ amount|money }}`: an amount grouped and punctuated in the reader's language."""

from decimal import Decimal

from babel.numbers import format_decimal
from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    if value is None or value == "":
        return ""
    # 120000.5 -> "120 000,50" (ru) or "120,000.50" (en); always two places, like the ledger.
    return format_decimal(Decimal(value), format="#,##0.00", locale=get_language() or "ru")
