"""Real worker processes (`manage.py run_worker`) on the test database."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from botapi.tests.live import ROOT, _database_url
from finance.models import Category
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import queue, schedule
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import clear_limits
from notifications.tests.standin import TelegramStandIn

TOKEN = "123456:live-test-token"


class WorkersTestCase(TransactionTestCase):
    def setUp(self) -> None:
        clear_limits()
        # The queue's own tables are not Django models: they outlive each test's flush,
        # and a worker killed by an earlier run stays registered.
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_jobs, procrastinate_workers,"
                " procrastinate_periodic_defers CASCADE"
            )
        self.telegram = TelegramStandIn().start()
        self.addCleanup(self.telegram.stop)
        self.logs = Path(tempfile.mkdtemp(prefix="kopilka-workers-"))

    def worker(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "TELEGRAM_API_URL": self.telegram.url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "QUEUE_LOG_LEVEL": "INFO",
        }
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115  (closed by cleanup)
        self.addCleanup(log.close)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(process.kill)  # a no-op once it has exited
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def wait_for(self, condition: object, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                states = Counter(Notification.objects.values_list("status", flat=True))
                logs = "\n".join(self.log(p.stem) for p in self.logs.iterdir())
                raise AssertionError(f"timed out: {states}\n{logs}")
            time.sleep(0.1)

    def live_workers(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers")
            (count,) = cursor.fetchone()
        return int(count)

    def test_two_workers_send_each_notification_once(self) -> None:
        # 60 people due at this very minute (UTC), each in their own Telegram chat.
        now = timezone.now().astimezone(UTC).replace(second=0, microsecond=0)
        users = User.objects.bulk_create(
            [User(username=f"u{i}", timezone="UTC", language="en") for i in range(60)]
        )
        NotificationSettings.objects.bulk_create(
            [
                NotificationSettings(
                    user=u,
                    daily_reminder=True,
                    monthly_report=False,  # today may be the 1st
                    reminder_time=clock(now.hour, now.minute),
                )
                for u in users
            ]
        )
        UserContact.objects.bulk_create(
            [
                UserContact(
                    user=u,
                    channel=MessagingChannel.TELEGRAM,
                    telegram_id=1000 + i,
                    chat_id=str(1000 + i),
                )
                for i, u in enumerate(users)
            ]
        )
        first, second = self.worker("first"), self.worker("second")
        self.wait_for(lambda: self.live_workers() == 2)

        # The workers' own minute tick may claim them first: either way, 60 in all.
        claimed = schedule.schedule_due(now=now)
        claimed += schedule.schedule_due(now=now)  # a second host's tick
        self.assertLessEqual(claimed, 60)
        self.assertEqual(Notification.objects.count(), 60)
        ids = list(Notification.objects.values_list("pk", flat=True))
        # Every delivery job twice over, as a retried or re-queued job would be.
        queue.defer_many(queue.DELIVER, [{"notification_ids": [pk]} for pk in ids])

        done = ("sent", "failed", "skipped")
        self.wait_for(lambda: not Notification.objects.exclude(status__in=done).exists())
        self.wait_for(lambda: not self.jobs_left())
        first.send_signal(signal.SIGTERM)
        second.send_signal(signal.SIGTERM)
        self.assertEqual(first.wait(timeout=30), 0, self.log("first"))
        self.assertEqual(second.wait(timeout=30), 0, self.log("second"))

        received = self.telegram.snapshot()
        per_chat = Counter(r.chat_id for r in received)
        self.assertEqual(len(per_chat), 60)
        self.assertEqual(set(per_chat.values()), {1})
        self.assertEqual({r.token for r in received}, {TOKEN})
        self.assertEqual(received[0].text, "Nothing recorded today. Reply with what you spent.")
        self.assertEqual(
            Counter(Notification.objects.values_list("status", flat=True)), {"sent": 60}
        )
        # Both workers did share the work, and the token is in neither log.
        for name in ("first", "second"):
            self.assertIn("notifications.deliver", self.log(name))
            self.assertNotIn(TOKEN, self.log(name))

    def jobs_left(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_jobs"
                " WHERE task_name = %s AND status IN ('todo', 'doing')",
                [queue.DELIVER],
            )
            (count,) = cursor.fetchone()
        return bool(count)

    def test_until_empty_runs_a_budget_alert_and_exits(self) -> None:
        alice = user_create(username="alice", password=None, source="cli")
        UserContact.objects.create(
            user=alice, channel=MessagingChannel.TELEGRAM, telegram_id=77, chat_id="77"
        )
        # The worker's own minute tick runs too; on the 1st it would bring a report.
        NotificationSettings.objects.update_or_create(
            user=alice, defaults={"monthly_report": False}
        )
        today = alice.today()
        cafe = Category.objects.get(ledger__personal_for=alice, slug="cafe")
        budget_item_set(
            user=alice, month=today, category=cafe, planned_amount=Decimal(1000), source="web"
        )
        transaction_create(
            user=alice,
            kind="expense",
            amount=Decimal(900),
            currency="RUB",
            category=cafe,
            date=today,
            source="web",
        )
        worker = self.worker("once", "--until-empty")
        self.assertEqual(worker.wait(timeout=60), 0, self.log("once"))
        (alert,) = Notification.objects.filter(kind=Kind.BUDGET_ALERT)
        self.assertEqual(alert.status, "sent", alert.error)
        (message,) = self.telegram.snapshot()
        self.assertEqual(message.chat_id, "77")
        self.assertTrue(message.text.startswith("Кафе и рестораны: 900 ₽ из 1\xa0000 ₽ (90 %)"))
