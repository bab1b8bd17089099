"""Reading stored rates: one rate, or the SQL that finds one, for the summaries to join."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from finance.models import ExchangeRateRequest

RATE_MISSING = _("No exchange rate from %(base)s to %(quote)s on or before %(date)s.")


class MissingExchangeRate(ValidationError):
    def __init__(self, base: str, quote: str, on: date) -> None:
        self.base, self.quote, self.on = base, quote, on
        super().__init__(
            RATE_MISSING,
            code="exchange_rate_missing",
            params={"base": base, "quote": quote, "date": on.isoformat()},
        )


# "The latest rate on or before a day": stored directly, stored the other way round,
# or crossed through a pivot currency: the ECB publishes everything against EUR
# (EUR -> X), the Bank of Russia everything in roubles (X -> RUB). Two sources may hold
# the same pair on the same day; the tie is broken by source name, so it is stable,
# and in the unique index's order read backwards, so it costs no sort.
_LATEST = (
    "(SELECT r.rate FROM finance_exchangerate r"
    " WHERE r.base = {base} AND r.quote = {quote} AND r.date <= {day}"
    " ORDER BY r.date DESC, r.source DESC LIMIT 1)"
)


def rate_sql(base: str, quote: str, day: str, pivots: Sequence[str]) -> str:
    """SQL for the rate from `base` to `quote` on `day` (each an SQL expression), or NULL."""

    def latest(b: str, q: str) -> str:
        return _LATEST.format(base=b, quote=q, day=day)

    terms = [latest(base, quote), f"1 / {latest(quote, base)}"]
    for p in pivots:
        # One quotient per way the two legs may be stored, so no inverse is rounded
        # before it is multiplied.
        terms += [
            f"{latest(p, quote)} / {latest(p, base)}",
            f"{latest(base, p)} / {latest(quote, p)}",
            f"{latest(base, p)} * {latest(p, quote)}",
            f"1 / ({latest(p, base)} * {latest(quote, p)})",
        ]
    return f"COALESCE({', '.join(terms)})"


def rate_pivots() -> tuple[str, str]:
    """The two pivot currencies the rate SQL crosses through (one, given twice, if so set)."""
    pivots = list(settings.EXCHANGE_RATE_PIVOTS)
    return (pivots[0], pivots[-1])


def exchange_rate(*, base: str, quote: str, on: date) -> Decimal:
    """The rate converting one `base` into `quote` on `on`, or MissingExchangeRate."""
    if base == quote:
        return Decimal(1)
    sql = "SELECT " + rate_sql("%(base)s", "%(quote)s", "%(on)s", ["%(p1)s", "%(p2)s"])
    p1, p2 = rate_pivots()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"base": base, "quote": quote, "on": on, "p1": p1, "p2": p2})
        (rate,) = cursor.fetchone()
    if rate is None:
        raise MissingExchangeRate(base, quote, on)
    return Decimal(rate)


def exchange_rate_request_oldest(*, before: date) -> date | None:
    """The oldest day before `before` a transaction asked a rate for, if any."""
    oldest: date | None = (
        ExchangeRateRequest.objects.filter(date__lt=before)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return oldest
