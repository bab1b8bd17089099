"""10,000 daily reminders due at one minute, through the queue, to a local Telegram.

Fills a database of its own (`kopilka_bench_reminders` on the server DATABASE_URL
names) with users whose reminder is due this minute, each in a Telegram chat of their
own, claims them the way the minute's tick does, then runs real `manage.py run_worker`
processes against a stand-in for the Bot API on loopback, which records every message.

1. With the rate cap lifted (TELEGRAM_RATE_PER_SECOND=0): messages a second through the
   queue (goal >= 300 on a 2-core machine) and duplicates (goal: none).
2. With the cap on (25 a second): the most messages the stand-in saw in any one second,
   however the second is cut (never above the cap).

    scripts/devservices --require-redis .venv/bin/python bench/reminders.py \
        [--users 10000] [--capped-users 500] [--workers 2] [--concurrency 8]
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "kopilka_bench_reminders"
TOKEN = "123456:bench-token"
# People in several zones, all due at the same UTC minute (each at their local time).
ZONES = ["Europe/Moscow", "Asia/Vladivostok", "Europe/London", "America/New_York", "UTC"]


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url or not os.environ.get("REDIS_URL"):
        sys.exit("DATABASE_URL and REDIS_URL are not set: run under scripts/devservices")
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))


def create_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
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


def reset(count: int, now: datetime, offset: int) -> None:
    """`count` users due at `now`, with no notifications, jobs or limiter state left."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from accounts.models import User
    from ledgers.models import Ledger, Membership
    from messaging.models import UserContact
    from notifications.models import NotificationSettings
    from notifications.tests.helpers import clear_limits

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_jobs, procrastinate_workers, procrastinate_periodic_defers,"
            " notifications_notification, notifications_notificationsettings CASCADE"
        )
    User.objects.all().delete()
    clear_limits()
    users = User.objects.bulk_create(
        [
            User(username=f"bench{offset + i}", timezone=ZONES[i % len(ZONES)], language="ru")
            for i in range(count)
        ],
        batch_size=2000,
    )
    settings = []
    for user in users:
        local = now.astimezone(ZoneInfo(user.timezone))
        settings.append(
            NotificationSettings(
                user=user,
                daily_reminder=True,
                monthly_report=False,
                token_expiry=False,
                reminder_time=clock(local.hour, local.minute),
            )
        )
    NotificationSettings.objects.bulk_create(settings, batch_size=2000)
    # Each linked their Telegram in the cabinet.
    UserContact.objects.bulk_create(
        [
            UserContact(
                user=user,
                channel="telegram",
                telegram_id=10_000_000 + offset + i,
                chat_id=str(10_000_000 + offset + i),
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    # What user_create gives everyone: a personal ledger, active, the person its owner.
    # Without it each reminder's "anything recorded today?" made one (with the default
    # categories) inside the timed run, ~45 ms of a worker's CPU a message that no real
    # user costs. The categories are left out: a reminder never reads them.
    ledgers = Ledger.objects.bulk_create(
        [
            Ledger(name=u.username, owner=u, default_currency=u.default_currency, personal_for=u)
            for u in users
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(ledger=lg, user=u, role=Membership.Role.OWNER)
            for lg, u in zip(ledgers, users, strict=True)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} u SET active_ledger_id = l.id"
            f" FROM {Ledger._meta.db_table} l WHERE l.personal_for_id = u.id"
        )


def run_workers(
    count: int, concurrency: int, standin_url: str, rate: int
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": standin_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_RATE_PER_SECOND": str(rate),
        "QUEUE_LOG_LEVEL": "WARNING",
        "LOG_LEVEL": "WARNING",
    }
    return [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--until-empty",
                "--concurrency",
                str(concurrency),
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(count)
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def most_in_one_second(times: list[float]) -> int:
    """The most messages in any one-second window, wherever it starts."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(users: int, *, rate: int, workers: int, concurrency: int, offset: int) -> None:
    from notifications import schedule
    from notifications.models import Notification
    from notifications.tests.standin import TelegramStandIn

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    reset(users, now, offset)
    load = os.getloadavg()[0]  # other work on the machine shares its cores
    standin = TelegramStandIn().start()
    try:
        started = time.perf_counter()
        claimed = schedule.schedule_due(now=now)
        claiming = time.perf_counter() - started
        assert claimed == users, (claimed, users)

        started, cpu_before = time.perf_counter(), _children_cpu()
        processes = run_workers(workers, concurrency, standin.url, rate)
        codes = [p.wait() for p in processes]
        wall = time.perf_counter() - started
        worker_cpu = _children_cpu() - cpu_before
        assert codes == [0] * workers, codes
        received = standin.snapshot()
    finally:
        standin.stop()

    chats = Counter(r.chat_id for r in received)
    statuses = Counter(Notification.objects.values_list("status", flat=True))
    times = [r.at for r in received]
    span = max(times) - min(times) if len(times) > 1 else 0.0
    per_calendar_second = max(Counter(int(t) for t in times).values())
    cap = f"{rate}/s cap" if rate else "no rate cap"
    print(f"\n{users} reminders due at {now:%H:%M} UTC, {workers} workers x {concurrency}, {cap}")
    print(f"  claimed and queued by the minute's tick: {claiming:.2f} s")
    print(f"  messages received: {len(received)}, chats: {len(chats)}, statuses: {dict(statuses)}")
    print(f"  duplicates: {len(received) - len(chats)}")
    print(
        f"  first to last message: {span:.1f} s = {len(received) / span:.0f} messages/s"
        if span
        else "  one message"
    )
    print(f"  workers' wall time (start-up included): {wall:.1f} s")
    print(
        f"  workers' CPU time: {worker_cpu:.1f} s = {len(received) / worker_cpu:.0f} messages"
        f" per CPU second (load average before: {load:.1f})"
    )
    print(
        f"  most in any one second: {most_in_one_second(times)}"
        f" (in a calendar second: {per_calendar_second})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--capped-users", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    url = bench_database_url()
    create_database(url)
    setup_django(url)
    print(f"bench/reminders.py on {os.cpu_count()} cores")
    run(args.users, rate=0, workers=args.workers, concurrency=args.concurrency, offset=0)
    run(
        args.capped_users,
        rate=25,
        workers=args.workers,
        concurrency=args.concurrency,
        offset=args.users,
    )


if __name__ == "__main__":
    main()
