"""A voice message heard by a real worker process (`manage.py run_worker`): the speech
service fails once, the queue tries again after its backoff, and the second try
records what was said and answers. Telegram and the speech service are one stand-in
on loopback, answering as each documents."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import TransactionTestCase, override_settings

from accounts.services import user_create
from botapi.tests.live import ROOT, _database_url
from finance.models import Transaction
from messaging.models import Channel, UserContact
from messaging.tests.helpers import ALICE_TG, SECRET, WEBHOOK, message, update
from messaging.tests.voice import ogg_bytes, voice_object

TOKEN = "123456:voice-worker-token"


class StandIn:
    """Telegram's getFile, its file server and sendMessage, and the speech service's
    /v1/audio/transcriptions, which answers 503 `failures` times before the text."""

    def __init__(self, *, failures: int, text: str) -> None:
        self.failures = failures
        self.text = text
        self.audio = ogg_bytes()
        self.lock = threading.Lock()
        self.transcriptions: list[float] = []
        self.sent: list[dict[str, Any]] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/v1/audio/transcriptions":
                    with standin.lock:
                        standin.transcriptions.append(time.monotonic())
                        failing = len(standin.transcriptions) <= standin.failures
                    if failing:
                        self.reply(503, {"error": {"message": "model loading"}})
                    else:
                        self.reply(200, {"text": standin.text})
                elif self.path.endswith("/getFile"):
                    file_id = json.loads(body)["file_id"]
                    result = {"file_id": file_id, "file_unique_id": "u", "file_path": "v/1.oga"}
                    self.reply(200, {"ok": True, "result": result})
                else:  # sendMessage
                    payload = json.loads(body)
                    with standin.lock:
                        standin.sent.append(payload)
                        message_id = 9000 + len(standin.sent)
                    result = {"message_id": message_id, "chat": {"id": payload["chat_id"]}}
                    self.reply(200, {"ok": True, "result": result})

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(standin.audio)))
                self.end_headers()
                self.wfile.write(standin.audio)

            def reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class VoiceWorkerTestCase(TransactionTestCase):
    def setUp(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_jobs, procrastinate_workers,"
                " procrastinate_periodic_defers CASCADE"
            )
        self.standin = StandIn(failures=1, text="кофе 250")
        self.addCleanup(self.standin.stop)
        self.logs = Path(tempfile.mkdtemp(prefix="kopilka-voice-"))
        self.settings_override = override_settings(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_API_URL=self.standin.url,
            SPEECH_TO_TEXT_URL=f"{self.standin.url}/v1",
        )
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def worker(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "TELEGRAM_API_URL": self.standin.url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SPEECH_TO_TEXT_URL": f"{self.standin.url}/v1",
            "QUEUE_LOG_LEVEL": "INFO",
        }
        log = open(self.logs / "worker.log", "wb")  # noqa: SIM115  (closed by cleanup)
        self.addCleanup(log.close)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--concurrency", "2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(process.kill)  # a no-op once it has exited
        return process

    def wait_for(self, condition: Callable[[], bool], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                log = (self.logs / "worker.log").read_text()
                raise AssertionError(f"timed out; the worker said:\n{log}")
            time.sleep(0.2)

    def test_a_failed_transcription_is_retried_by_the_queue_then_recorded(self) -> None:
        alice = user_create(username="alice", password=None, source="cli")
        UserContact.objects.create(
            user=alice, channel=Channel.TELEGRAM, telegram_id=ALICE_TG, chat_id=str(ALICE_TG)
        )
        sent = update("message", None, **message(None, voice=voice_object()))
        response = self.client.post(
            WEBHOOK,
            data=json.dumps(sent),
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.standin.transcriptions, [])  # the webhook only queued it

        worker = self.worker()
        self.wait_for(lambda: bool(self.standin.sent))
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(timeout=60), 0, (self.logs / "worker.log").read_text())

        first, second = self.standin.transcriptions
        # The queue's backoff (RetryStrategy: 3 s before the second try), not a busy loop.
        self.assertGreaterEqual(second - first, 2.5)
        (reply,) = self.standin.sent
        self.assertEqual(reply["chat_id"], ALICE_TG)
        self.assertTrue(reply["text"].startswith("Услышал: «кофе 250»"), reply)
        tx = Transaction.objects.get()
        self.assertEqual((tx.amount, tx.created_by_id), (Decimal("250.00"), alice.pk))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")
            self.assertEqual(cursor.fetchone(), (0,))
