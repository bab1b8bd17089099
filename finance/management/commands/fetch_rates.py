from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from finance.models import ExchangeRate
from finance.rates import feeds
from finance.rates.lookup import exchange_rate_request_oldest
from finance.rates.store import exchange_rate_requests_drop, exchange_rates_import


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Fetch the ECB's and the Bank of Russia's reference rates; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", choices=sorted(feeds.FEEDS), help="One source (default: both)."
        )
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--date", type=_day, help="The rates in force on this day.")
        when.add_argument("--since", type=_day, help="Every day from this one to today.")
        parser.add_argument(
            "--url", help="Read this URL or file instead of the source's own (needs --source)."
        )

    def handle(self, *args: Any, **options: Any) -> str:
        if options["url"] and not options["source"]:
            raise CommandError("--url needs --source (ecb or cbr)")
        today = timezone.localdate()
        on, since = options["date"], options["since"]
        if (on and on > today) or (since and since > today):
            raise CommandError("the date is in the future")
        chasing = False
        if on is None and since is None and not options["url"]:
            # Rates asked for by transactions recorded before they were published.
            since = exchange_rate_request_oldest(before=today)
            if since is not None:
                chasing = True
                since = max(since, date.fromordinal(today.toordinal() - feeds.CBR_MAX_DAYS + 1))
        names = [options["source"]] if options["source"] else sorted(feeds.FEEDS)
        lines, failures = [], []
        for name in names:
            try:
                # The whole feed is read and checked before anything is written.
                rows = feeds.fetch(name, url=options["url"], on=on, since=since, today=today)
            except feeds.FeedError as e:
                failures.append(str(e))
                continue
            result = exchange_rates_import(rows=rows, source=ExchangeRate.Source(name))
            span = (
                f" from {min(r.date for r in rows)} to {max(r.date for r in rows)}" if rows else ""
            )
            lines.append(
                f"{name}: {result.total} rates{span}: {result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        if failures:
            for line in lines:
                self.stdout.write(line)
            raise CommandError("; ".join(failures))
        if chasing:
            # Both sources were read back to the oldest request: what is still missing is
            # published by neither, and asking again tomorrow would only repeat the fetch.
            dropped = exchange_rate_requests_drop(before=today)
            if dropped:
                named = ", ".join(f"{r.base}/{r.quote} {r.date}" for r in dropped)
                lines.append(f"Published by neither source, no longer asked for: {named}.")
        return "\n".join(lines)
