"""How fast is the monthly summary as the transactions table grows?

Fills a database of its own (`kopilka_bench` on the server DATABASE_URL names) with
households of two: each pair of users keeps one ledger, into which each of them records
a year of realistic transactions, in steps of 1k, 100k and 1M rows in all. At each size
it prints the median time of `monthly_summary` for one ledger-month (its members'
breakdown included) next to the bare SQL aggregate over the same rows, measured in the
same run: called with the ledger's id (so with its access check) and, as the doors call
it, with the membership the request has already read ("as read").

    scripts/devservices .venv/bin/python bench/summary.py [--sizes 1000,100000,1000000]
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS_PER_USER = 1000  # about three a day for a year
YEAR_START = date(2025, 12, 1)
MONTH = date(2026, 11, 1)
BENCH_DB = "kopilka_bench"

# (category slug, share of expense rows, typical amount in RUB)
SPENDING = [
    ("groceries", 0.30, 900),
    ("cafe", 0.22, 450),
    ("transport", 0.16, 380),
    ("car", 0.05, 2500),
    ("health", 0.04, 900),
    ("entertainment", 0.05, 1200),
    ("subscriptions", 0.03, 400),
    ("clothing", 0.03, 3500),
    ("home", 0.03, 2000),
    ("communication", 0.02, 650),
    ("beauty", 0.02, 1800),
    ("utilities", 0.02, 4500),
    ("other", 0.03, 800),
]


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run under scripts/devservices")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def create_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if exists:
            conn.execute(f"DROP DATABASE {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def add_users(count: int, offset: int) -> dict[int, int]:
    """`count` users in households of two; returns each user's household ledger id."""
    from accounts.models import User
    from finance.services.books import ledger_personal
    from ledgers.models import Membership

    users = User.objects.bulk_create(
        User(username=f"bench{offset + i}", password="!") for i in range(max(2, count))
    )
    ledger_of: dict[int, int] = {}
    for first, second in zip(users[::2], users[1::2], strict=False):
        ledger = ledger_personal(user=first, activate=True)
        Membership.objects.create(ledger=ledger, user=second, role=Membership.Role.MEMBER)
        User.objects.filter(pk=second.pk).update(active_ledger=ledger)
        ledger_of[first.pk] = ledger_of[second.pk] = ledger.pk
    return ledger_of


def add_transactions(ledger_of: dict[int, int], rng: random.Random) -> int:
    """COPY a year of transactions for each user into their household's ledger; returns
    the rows written."""
    from django.db import connection

    from finance.models import Category

    categories = {
        (ledger_id, slug): pk
        for ledger_id, slug, pk in Category.objects.filter(
            ledger_id__in=set(ledger_of.values())
        ).values_list("ledger_id", "slug", "pk")
    }
    slugs = [s for s, _, _ in SPENDING]
    weights = [w for _, w, _ in SPENDING]
    typical = {s: a for s, _, a in SPENDING}
    written = 0
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY finance_transaction (ledger_id, created_by_id, paid_by_id, kind, amount,"
            " currency, category_id, date, note, text, source, created_at) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for user_id, ledger_id in ledger_of.items():
                for month in range(12):
                    for half in (5, 20):  # salary, twice a month
                        day = date(2025 + (11 + month) // 12, (11 + month) % 12 + 1, half)
                        copy.write_row(
                            (
                                ledger_id,
                                user_id,
                                user_id,
                                "income",
                                Decimal(60000),
                                "RUB",
                                categories[(ledger_id, "salary")],
                                day,
                                "зарплата",
                                "",
                                "bot",
                                day,
                            )
                        )
                        written += 1
                for _ in range(ROWS_PER_USER - 24):
                    slug = rng.choices(slugs, weights)[0]
                    day = YEAR_START + timedelta(days=rng.randrange(365))
                    currency = rng.choices(["RUB", "USD", "EUR"], [0.9, 0.07, 0.03])[0]
                    amount = Decimal(typical[slug] * rng.lognormvariate(0, 0.6)).quantize(
                        Decimal("0.01")
                    )
                    if currency != "RUB":
                        amount = (amount / 95).quantize(Decimal("0.01")) or Decimal("1.00")
                    copy.write_row(
                        (
                            ledger_id,
                            user_id,
                            user_id,
                            "expense",
                            amount,
                            currency,
                            categories[(ledger_id, slug)],
                            day,
                            slug,
                            f"{slug} {amount}",
                            "telegram",
                            day,
                        )
                    )
                    written += 1
        cursor.execute(
            "INSERT INTO finance_budgetitem"
            " (ledger_id, month, category_id, planned_amount, currency, created_at, updated_at)"
            " SELECT c.ledger_id, %s, c.id, 10000, 'RUB', now(), now() FROM finance_category c"
            " WHERE c.ledger_id = ANY(%s) AND c.slug IN ('groceries', 'cafe', 'transport')",
            [MONTH, list(set(ledger_of.values()))],
        )
        cursor.execute("ANALYZE")
    return written


def add_rates() -> None:
    from finance.rates import RateRow
    from finance.rates.store import exchange_rates_import

    days = [YEAR_START - timedelta(days=7) + timedelta(days=i) for i in range(380)]
    exchange_rates_import(
        rows=[RateRow(d, "USD", "RUB", Decimal("92.5")) for d in days]
        + [RateRow(d, "EUR", "RUB", Decimal("100.25")) for d in days]
        + [RateRow(d, "EUR", "USD", Decimal("1.0838")) for d in days]
    )


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    return medians_in_turns({"call": call}, repeat)["call"]


def medians_in_turns(calls: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median time of each call. The calls take turns, one round of each at a time,
    so that a machine whose load changes during the run weighs on all of them alike
    (timed one after another, the bare SQL and the summary each met a different load)."""
    for _ in range(20):
        for call in calls.values():
            call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


BARE_SQL = """
SELECT category_id, SUM(amount) FROM finance_transaction
WHERE ledger_id = %s AND date >= %s AND date <= %s GROUP BY category_id
"""


def measure(user_id: int, ledger_id: int, repeat: int) -> dict[str, float]:
    from django.db import connection

    from accounts.models import User
    from finance.months import month_bounds
    from finance.selectors.summary import monthly_summary
    from ledgers.access import member_of

    user = User.objects.get(pk=user_id)
    member = member_of(user=user, ledger=ledger_id)
    start, end = month_bounds(MONTH)

    def bare() -> object:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, [ledger_id, start, end])
            return cursor.fetchall()

    return medians_in_turns(
        {
            "bare": bare,
            "summary": lambda: monthly_summary(user=user, ledger=ledger_id, month=MONTH),
            "as_read": lambda: monthly_summary(user=user, ledger=member, month=MONTH),
            "summary_usd": lambda: monthly_summary(
                user=user, ledger=ledger_id, month=MONTH, currency="USD"
            ),
        },
        repeat,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    url = bench_database_url()
    create_database(url)
    setup_django(url)
    add_rates()
    from django.db import connection

    rng = random.Random(42)
    user_ids: list[int] = []
    first_ledger = 0
    sized: list[int] = []
    rows = 0
    results = []
    print(
        f"{'rows':>9} {'users':>6} {'month rows':>10} {'bare SQL':>10} {'summary':>10} "
        f"{'ratio':>6} {'as read':>10} {'ratio':>6} {'in USD':>10} {'ratio':>6}"
    )
    for size in sizes:
        new_users = max(1, (size - rows) // ROWS_PER_USER)
        started = time.perf_counter()
        ledger_of = add_users(new_users, len(user_ids))
        rows += add_transactions(ledger_of, rng)
        user_ids += list(ledger_of)
        ledger_id = first_ledger = first_ledger or ledger_of[user_ids[0]]
        print(
            f"  (filled to {rows:,} rows in {time.perf_counter() - started:.1f}s)", file=sys.stderr
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM finance_transaction WHERE ledger_id = %s AND date >= %s"
                " AND date < %s",
                [ledger_id, MONTH, MONTH + timedelta(days=31)],
            )
            (month_rows,) = cursor.fetchone()
        m = measure(user_ids[0], ledger_id, args.repeat)
        results.append(m)
        sized.append(rows)
        print(
            f"{rows:>9,} {len(user_ids):>6} {month_rows:>10} {m['bare'] * 1e3:>8.3f}ms "
            f"{m['summary'] * 1e3:>8.3f}ms {m['summary'] / m['bare']:>5.2f}x "
            f"{m['as_read'] * 1e3:>8.3f}ms {m['as_read'] / m['bare']:>5.2f}x "
            f"{m['summary_usd'] * 1e3:>8.3f}ms {m['summary_usd'] / m['bare']:>5.2f}x"
        )
    first, last = results[0], results[-1]
    print(
        f"summary at {rows:,} rows vs at {sized[0]:,}: {last['summary'] / first['summary']:.2f}x "
        f"(as read: {last['as_read'] / first['as_read']:.2f}x, "
        f"in USD: {last['summary_usd'] / first['summary_usd']:.2f}x)"
    )


if __name__ == "__main__":
    main()
