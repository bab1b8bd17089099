"""How fast are Telegram webhook updates ("кофе 250") through gunicorn?

Serves the project with gunicorn (4 workers) as bench/bot_actions.py does (its own
database, the shared Redis), with a local stand-in for the Bot API (TELEGRAM_API_URL
points at a threaded HTTP server in this process that answers sendMessage as Telegram
does). 16 linked chats post "кофе 250" updates at once, each with a fresh update_id, to
POST /webhooks/telegram/; every update records an expense through the dispatcher,
stores both sides of the dialogue and sends the confirmation. Prints requests per
second and p50/p99 next to bench/bot_actions.py's bare DRF view (three inserts),
measured in the same run, in alternating rounds.

    scripts/devservices --require-redis .venv/bin/python bench/telegram.py [--requests 2000]
"""

import argparse
import itertools
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bot_actions  # noqa: E402
from bench.bot_actions import alternate, drive, free_port, post, shifted, table  # noqa: E402

bot_actions.BENCH_DB = "kopilka_bench_telegram"
CHATS = bot_actions.CLIENTS  # 16 concurrent chats
TOKEN = "123456:bench-token"
SECRET = "bench-webhook-secret"
GOAL_RATIO = 0.6
FIRST_CHAT = 900_000_000


class FakeBotApi(BaseHTTPRequestHandler):
    """sendMessage and answerCallbackQuery as the Bot API answers them."""

    protocol_version = "HTTP/1.1"  # keep-alive, as api.telegram.org
    # The headers and the body leave in two writes; with Nagle's algorithm the body
    # waits for the ACK of the headers, which the client delays by 40 ms: a stall
    # api.telegram.org does not have, which made every webhook look 40 ms slower.
    disable_nagle_algorithm = True
    message_ids = itertools.count(1)
    lock = threading.Lock()

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            message_id = next(self.message_ids)
        result = {
            "message_id": message_id,
            "from": {"id": 1, "is_bot": True, "first_name": "Kopilka"},
            "chat": {"id": payload.get("chat_id"), "type": "private"},
            "date": 1_764_590_400,
            "text": payload.get("text", ""),
        }
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def prepare(url: str) -> None:
    """Migrate; make the bare view's user and one linked user per chat."""
    bot_actions.prepare(url)  # migrates, sets up Django, makes "bench"
    from accounts.services import user_create
    from messaging.models import UserContact

    for n in range(CHATS):
        user = user_create(username=f"chat{n}", password=None, source="cli")
        UserContact.objects.create(
            user=user,
            channel="telegram",
            telegram_id=FIRST_CHAT + n,
            chat_id=str(FIRST_CHAT + n),
        )


def update(update_id: int, chat: int) -> bytes:
    sender = {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": sender,
                "chat": {"id": chat, "first_name": "Bench", "type": "private"},
                "date": 1_764_590_400,
                "text": "кофе 250",
            },
        }
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    fake = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeBotApi)
    fake.daemon_threads = True
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    os.environ.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_BOT_USERNAME": "kopilka_bench_bot",
            "TELEGRAM_API_URL": f"http://127.0.0.1:{fake.server_address[1]}",
        }
    )
    url = bot_actions.bench_database_url()
    bot_actions.create_database(url)
    prepare(url)
    port = free_port()
    process = bot_actions.start_gunicorn(url, port)
    run = uuid.uuid4().hex[:8]
    # Update ids are unique per run: the claim table would refuse a repeat.
    base_id = int(uuid.UUID(run * 4).int % 10**9) * 10**6

    def webhook(i: int) -> tuple[int, bytes]:
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
        }
        status, body = post(
            port, "/webhooks/telegram/", update(base_id + i, FIRST_CHAT + i % CHATS), headers
        )
        # drive() counts a 201 as success; the webhook answers 200.
        return (201 if status == 200 else status), body

    def bare(i: int) -> tuple[int, bytes]:
        body = {
            "username": "bench",
            "payload": {"text": "кофе 250"},
            "idempotency_key": f"bare-{run}-{i}",
        }
        return post(
            port, "/bench/bare", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )

    try:
        offset = 10**7
        drive("warm-up", 400, shifted(webhook, offset))
        drive("warm-up", 400, shifted(bare, offset))
        results = alternate({"webhook": webhook, "bare": bare}, args.rounds, args.requests)
    finally:
        process.terminate()
        process.wait(timeout=30)
        fake.shutdown()

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM finance_transaction WHERE source = 'telegram' AND text <> ''"
        )
        (recorded,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM messages WHERE direction = 'out' AND external_id <> ''"
        )
        (confirmed,) = cursor.fetchone()
    expected = 400 + args.rounds * args.requests

    print(
        f"\nTelegram webhook over gunicorn: {bot_actions.WORKERS} workers, {CHATS} concurrent "
        f"chats, {args.rounds} x {args.requests} updates each, {os.cpu_count()} CPUs"
    )
    merged = table(
        results, {"webhook": "POST /webhooks/telegram/", "bare": "bare DRF view, 3 inserts"}
    )
    ratio = merged["webhook"].rps / merged["bare"].rps
    print(
        f"webhook/bare throughput: {ratio:.2f} "
        f"(goal >= {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'})"
    )
    print(
        f"expenses recorded: {recorded}, confirmations sent: {confirmed} (expected {expected} each)"
    )


if __name__ == "__main__":
    main()
