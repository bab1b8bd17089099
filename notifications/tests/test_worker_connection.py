"""A queue worker beside web processes that go through PgBouncer in transaction mode: its
own connection (LISTEN/NOTIFY, fetching jobs) goes to PostgreSQL itself,
QUEUE_DATABASE_URL; its jobs' reads and writes go through DATABASE_URL like the web's."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from accounts.services import user_create
from botapi.tests.live import ROOT, _database_url
from core.tests.topology import (
    PGBOUNCER_URL,
    needs,
    pgbouncer_admin,
    release_pgbouncer_sessions,
    url_of_test_database,
)
from messaging.models import Channel, UserContact
from notifications import outbox
from notifications.models import Notification
from notifications.tests.helpers import clear_limits
from notifications.tests.standin import TelegramStandIn

QUEUE_APP = "kopilka-queue"


class WithoutQueueDatabaseTestCase(SimpleTestCase):
    @override_settings(DATABASE_POOLING="transaction", QUEUE_DATABASE_URL="")
    def test_a_worker_refuses_a_pooler_for_its_queue(self) -> None:
        with self.assertRaisesMessage(CommandError, "set QUEUE_DATABASE_URL"):
            call_command("run_worker", "--until-empty")


class QueueDatabaseTestCase(TransactionTestCase):
    def setUp(self) -> None:
        needs(PGBOUNCER_URL, "PgBouncer")
        # No server session of PgBouncer's on the test database but the worker's to come.
        release_pgbouncer_sessions()
        self.addCleanup(release_pgbouncer_sessions)
        clear_limits()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_workers CASCADE")
        self.telegram = TelegramStandIn().start()
        self.addCleanup(self.telegram.stop)

    def wait_for(self, condition: Callable[[], bool], log: Path) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(log.read_text())
            time.sleep(0.1)

    def pgbouncer_sessions(self) -> list[tuple[object, ...]]:
        name = connection.settings_dict["NAME"]
        return [row for row in pgbouncer_admin("SHOW SERVERS") if row[2] == name]

    def listening(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = %s AND query LIKE 'LISTEN %%'",
                [QUEUE_APP],
            )
            (count,) = cursor.fetchone()
        return bool(count)

    def test_the_worker_listens_on_postgresql_and_works_through_pgbouncer(self) -> None:
        alice = user_create(username="alice", password=None, language="en", source="cli")
        UserContact.objects.create(
            user=alice, channel=Channel.TELEGRAM, telegram_id=77, chat_id="77"
        )
        self.assertEqual(self.pgbouncer_sessions(), [])
        log = Path(tempfile.mkdtemp(prefix="kopilka-worker-")) / "worker.log"
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "run_worker"],
                cwd=ROOT,
                env={
                    **os.environ,
                    "DATABASE_URL": url_of_test_database(PGBOUNCER_URL),
                    "DATABASE_POOLING": "transaction",
                    "QUEUE_DATABASE_URL": f"{_database_url()}?application_name={QUEUE_APP}",
                    "TELEGRAM_API_URL": self.telegram.url,
                    "TELEGRAM_BOT_TOKEN": "123456:queue-test-token",
                },
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.addCleanup(worker.kill)
        self.wait_for(self.listening, log)

        notification = outbox.send_test(user=alice)
        self.wait_for(lambda: Notification.objects.get(pk=notification.pk).status == "sent", log)
        # The job read and wrote through PgBouncer; the queue's connection is not its.
        self.assertNotEqual(self.pgbouncer_sessions(), [])
        self.assertFalse(any(QUEUE_APP in row for row in pgbouncer_admin("SHOW CLIENTS")))
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(timeout=30), 0, log.read_text())
        (message,) = self.telegram.snapshot()
        self.assertEqual(message.chat_id, "77")
