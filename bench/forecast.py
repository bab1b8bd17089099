"""What the forecast and the suggestions cost beside the monthly summary.

Fills a database of its own (as bench/summary.py does, with its households and their
year of transactions, in steps of 1k and 100k rows), gives the first household eight
recurring rules and a year of a subscription no rule covers, and prints for that
ledger the median time of the month's summary, of the forecast computed from it
(`forecast_for`: the rules still due and three months' variable spending), of both
together (what get_summary does for the current month) and of the suggestions.

    scripts/devservices .venv/bin/python bench/forecast.py [--sizes 1000,100000]
"""

import argparse
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import summary as base

TODAY = date(2026, 11, 20)
RULES = [
    ("housing", "45000", 1, "аренда"),
    ("communication", "600", 25, "интернет"),
    ("subscriptions", "299", 9, "музыка"),
    ("sport", "2500", 3, "зал"),
    ("utilities", "4800", 15, "коммуналка"),
    ("kids", "6000", 5, "кружок"),
    ("car", "3500", 28, "парковка"),
    ("health", "1200", 30, "страховка"),
]


def add_rules_and_a_subscription(user_id: int, ledger_id: int) -> None:
    import time_machine

    from accounts.models import User
    from finance.models import Category, Kind, Transaction
    from finance.services.recurring import When, recurring_create

    user = User.objects.get(pk=user_id)
    with time_machine.travel(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), tick=False):
        for slug, amount, day, note in RULES:
            recurring_create(
                user=user,
                ledger=ledger_id,
                kind=Kind.EXPENSE,
                amount=Decimal(amount),
                currency="RUB",
                category=Category.objects.get(ledger_id=ledger_id, slug=slug),
                when=When(frequency="monthly", day=day),
                note=note,
                source="cli",
            )
    entertainment = Category.objects.get(ledger_id=ledger_id, slug="entertainment")
    Transaction.objects.bulk_create(
        Transaction(
            ledger_id=ledger_id,
            created_by=user,
            paid_by=user,
            kind=Kind.EXPENSE,
            amount=Decimal("799"),
            currency="RUB",
            category=entertainment,
            date=date(2025 + (11 + m) // 12, (11 + m) % 12 + 1, 14),
            note="Netflix",
            source="telegram",
        )
        for m in range(12)
    )


def measure(user_id: int, ledger_id: int, repeat: int) -> dict[str, float]:
    from accounts.models import User
    from finance.selectors.forecast import forecast_for
    from finance.selectors.suggestions import suggestion_list
    from finance.selectors.summary import monthly_summary

    user = User.objects.get(pk=user_id)
    month = TODAY.replace(day=1)
    summary = monthly_summary(user=user, ledger=ledger_id, month=month)
    found = forecast_for(user=user, ledger=ledger_id, summary=summary, today=TODAY)
    assert found is not None and found.recurring_due, "the rules should still be due"
    assert suggestion_list(user=user, ledger=ledger_id, today=TODAY), "a suggestion expected"

    def both() -> object:
        current = monthly_summary(user=user, ledger=ledger_id, month=month)
        return forecast_for(user=user, ledger=ledger_id, summary=current, today=TODAY)

    return {
        "summary": base.median_seconds(
            lambda: monthly_summary(user=user, ledger=ledger_id, month=month), repeat
        ),
        "forecast": base.median_seconds(
            lambda: forecast_for(user=user, ledger=ledger_id, summary=summary, today=TODAY),
            repeat,
        ),
        "both": base.median_seconds(both, repeat),
        "suggestions": base.median_seconds(
            lambda: suggestion_list(user=user, ledger=ledger_id, today=TODAY), repeat
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    url = base.bench_database_url()
    base.create_database(url)
    base.setup_django(url)
    base.add_rates()
    import random

    from django.db import connection

    rng = random.Random(42)
    user_ids: list[int] = []
    rows = 0
    first_ledger = 0
    print(
        f"{'rows':>9} {'ledger rows':>11} {'summary':>10} {'forecast':>10} "
        f"{'both':>10} {'suggestions':>12}"
    )
    for size in sizes:
        new_users = max(1, (size - rows) // base.ROWS_PER_USER)
        started = time.perf_counter()
        ledger_of = base.add_users(new_users, len(user_ids))
        rows += base.add_transactions(ledger_of, rng)
        user_ids += list(ledger_of)
        if not first_ledger:
            first_ledger = ledger_of[user_ids[0]]
            add_rules_and_a_subscription(user_ids[0], first_ledger)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"  (filled to {rows:,} rows in {time.perf_counter() - started:.1f}s)", file=sys.stderr
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM finance_transaction WHERE ledger_id = %s", [first_ledger]
            )
            (ledger_rows,) = cursor.fetchone()
        m = measure(user_ids[0], first_ledger, args.repeat)
        print(
            f"{rows:>9,} {ledger_rows:>11,} {m['summary'] * 1e3:>8.3f}ms "
            f"{m['forecast'] * 1e3:>8.3f}ms {m['both'] * 1e3:>8.3f}ms "
            f"{m['suggestions'] * 1e3:>10.3f}ms"
        )


if __name__ == "__main__":
    main()
