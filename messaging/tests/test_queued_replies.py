"""Telegram's webhook answers at once, whatever the Bot API's pace; the replies go out
from real queue workers, once each, in order per chat, a second apart at least.

gunicorn serves the test database; a stand-in Bot API on loopback answers slowly."""

import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import TransactionTestCase

from accounts.services import user_create
from botapi.tests.live import ROOT, LiveServer, _database_url, serve
from finance.models import Transaction
from messaging.models import Message, UserContact
from messaging.tests.helpers import ALICE_TG, SECRET, STRANGER_TG, WEBHOOK, text_update
from notifications.tests.helpers import clear_limits
from notifications.tests.standin import TelegramStandIn

TOKEN = "123456:queued-replies-token"
# A Bot API that takes this long to answer each message.
SLOW = 3.0
# "Well under a second", against the seconds an answer waiting on it would take.
AT_ONCE = 1.0
CHAT_INTERVAL_MS = 1000


@pytest.fixture(scope="class")
def slow_telegram(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    standin = TelegramStandIn(delay=SLOW).start()
    request.cls.telegram = standin
    env = {
        "TELEGRAM_API_URL": standin.url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_CHAT_INTERVAL_MS": str(CHAT_INTERVAL_MS),
        "WEB_CONCURRENCY": "1",
    }
    request.cls.env = env
    try:
        for server in serve(**env):
            request.cls.live = server
            yield
    finally:
        standin.stop()


@pytest.mark.usefixtures("slow_telegram")
class QueuedRepliesTestCase(TransactionTestCase):
    live: LiveServer
    telegram: TelegramStandIn
    env: dict[str, str]

    def setUp(self) -> None:
        clear_limits()
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_jobs, procrastinate_workers,"
                " procrastinate_periodic_defers CASCADE"
            )
        with self.telegram.lock:
            self.telegram.received.clear()
        user = user_create(username="alice", password=None, source="cli")
        UserContact.objects.create(
            user=user, channel="telegram", telegram_id=ALICE_TG, chat_id=str(ALICE_TG)
        )

    def webhook(self, update: dict[str, Any]) -> float:
        """Post one update; how long the webhook took to answer."""
        started = time.monotonic()
        reply = self.live.request(
            "POST",
            WEBHOOK,
            json.dumps(update).encode(),
            {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        elapsed = time.monotonic() - started
        self.assertEqual(reply.status, 200, reply.body)
        return elapsed

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        log = tempfile.NamedTemporaryFile(prefix="kopilka-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.addCleanup(log.close)
        self.worker_log = Path(log.name)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *args],
            cwd=ROOT,
            env={**os.environ, **self.env, "DATABASE_URL": _database_url()},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(process.kill)
        return process

    def test_the_webhook_answers_at_once_and_the_queue_sends_in_order(self) -> None:
        # The worker's first update loads what the dialogue needs (a cold start is not
        # what is measured here); its reply is dropped from the queue.
        self.webhook(text_update("/help", sender=STRANGER_TG))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs")
        texts = ["кофе 250", "такси 300", "обед 450"]
        took = [self.webhook(text_update(text)) for text in texts]
        # Three expenses recorded; not one reply waited on the slow Bot API.
        self.assertEqual(Transaction.objects.count(), 3)
        self.assertLess(max(took), AT_ONCE, took)
        self.assertEqual(self.telegram.snapshot(), [])

        # Four threads, and still one chat's replies one at a time, oldest first.
        worker = self.worker("--until-empty", "--concurrency", "4")
        self.assertEqual(worker.wait(timeout=90), 0, self.worker_log.read_text())
        received = self.telegram.snapshot()
        self.assertEqual(len(received), 3, received)
        self.assertEqual({r.chat_id for r in received}, {str(ALICE_TG)})
        for text, got in zip(texts, received, strict=True):
            self.assertIn(text.split()[1], got.text.replace(" ", ""))
        # `at` is when each answer left the stand-in: a send starts a second (the chat's
        # interval) after the one before it finished.
        gaps = [b.at - a.at for a, b in itertools.pairwise(received)]
        self.assertTrue(all(gap >= SLOW + CHAT_INTERVAL_MS / 1000 - 0.05 for gap in gaps), gaps)
        # Each reply's Telegram id is kept, and nothing is left on the queue.
        sent = Message.objects.filter(direction="out").exclude(external_id="")
        self.assertEqual(sent.count(), 3)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_jobs")
            self.assertEqual(cursor.fetchone(), (0,))
        self.assertNotIn(TOKEN, self.worker_log.read_text())
