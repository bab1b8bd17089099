"""How fast are Telegram webhook updates ("кофе 250"), and the replies they queue?

Serves the project with gunicorn (4 workers) as bench/bot_actions.py does (its own
database, the shared Redis), with a stand-in for the Bot API on loopback
(notifications/tests/standin.py: it answers sendMessage as Telegram does and records
what arrived, and when).

1. The webhook. 16 linked chats post their updates at once, each chat one after another
   as a person writes ("кофе 1", "кофе 2", ...: a fresh update_id and amount each), to
   POST /webhooks/telegram/. Every update records an expense through the dispatcher,
   stores both sides of the dialogue and queues the confirmation; nothing waits on
   Telegram. Requests per second and p50/p99 next to bench/bot_actions.py's bare DRF
   view (three inserts), in alternating rounds (goal: >= 0.85 of it). No queue worker
   runs meanwhile.
2. The queue. `manage.py run_worker` processes send what the webhook queued, with
   Telegram's limits lifted: replies per second, each reply sent once, each chat's in
   the order its updates were written.
3. The same with the limits on (one message a second per chat, 25 a second in all), for
   a few updates per chat: replies per second, the shortest gap between two replies to
   one chat, the most replies in any one second.

    scripts/devservices --require-redis .venv/bin/python bench/telegram.py \
        [--requests 2000] [--rounds 2] [--workers 2] [--concurrency 8]
"""

import argparse
import functools
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bot_actions  # noqa: E402
from bench.bot_actions import CLIENTS, Result, free_port, post, table  # noqa: E402
from bench.reminders import most_in_one_second  # noqa: E402

bot_actions.BENCH_DB = "kopilka_bench_telegram"
CHATS = CLIENTS  # 16 chats, one client each
TOKEN = "123456:bench-token"
SECRET = "bench-webhook-secret"
GOAL_RATIO = 0.85
FIRST_CHAT = 900_000_000
WARM_UP = 400
CAPPED_PER_CHAT = 6
# The amount in a confirmation ("Записал: 250,00 ₽ · ..."), spaces of thousands and all.
AMOUNT = re.compile(r"(\d[\d \u00a0\u202f]*),\d\d")


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


def update(update_id: int, chat: int, amount: int) -> bytes:
    sender = {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "ru"}
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": sender,
                "chat": {"id": chat, "first_name": "Bench", "type": "private"},
                "date": 1_764_590_400,
                "text": f"кофе {amount}",
            },
        }
    ).encode()


class Chats:
    """Each chat's next amount, in the order its updates are posted."""

    def __init__(self) -> None:
        self.next = [itertools.count(1) for _ in range(CHATS)]
        self.posted: dict[int, list[int]] = defaultdict(list)

    def take(self, chat: int) -> int:
        amount = next(self.next[chat])
        self.posted[chat].append(amount)
        return amount


def drive_chats(name: str, count: int, send: Callable[[int], tuple[int, bytes]]) -> Result:
    """`count` requests from CHATS clients at once, client k posting chat k's requests one
    after another (request i is chat i % CHATS's)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(chat: int) -> None:
        nonlocal errors
        for i in range(chat, count, CHATS):
            started = time.perf_counter()
            status, body = send(i)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    errors += 1
                    if errors <= 3:
                        print(f"  {name}: {status} {body[:200]!r}", file=sys.stderr)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CHATS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, count, time.perf_counter() - started, latencies, errors)


def run_workers(
    count: int, concurrency: int, url: str, standin_url: str, *, limits: bool
) -> list[subprocess.Popen[bytes]]:
    env = {
        **bot_actions.environment(url),
        "TELEGRAM_API_URL": standin_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "QUEUE_LOG_LEVEL": "WARNING",
    }
    if not limits:
        env |= {"TELEGRAM_RATE_PER_SECOND": "0", "TELEGRAM_CHAT_INTERVAL_MS": "0"}
    else:
        env |= {"TELEGRAM_RATE_PER_SECOND": "25", "TELEGRAM_CHAT_INTERVAL_MS": "1000"}
    command = [sys.executable, "manage.py", "run_worker", "--until-empty"]
    return [
        subprocess.Popen([*command, "--concurrency", str(concurrency)], cwd=ROOT, env=env)
        for _ in range(count)
    ]


def drain(
    label: str, workers: int, concurrency: int, url: str, standin: object, *, limits: bool
) -> tuple[float, list[object]]:
    """Run the workers until the queue is empty; (their wall time, what arrived)."""
    from notifications.tests.helpers import clear_limits

    clear_limits()
    before = len(standin.snapshot())  # type: ignore[attr-defined]
    started = time.perf_counter()
    processes = run_workers(workers, concurrency, url, standin.url, limits=limits)  # type: ignore[attr-defined]
    codes = [p.wait() for p in processes]
    wall = time.perf_counter() - started
    assert codes == [0] * workers, (label, codes)
    return wall, standin.snapshot()[before:]  # type: ignore[attr-defined]


def check(received: list[object], posted: dict[int, list[int]]) -> tuple[int, int, int]:
    """(replies, sent more than once, chats whose replies came out of order)."""
    seen: dict[int, list[int]] = defaultdict(list)
    for r in received:
        found = AMOUNT.search(r.text)  # type: ignore[attr-defined]
        amount = int(re.sub(r"\D", "", found[1])) if found else -1
        seen[int(r.chat_id) - FIRST_CHAT].append(amount)  # type: ignore[attr-defined]
    duplicates = sum(len(a) - len(set(a)) for a in seen.values())
    disordered = sum(1 for chat, amounts in seen.items() if amounts != posted.get(chat))
    return len(received), duplicates, disordered


def gaps_per_chat(received: list[object]) -> float:
    at: dict[str, list[float]] = defaultdict(list)
    for r in received:
        at[r.chat_id].append(r.at)  # type: ignore[attr-defined]
    gaps = [b - a for times in at.values() for a, b in itertools.pairwise(sorted(times))]
    return min(gaps) if gaps else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="queue worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="jobs at once per worker")
    args = parser.parse_args()

    from notifications.tests.standin import TelegramStandIn

    standin = TelegramStandIn().start()
    os.environ.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_BOT_USERNAME": "kopilka_bench_bot",
            "TELEGRAM_API_URL": standin.url,
        }
    )
    url = bot_actions.bench_database_url()
    bot_actions.create_database(url)
    prepare(url)
    loads = [os.getloadavg()[0]]
    port = free_port()
    process = bot_actions.start_gunicorn(url, port)
    run = uuid.uuid4().hex[:8]
    # Update ids are unique per run: the claim table would refuse a repeat.
    base_id = int(uuid.UUID(run * 4).int % 10**9) * 10**6
    chats = Chats()
    ids = itertools.count(base_id)

    def webhook(i: int) -> tuple[int, bytes]:
        chat = i % CHATS
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": SECRET,
        }
        body = update(next(ids), FIRST_CHAT + chat, chats.take(chat))
        status, answer = post(port, "/webhooks/telegram/", body, headers)
        # drive_chats() counts a 201 as success; the webhook answers 200.
        return (201 if status == 200 else status), answer

    def bare(i: int) -> tuple[int, bytes]:
        body = {
            "username": "bench",
            "payload": {"text": "кофе 250"},
            "idempotency_key": f"bare-{run}-{i}",
        }
        return post(
            port, "/bench/bare", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )

    def shifted(offset: int, i: int) -> tuple[int, bytes]:
        return bare(offset + i)

    results: dict[str, list[Result]] = {"webhook": [], "bare": []}
    try:
        drive_chats("warm-up", WARM_UP, webhook)
        drive_chats("warm-up", WARM_UP, lambda i: bare(10**7 + i))
        for r in range(args.rounds):
            results["webhook"].append(drive_chats("webhook", args.requests, webhook))
            results["bare"].append(
                drive_chats("bare", args.requests, functools.partial(shifted, r * args.requests))
            )
        loads.append(os.getloadavg()[0])

        # 2. What the webhook queued, sent by the workers with the limits lifted.
        wall, received = drain("lifted", args.workers, args.concurrency, url, standin, limits=False)
        replies, duplicates, disordered = check(received, chats.posted)
        times = [r.at for r in received]  # type: ignore[attr-defined]
        span = max(times) - min(times) if len(times) > 1 else 0.0
        loads.append(os.getloadavg()[0])

        # 3. A few more per chat, with Telegram's limits on.
        capped = Chats()
        for chat in range(CHATS):
            for _ in range(CAPPED_PER_CHAT):
                body = update(next(ids), FIRST_CHAT + chat, 1000 + capped.take(chat))
                headers = {
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                }
                assert post(port, "/webhooks/telegram/", body, headers)[0] == 200
        capped.posted = {k: [1000 + a for a in v] for k, v in capped.posted.items()}
        capped_wall, capped_received = drain(
            "capped", args.workers, args.concurrency, url, standin, limits=True
        )
        c_replies, c_duplicates, c_disordered = check(capped_received, capped.posted)
        c_times = [r.at for r in capped_received]  # type: ignore[attr-defined]
        c_span = max(c_times) - min(c_times) if len(c_times) > 1 else 0.0
    finally:
        process.terminate()
        process.wait(timeout=30)
        standin.stop()

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
        cursor.execute("SELECT count(*) FROM procrastinate_jobs")
        (jobs_left,) = cursor.fetchone()
    expected = WARM_UP + args.rounds * args.requests

    print(
        f"\nTelegram webhook over gunicorn: {bot_actions.WORKERS} workers, {CHATS} chats at "
        f"once, {args.rounds} x {args.requests} updates each, {os.cpu_count()} CPUs, load "
        f"average {' -> '.join(f'{x:.1f}' for x in loads)}"
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
        f"\nThe queue, {args.workers} workers x {args.concurrency}, Telegram's limits lifted:"
        f" {replies} replies (expected {expected}) in {span:.1f} s first to last ="
        f" {replies / span if span else 0:.0f} replies/s ({wall:.1f} s with start-up);"
        f" sent twice: {duplicates}; chats out of order: {disordered}"
    )
    print(
        f"With the limits on (1/s per chat, 25/s in all), {CAPPED_PER_CHAT} updates per chat:"
        f" {c_replies} replies (expected {CHATS * CAPPED_PER_CHAT}) in {c_span:.1f} s ="
        f" {c_replies / c_span if c_span else 0:.1f} replies/s ({capped_wall:.1f} s with"
        f" start-up); shortest gap in one chat {gaps_per_chat(capped_received):.2f} s; most"
        f" in any one second {most_in_one_second(c_times)}; sent twice: {c_duplicates};"
        f" chats out of order: {c_disordered}"
    )
    print(
        f"expenses recorded: {recorded} (expected {expected + CHATS * CAPPED_PER_CHAT}),"
        f" confirmations sent: {confirmed}, jobs left on the queue: {jobs_left}"
    )


if __name__ == "__main__":
    main()
