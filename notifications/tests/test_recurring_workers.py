"""Recurring rules' dates recorded by real worker processes (`run_worker`), their clocks
moved: two workers at once record each date once, and a worker back after three days
without one records each missed date once."""

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import time_machine
from django.db import connection
from django.test import TransactionTestCase

from accounts.models import User
from accounts.services import user_create
from botapi.tests.live import ROOT, _database_url
from core import jobs
from finance.models import Category, RecurringOccurrence, Transaction
from finance.services.recurring import When, recurring_create
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import queue
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import clear_limits
from notifications.tests.standin import TelegramStandIn

TOKEN = "123456:recurring-test-token"
TICK = "notifications.tick"
# A Thursday, 13:00 in Moscow: past the 09:00 from which a day's dates are recorded.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class RecurringWorkersTestCase(TransactionTestCase):
    def setUp(self) -> None:
        clear_limits()
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_jobs, procrastinate_workers,"
                " procrastinate_periodic_defers CASCADE"
            )
        self.telegram = TelegramStandIn().start()
        self.addCleanup(self.telegram.stop)
        self.logs = Path(tempfile.mkdtemp(prefix="kopilka-recurring-"))

    def worker(self, name: str, now: datetime, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "TELEGRAM_API_URL": self.telegram.url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "QUEUE_LOG_LEVEL": "INFO",
            "KOPILKA_TEST_NOW": str(now.timestamp()),
        }
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115  (closed by cleanup)
        self.addCleanup(log.close)
        process = subprocess.Popen(
            [sys.executable, "-m", "notifications.tests.clock_worker", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(process.kill)  # a no-op once it has exited
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def logs_text(self) -> str:
        return "\n".join(p.read_text() for p in self.logs.iterdir())

    def wait_for(self, condition: object, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out\n{self.logs_text()}")
            time.sleep(0.2)

    def person(self, n: int) -> User:
        user = user_create(username=f"p{n}", password=None, language="en", source="cli")
        NotificationSettings.objects.create(user=user, monthly_report=False)
        UserContact.objects.create(
            user=user,
            channel=MessagingChannel.TELEGRAM,
            telegram_id=5000 + n,
            chat_id=str(5000 + n),
        )
        return user

    def daily_rule(self, user: User, *, made: datetime) -> None:
        with time_machine.travel(made, tick=False):
            recurring_create(
                user=user,
                kind="expense",
                amount=Decimal("100"),
                currency="RUB",
                category=Category.objects.get(ledger__personal_for=user, slug="cafe"),
                when=When(frequency="daily"),
                note="lunch",
                source="web",
            )

    def tick_at(self, now: datetime, times: int = 1) -> None:
        """The minute's tick, queued as the periodic deferrer queues it (`times` over, as
        several hosts' schedulers would)."""
        for _ in range(times):
            jobs.defer(TICK, queue=queue.QUEUE, timestamp=int(now.timestamp()))

    def test_two_workers_at_once_record_each_date_once(self) -> None:
        people = [self.person(n) for n in range(8)]
        for user in people:
            self.daily_rule(user, made=NOW - timedelta(days=5))
        first = self.worker("first", NOW)
        second = self.worker("second", NOW)
        self.wait_for(lambda: self.live_workers() == 2)
        # Six dates due for each of eight rules; ticks on both workers at once.
        self.tick_at(NOW, times=6)
        due = 8 * 6
        self.wait_for(lambda: Notification.objects.filter(status="sent").count() >= due)
        self.wait_for(lambda: not self.jobs_left())
        for process in (first, second):
            process.terminate()
        for name, process in (("first", first), ("second", second)):
            self.assertEqual(process.wait(timeout=30), 0, self.log(name))

        dates = [NOW.date() - timedelta(days=d) for d in range(5, -1, -1)]
        per_rule_and_date = Counter(
            RecurringOccurrence.objects.values_list("rule__created_by__username", "date")
        )
        self.assertEqual(set(per_rule_and_date.values()), {1})
        self.assertEqual(len(per_rule_and_date), due)
        per_person_and_date = Counter(
            Transaction.objects.values_list("created_by__username", "date")
        )
        self.assertEqual(per_person_and_date, {(u.username, d): 1 for u in people for d in dates})
        self.assertEqual(Notification.objects.filter(kind=Kind.RECURRING).count(), due)
        per_chat = Counter(r.chat_id for r in self.telegram.snapshot())
        self.assertEqual(per_chat, {str(5000 + n): 6 for n in range(8)})
        # Both workers took part.
        for name in ("first", "second"):
            self.assertIn(queue.DELIVER, self.log(name))
        self.assertIn(TICK, self.log("first") + self.log("second"))

    def test_a_worker_back_after_three_days_records_each_missed_date_once(self) -> None:
        user = self.person(1)
        self.daily_rule(user, made=NOW)
        self.tick_at(NOW)
        once = self.worker("day-one", NOW, "--until-empty")
        self.assertEqual(once.wait(timeout=90), 0, self.log("day-one"))
        self.assertEqual(list(Transaction.objects.values_list("date", flat=True)), [NOW.date()])

        # No worker for three days, then one.
        later = NOW + timedelta(days=3)
        self.tick_at(later)
        back = self.worker("back", later, "--until-empty")
        self.assertEqual(back.wait(timeout=90), 0, self.log("back"))
        days = [NOW.date() + timedelta(days=d) for d in range(4)]
        self.assertEqual(sorted(Transaction.objects.values_list("date", flat=True)), days)
        self.assertEqual(
            sorted(
                Notification.objects.filter(kind=Kind.RECURRING).values_list("period", "status")
            ),
            [(d.isoformat(), "sent") for d in days],
        )
        texts = [r.text for r in self.telegram.snapshot()]
        self.assertEqual(len(texts), 4)
        self.assertTrue(
            all(t.startswith("Regular payment recorded: lunch · ") for t in texts), texts
        )

        # And again at the same time: nothing new.
        self.tick_at(later)
        again = self.worker("again", later, "--until-empty")
        self.assertEqual(again.wait(timeout=90), 0, self.log("again"))
        self.assertEqual(Transaction.objects.count(), 4)
        self.assertEqual(len(self.telegram.snapshot()), 4)

    def live_workers(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers")
            (count,) = cursor.fetchone()
        return int(count)

    def jobs_left(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                " AND (scheduled_at IS NULL OR scheduled_at <= now())"
            )
            (count,) = cursor.fetchone()
        return bool(count)
