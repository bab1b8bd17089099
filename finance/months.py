"""Months as the books count them: `YYYY-MM` in, the first day of the month inside."""

import calendar
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MONTH_INVALID = _("A month is written YYYY-MM, for example 2026-11.")
# ASCII digits and nothing after them: `\d` would take "٢٠٢٦-١١", `$` a final newline.
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})\Z")


def parse_month(value: str) -> date:
    """'2026-11' -> date(2026, 11, 1), or ValidationError(code="invalid_month")."""
    match = MONTH_RE.match(value)
    # Up to 9998: pages step to the next month, and date() ends with the year 9999.
    if not match or not (1 <= int(match[2]) <= 12) or not 1900 <= int(match[1]) <= 9998:
        raise ValidationError(MONTH_INVALID, code="invalid_month")
    return date(int(match[1]), int(match[2]), 1)


def month_bounds(month: date) -> tuple[date, date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=1), month.replace(day=last)


def is_past(month: date, *, today: date) -> bool:
    """Whether the month of `month` ended before `today`'s began: its figures may be read
    a little behind (from a replica), where this month's are still being written."""
    return month.replace(day=1) < today.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)
