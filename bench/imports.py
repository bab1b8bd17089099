"""How fast are the bank-statement readers? Rows per second per format.

Makes a file of each format with N operations (finance/tests/statement_files.py: the
same makers the tests use; default 100,000), then reads it with `read_statement` as an
import's preview will: format detection, decoding, every row checked and fingerprinted.
Prints the file's size, the wall-clock and CPU seconds (best of --rounds) and rows per
second, with the machine's load average: the wall clock of a shared machine is the CPU
time stretched by its load, so both are shown. This part needs no database.

Then, under scripts/devservices (DATABASE_URL set), the whole import end to end in a
database of its own (`kopilka_bench_imports`, made afresh): a person whose ledger already
holds a purchase for every 100th operation of the statement (typed, so the statement's
rows for them are to be matched) and a year of other spending, uploads a T-Bank CSV of
--rows operations; the preview job reads it (progress told to the page every
PROGRESS_EVERY rows), files every row under a category and matches it; the commit job
records it. Prints each step's wall-clock seconds, the rows marked as already recorded,
and the total against the 30 s budget.

    .venv/bin/python bench/imports.py [--rows 100000] [--formats tbank_csv,ofx1] [--rounds 1]
    scripts/devservices .venv/bin/python bench/imports.py [--skip-readers] [--e2e-format tbank_csv]
"""

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from finance.readers.statements import read_statement
from finance.tests import statement_files

BUDGET = 30.0  # seconds for a 100,000-row preview, categorising and matching included
BENCH_DB = "kopilka_bench_imports"
MATCH_EVERY = 100  # a purchase of the statement already in the ledger, every this many


def measure(content: bytes, rounds: int) -> tuple[float, float, int]:
    best_wall = best_cpu = float("inf")
    rows = 0
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        statement = read_statement(content, default_currency="RUB", max_bytes=len(content))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        rows = len(statement.rows) + len(statement.left_out)
    return best_wall, best_cpu, rows


def readers(args: argparse.Namespace) -> None:
    # Warm the one-time costs (the MCC table, the currency list) outside the timings.
    read_statement(statement_files.tbank_csv(5), default_currency="RUB", max_bytes=10**6)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} operations per file; load average {load} on {os.cpu_count()} CPUs")
    print(
        f"{'format':<10} {'MB':>6} {'wall s':>7} {'cpu s':>7} {'rows/s':>9} {'rows/s cpu':>10} {'of 30 s':>8}"
    )
    for name in args.formats.split(","):
        content = statement_files.MAKERS[name](args.rows)
        wall, cpu, rows = measure(content, args.rounds)
        assert rows == args.rows, (name, rows)
        print(
            f"{name:<10} {len(content) / 1e6:>6.1f} {wall:>7.2f} {cpu:>7.2f} "
            f"{rows / wall:>9,.0f} {rows / cpu:>10,.0f} {cpu / BUDGET:>8.0%}"
        )


def database(url: str) -> str:
    """A fresh, migrated database for the bench beside the one DATABASE_URL names."""
    import psycopg

    bench = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = bench
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return bench


def seed(content: bytes) -> int:
    """The person, their ledger, and what it holds before the import: every MATCH_EVERY-th
    purchase of the statement typed (same day and amount), and a year of other spending.
    Returns the person's id."""
    from accounts.services import user_create
    from finance.models import Category, Transaction
    from finance.services.books import ledger_personal

    user = user_create(username="bench", password=None, default_currency="RUB", source="bench")
    ledger = ledger_personal(user=user, activate=True)
    categories = {c.slug: c for c in Category.objects.filter(ledger=ledger)}
    statement = read_statement(content, default_currency="RUB", max_bytes=len(content))
    purchases = [r for r in statement.rows if r.kind.value == "expense"]
    typed = [
        Transaction(
            ledger=ledger, created_by=user, paid_by=user, kind="expense", amount=r.amount,
            currency="RUB", category=categories["other"], date=r.date, source="bot",
        )
        for r in purchases[::MATCH_EVERY]
    ]  # fmt: skip
    other = [
        Transaction(
            ledger=ledger, created_by=user, paid_by=user, kind="expense",
            amount=Decimal(100 + n % 997), currency="RUB", category=categories["cafe"],
            date=date(2026, 1 + n % 12, 1 + n % 28), source="bot",
        )
        for n in range(3_000)
    ]  # fmt: skip
    Transaction.objects.bulk_create(typed + other, batch_size=2_000)
    return user.pk


class Clocks:
    """Each step's wall-clock seconds, this process's CPU seconds, and PostgreSQL's: the
    server under scripts/devservices is this worktree's own, so the CPU of all its
    processes (the postmaster's children, the ended ones counted in its cutime) is the
    database's share of the work."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory')")
            (data_directory,) = cursor.fetchone() or ("",)
        pid_file = Path(data_directory) / "postmaster.pid"
        self.postmaster = int(pid_file.read_text().split()[0]) if pid_file.exists() else 0
        self.steps: list[tuple[str, float, float, float]] = []

    def server_cpu(self) -> float:
        if not self.postmaster:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, parent = int(entry.name), int(fields[1])
            if pid == self.postmaster:
                total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            elif parent == self.postmaster:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu, db = time.perf_counter(), time.process_time(), self.server_cpu()
        yield
        self.steps.append(
            (
                name,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                self.server_cpu() - db,
            )
        )


def end_to_end(rows: int, fmt: str) -> None:
    from django.test import override_settings

    from accounts.models import User
    from finance.data.statements.commit import statement_commit
    from finance.data.statements.preview import statement_upload
    from finance.models import StatementImport, StatementImportRow, Transaction
    from finance.tasks import statement_commit_job, statement_preview_job

    content = statement_files.MAKERS[fmt](rows)
    user = User.objects.get(pk=seed(content))
    before = Transaction.objects.count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nEnd to end: a {fmt} of {rows:,} operations ({len(content) / 1e6:.1f} MB) into a")
    print(f"ledger of {before:,} transactions; load average {load}")
    clocks = Clocks()
    # The size past which the page polls a queue job: here every file is a big one, and
    # the jobs run in this process as the worker would run them.
    with override_settings(IMPORT_SYNC_MAX_BYTES=0):
        with clocks.step("upload (detect, store)"):
            batch = statement_upload(user=user, content=content, filename=f"bench.{fmt}")
        with clocks.step("preview job (read, file, match)"):
            assert statement_preview_job(import_id=batch.pk) == "ready"
        marked_count = StatementImportRow.objects.filter(
            batch=batch, duplicate_of__isnull=False
        ).count()
        with clocks.step("commit job (record, capture)"):
            batch = statement_commit(user=user, batch=batch, source="web")
            assert statement_commit_job(import_id=batch.pk, source="web") == "done"
    batch = StatementImport.objects.get(pk=batch.pk)
    print(f"  {'step':<34} {'wall s':>7} {'cpu s':>7} {'db cpu s':>8}")
    for name, wall, cpu, db in clocks.steps:
        print(f"  {name:<34} {wall:>7.2f} {cpu:>7.2f} {db:>8.2f}")
    wall = sum(w for _n, w, _c, _d in clocks.steps)
    cpu = sum(c for _n, _w, c, _d in clocks.steps)
    db = sum(d for _n, _w, _c, d in clocks.steps)
    print(f"  {'total':<34} {wall:>7.2f} {cpu:>7.2f} {db:>8.2f}")
    print(
        f"  CPU seconds, this process and PostgreSQL's: {cpu + db:.2f} "
        f"({(cpu + db) / BUDGET:.0%} of {BUDGET:.0f} s); the wall clock is that stretched "
        "by the machine's load"
    )
    print(
        f"  rows {batch.total:,}, left out by the bank {batch.left_out:,}, marked as already"
        f" recorded {marked_count:,}; imported {batch.imported:,}, matched {batch.matched:,}"
    )
    print(f"  transactions after: {Transaction.objects.count():,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(statement_files.MAKERS))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-readers", action="store_true")
    parser.add_argument("--e2e-format", default="tbank_csv", choices=list(statement_files.MAKERS))
    args = parser.parse_args()
    if not args.skip_readers:
        readers(args)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("\nEnd to end: skipped, DATABASE_URL is not set (run under scripts/devservices)")
        return
    database(url)
    end_to_end(args.rows, args.e2e_format)


if __name__ == "__main__":
    main()
