"""The summary mix on the primary alone, with a streaming replica taking the heavy reads,
and through PgBouncer in transaction mode, side by side in one run (and a fourth column:
psycopg's pool in the process, DATABASE_POOL_MAX_SIZE).

Fills a database of its own (`kopilka_bench_topology`) with households of two and a year
of their transactions (bench/summary.py's data), waits for the replica to have it, then
runs the same mix in a child process per set-up, each configured by the environment as a
deployment would be (DATABASE_URL, DATABASE_REPLICA_URL, DATABASE_POOLING,
DATABASE_POOL_MAX_SIZE). A visit, by several clients (threads) at once for a fixed time:
record an expense, this month's summary (the primary), last month's summary and the
12-month chart (the heavy reads: `core.db.heavy_reads()`). Prints each step's median and
95th percentile, visits per second, and where the heavy reads went.

scripts/devservices starts the replica and PgBouncer beside its PostgreSQL:

    scripts/devservices .venv/bin/python bench/topology.py [--rows 100000] [--seconds 12]

On servers of your own: DATABASE_URL (a superuser's, to create the database),
--replica-url and --pgbouncer-url (the same servers; the database's name is replaced).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import summary as data  # noqa: E402  (bench/summary.py: the same households)

BENCH_DB = "kopilka_bench_topology"
STEPS = {
    "record": "record an expense",
    "this_month": "this month's summary",
    "last_month": "last month's summary *",
    "chart": "the 12-month chart *",
}
SETUPS = {
    "primary": "primary alone",
    "replica": "+ replica",
    "pgbouncer": "PgBouncer",
    "pool": "psycopg pool",
}


def on_database(url: str, name: str = BENCH_DB) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def create_database(url: str) -> None:
    import psycopg

    with psycopg.connect(on_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def wait_for_replica(primary: str, replica: str) -> None:
    """Until the replica has replayed what the primary wrote (the whole fill)."""
    import psycopg

    with psycopg.connect(primary, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        assert row is not None
    with psycopg.connect(on_database(replica, "postgres"), autocommit=True) as conn:
        deadline = time.monotonic() + 300
        while True:
            done = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]
            ).fetchone()
            if done and done[0]:
                return
            if time.monotonic() > deadline:
                sys.exit("the replica did not catch up in 5 minutes")
            time.sleep(0.1)


def fill(url: str, rows: int) -> list[int]:
    """The bench database with `rows` transactions; returns the users' ids."""
    create_database(url)
    data.setup_django(on_database(url))
    data.add_rates()
    ledger_of = data.add_users(max(2, rows // data.ROWS_PER_USER), 0)
    written = data.add_transactions(ledger_of, random.Random(42))
    print(f"  ({written:,} transactions, {len(ledger_of)} people)", file=sys.stderr)
    return list(ledger_of)


# --- one set-up, in a child process -------------------------------------------------


def visit(user: Any, rng: random.Random, times: dict[str, list[float]], went: list[str]) -> None:
    from django.db import close_old_connections

    from core import db
    from finance.models import Category
    from finance.months import add_months
    from finance.selectors.summary import monthly_summary
    from finance.selectors.totals import monthly_totals
    from finance.services.transactions import transaction_create

    def timed(step: str, call: Callable[[], object]) -> None:
        started = time.perf_counter()
        call()
        times[step].append(time.perf_counter() - started)

    category = Category.objects.get(ledger_id=user.active_ledger_id, slug="cafe")
    day = data.MONTH + timedelta(days=rng.randrange(28))
    amount = Decimal(rng.randrange(100, 2000))
    timed(
        "record",
        lambda: transaction_create(
            user=user,
            kind="expense",
            amount=amount,
            currency="RUB",
            category=category,
            date=day,
            source="bot",
        ),
    )
    timed("this_month", lambda: monthly_summary(user=user, month=data.MONTH, using=db.PRIMARY))
    using = db.heavy_reads()
    went.append(using)
    last = add_months(data.MONTH, -1)
    timed("last_month", lambda: monthly_summary(user=user, month=last, using=using))
    timed("chart", lambda: monthly_totals(user=user, last_month=data.MONTH, using=using))
    close_old_connections()  # the end of a request: a connection kept, or back to the pool


def run_setup(user_ids: list[int], clients: int, seconds: float) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    django.setup()
    from django.db import connections

    from accounts.models import User

    users = list(User.objects.filter(pk__in=user_ids))
    # This thread's connection back (to the pool, where there is one): the clients need it.
    connections.close_all()
    times: dict[str, list[float]] = {step: [] for step in STEPS}
    went: list[str] = []
    visits = [0] * clients
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(index: int) -> None:
        rng = random.Random(index)
        warm: dict[str, list[float]] = {step: [] for step in STEPS}
        try:
            for _ in range(10):  # connections, prepared statements, the parser's tables
                visit(rng.choice(users), rng, warm, [])
            start.wait()
            while not stop.is_set():
                visit(rng.choice(users), rng, times, went)
                visits[index] += 1
        except BaseException:
            start.abort()  # the run stops rather than wait for this client
            raise
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "visits": sum(visits),
        "elapsed": time.perf_counter() - began,
        "times": times,
        "on_replica": went.count("replica"),
        "heavy": len(went),
    }


# --- the run -------------------------------------------------------------------------


def child(setup: str, env: dict[str, str], args: argparse.Namespace, users: list[int]) -> Any:
    command = [
        sys.executable,
        __file__,
        "--setup",
        setup,
        "--clients",
        str(args.clients),
        "--seconds",
        str(args.seconds / args.rounds),
        "--users",
        ",".join(map(str, users)),
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    result = subprocess.run(
        command, env={**environment, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{setup}: {result.stderr}")
    return json.loads(result.stdout)


def summed(parts: list[Any]) -> dict[str, Any]:
    """One set-up's rounds together: visits a second, each step's median and 95th
    percentile, the share of heavy reads the replica took."""
    times: dict[str, list[float]] = {step: [] for step in STEPS}
    for part in parts:
        for step in STEPS:
            times[step] += part["times"][step]
    return {
        "visits_per_second": sum(p["visits"] for p in parts) / sum(p["elapsed"] for p in parts),
        "steps": {
            step: {
                "median": statistics.median(values),
                "p95": statistics.quantiles(values, n=20)[-1],
            }
            for step, values in times.items()
        },
        "on_replica": sum(p["on_replica"] for p in parts) / sum(p["heavy"] for p in parts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=12, help="per set-up, in all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--replica-url", default=os.environ.get("DEVDB_REPLICA_URL", ""))
    parser.add_argument("--pgbouncer-url", default=os.environ.get("DEVDB_PGBOUNCER_URL", ""))
    parser.add_argument("--setup", choices=SETUPS, help=argparse.SUPPRESS)
    parser.add_argument("--users", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup:
        users = [int(pk) for pk in args.users.split(",")]
        print(json.dumps(run_setup(users, args.clients, args.seconds)))
        return
    primary = os.environ.get("DATABASE_URL", "")
    if not (primary and args.replica_url and args.pgbouncer_url):
        sys.exit("DATABASE_URL, a replica and a PgBouncer: run under scripts/devservices")
    users = fill(primary, args.rows)
    wait_for_replica(primary, args.replica_url)
    setups = {
        "primary": {"DATABASE_URL": on_database(primary)},
        "replica": {
            "DATABASE_URL": on_database(primary),
            "DATABASE_REPLICA_URL": on_database(args.replica_url),
        },
        "pgbouncer": {
            "DATABASE_URL": on_database(args.pgbouncer_url),
            "DATABASE_POOLING": "transaction",
        },
        "pool": {
            "DATABASE_URL": on_database(primary),
            "DATABASE_POOL_MAX_SIZE": str(args.clients),
        },
    }
    # In alternating rounds, so that whatever else the machine does at one moment weighs
    # on every set-up alike.
    runs: dict[str, list[Any]] = {setup: [] for setup in setups}
    for round_ in range(args.rounds):
        for setup, env in setups.items():
            print(f"  (round {round_ + 1}: {SETUPS[setup]})", file=sys.stderr)
            runs[setup].append(child(setup, env, args, users))
    results = {setup: summed(parts) for setup, parts in runs.items()}

    width = 24
    print(
        f"{args.rows:,} transactions, {args.clients} clients, "
        f"{args.rounds} rounds of {args.seconds / args.rounds:g}s each"
    )
    print(" " * width + "".join(f"{SETUPS[s]:>16}" for s in results))
    print(
        f"{'visits a second':<{width}}"
        + "".join(f"{r['visits_per_second']:>16.1f}" for r in results.values())
    )
    for step, label in STEPS.items():
        cells = [
            f"{r['steps'][step]['median'] * 1e3:.2f}/{r['steps'][step]['p95'] * 1e3:.2f}"
            for r in results.values()
        ]
        print(f"{label:<{width}}" + "".join(f"{c:>16}" for c in cells))
    print(
        f"{'* read on the replica':<{width}}"
        + "".join(f"{r['on_replica']:>16.0%}" for r in results.values())
    )
    print("(ms: median/95th percentile of each step of a visit)")


if __name__ == "__main__":
    main()
