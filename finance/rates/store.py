"""Writing rates: importing them (from a file or a feed), and asking for the ones a
transaction needs that no source has published yet."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from finance.models import ExchangeRate, ExchangeRateRequest, Transaction
from finance.rates import RateRow, lookup


@dataclass(frozen=True)
class RatesImported:
    total: int
    created: int
    updated: int = 0

    @property
    def replaced(self) -> int:
        return self.total - self.created

    @property
    def unchanged(self) -> int:
        return self.total - self.created - self.updated


# A rate already stored with the same value is left alone (so a second run changes
# nothing, not even imported_at); a corrected one is updated in place. xmax = 0 tells
# an inserted row from an updated one.
_RATES_UPSERT_SQL = """
INSERT INTO finance_exchangerate (date, base, quote, rate, source, imported_at)
SELECT d, b, q, r, %(source)s, %(now)s
FROM unnest(%(dates)s::date[], %(bases)s::varchar[], %(quotes)s::varchar[], %(rates)s::numeric[])
     AS u(d, b, q, r)
ON CONFLICT (base, quote, date, source) DO UPDATE
    SET rate = EXCLUDED.rate, imported_at = EXCLUDED.imported_at
    WHERE finance_exchangerate.rate <> EXCLUDED.rate
RETURNING (xmax = 0)
"""


@transaction.atomic
def exchange_rates_import(
    *, rows: Iterable[RateRow], source: str = ExchangeRate.Source.FILE, batch_size: int = 5000
) -> RatesImported:
    """Upsert rates by (base, quote, date, source): importing the same rates twice changes
    nothing; a rate the source has corrected is updated."""
    unique: dict[tuple[str, str, date], RateRow] = {}
    for row in rows:
        unique[(row.base, row.quote, row.date)] = row
    values = list(unique.values())
    created = updated = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for i in range(0, len(values), batch_size):
            batch = values[i : i + batch_size]
            cursor.execute(
                _RATES_UPSERT_SQL,
                {
                    "source": source,
                    "now": now,
                    "dates": [r.date for r in batch],
                    "bases": [r.base for r in batch],
                    "quotes": [r.quote for r in batch],
                    "rates": [r.rate for r in batch],
                },
            )
            for (inserted,) in cursor.fetchall():
                created += bool(inserted)
                updated += not inserted
    if values:
        _rate_requests_settle()
    return RatesImported(total=len(values), created=created, updated=updated)


def exchange_rate_request(*, base: str, quote: str, on: date) -> bool:
    """Ask for the rate from `base` to `quote` on `on` to be fetched; True if newly asked.

    This only records the request: `fetch_rates`, run by its timer twice a day, fetches
    from the oldest day asked for. No job is deferred per write; the next run answers
    every request at once.
    """
    _, created = ExchangeRateRequest.objects.get_or_create(base=base, quote=quote, date=on)
    return created


def transaction_rate_check(*, tx: Transaction) -> bool:
    """Ask for the rate a transaction in a foreign currency needs, when none is stored."""
    target = tx.ledger.default_currency
    if tx.currency == target:
        return False
    try:
        lookup.exchange_rate(base=tx.currency, quote=target, on=tx.date)
    except ValidationError:
        return exchange_rate_request(base=tx.currency, quote=target, on=tx.date)
    return False


def exchange_rate_requests_drop(*, before: date) -> list[ExchangeRateRequest]:
    """Forget the requests for days before `before` that are still unanswered."""
    _rate_requests_settle()
    dropped = list(ExchangeRateRequest.objects.filter(date__lt=before))
    ExchangeRateRequest.objects.filter(pk__in=[r.pk for r in dropped]).delete()
    return dropped


def _rate_requests_settle() -> int:
    """Forget the requests that the stored rates now answer; return how many."""
    settled = []
    for request in ExchangeRateRequest.objects.all()[:1000]:
        try:
            lookup.exchange_rate(base=request.base, quote=request.quote, on=request.date)
        except ValidationError:
            continue
        settled.append(request.pk)
    ExchangeRateRequest.objects.filter(pk__in=settled).delete()
    return len(settled)
