"""How fast is create_expense through POST /api/bot/actions?

Serves the project with gunicorn (4 workers) on a free loopback port, against a
database of its own (`kopilka_bench_bot` on the server DATABASE_URL names) and the
shared Redis, and drives it with 16 concurrent clients, each request with a fresh
idempotency key. Prints requests per second and p50/p99 latency next to a bare DRF
view doing the same three inserts (bench/support/views.py), measured in the same run,
in alternating rounds.

    scripts/devservices --require-redis .venv/bin/python bench/bot_actions.py [--requests 3000]

The per-token rate limit is raised for the run (it still counts every request in
Redis); everything else is as deployed.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "kopilka_bench_bot"
WORKERS = 4
CLIENTS = 16
TEXTS = ["кофе 250", "такси 480 вчера", "продукты 1 299,50", "обед 650", "Lidl 23,40 €"]
GOAL_RATIO = 0.7
GOAL_P99_MS = 50.0


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run under scripts/devservices --require-redis")
    if not os.environ.get("REDIS_URL"):
        sys.exit("REDIS_URL is not set: the workers must share the rate-limit counters")
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))


def create_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.support.settings",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop"
        ),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "BOT_RATELIMIT_TOKEN": "100000000/m",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": "",
    }


def prepare(url: str) -> str:
    """Migrate, make the bench user and return a full-scope bot token."""
    env = environment(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from accounts.models import Scope
    from accounts.services import api_token_create, user_create

    user = user_create(username="bench", password=None, source="cli")
    return api_token_create(user=user, name="bench", scopes=Scope.values, source="cli").raw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_gunicorn(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **environment(url),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if post(port, "/api/bot/schema", None, {}, method="GET")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("gunicorn did not start")


def post(
    port: int, path: str, body: bytes | None, headers: dict[str, str], method: str = "POST"
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1)]


def drive(name: str, count: int, request: Callable[[int], tuple[int, bytes]]) -> Result:
    """`count` requests from CLIENTS threads at once; each thread takes the next number."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(count))

    def client() -> None:
        nonlocal errors
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            status, body = request(i)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    errors += 1
                    if errors <= 3:
                        print(f"  {name}: {status} {body[:200]!r}", file=sys.stderr)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, count, time.perf_counter() - started, latencies, errors)


def shifted(
    send: Callable[[int], tuple[int, bytes]], offset: int
) -> Callable[[int], tuple[int, bytes]]:
    """`send` numbering its requests from `offset`: every round uses fresh keys."""
    return lambda i: send(offset + i)


def alternate(
    sends: dict[str, Callable[[int], tuple[int, bytes]]], rounds: int, requests: int
) -> dict[str, list[Result]]:
    """`rounds` rounds of `requests` each, the endpoints taking turns."""
    results: dict[str, list[Result]] = {name: [] for name in sends}
    for r in range(rounds):
        for name, send in sends.items():
            results[name].append(drive(name, requests, shifted(send, r * requests)))
    return results


def table(results: dict[str, list[Result]], labels: dict[str, str]) -> dict[str, Result]:
    """Print each endpoint's rounds as one row; return them merged."""
    print(f"{'endpoint':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    merged = {}
    for key, label in labels.items():
        rounds = results[key]
        m = merged[key] = Result(
            key,
            sum(x.requests for x in rounds),
            sum(x.seconds for x in rounds),
            [ms for x in rounds for ms in x.latencies_ms],
            sum(x.errors for x in rounds),
        )
        print(
            f"{label:<28} {m.rps:>8.0f} {m.percentile(50):>8.1f} {m.percentile(99):>8.1f} {m.errors:>7}"
        )
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    url = bench_database_url()
    create_database(url)
    token = prepare(url)
    port = free_port()
    process = start_gunicorn(url, port)
    run = uuid.uuid4().hex[:8]

    def bot(i: int) -> tuple[int, bytes]:
        body = {
            "action": "create_expense",
            "payload": {"text": TEXTS[i % len(TEXTS)]},
            "idempotency_key": f"bench-{run}-{i}",
        }
        headers = {"Content-Type": "application/json", "X-Bot-Token": token}
        return post(port, "/api/bot/actions", json.dumps(body).encode(), headers)

    def bare(i: int) -> tuple[int, bytes]:
        body = {
            "username": "bench",
            "payload": {"text": TEXTS[i % len(TEXTS)]},
            "idempotency_key": f"bare-{run}-{i}",
        }
        return post(
            port, "/bench/bare", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )

    try:
        offset = 10**7
        # Warm up every worker: imports, connections, prepared statements.
        drive("warm-up", 400, shifted(bot, offset))
        drive("warm-up", 400, shifted(bare, offset))
        results = alternate({"bot": bot, "bare": bare}, args.rounds, args.requests)
    finally:
        process.terminate()
        process.wait(timeout=30)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM finance_transaction WHERE text <> ''")
        (transactions,) = cursor.fetchone()
    expected = 2 * (400 + args.rounds * args.requests)

    print(
        f"\ncreate_expense over gunicorn: {WORKERS} workers, {CLIENTS} concurrent clients, "
        f"{args.rounds} x {args.requests} requests each, {os.cpu_count()} CPUs"
    )
    merged = table(results, {"bot": "POST /api/bot/actions", "bare": "bare DRF view, 3 inserts"})
    ratio = merged["bot"].rps / merged["bare"].rps
    p99 = merged["bot"].percentile(99)
    print(
        f"bot/bare throughput: {ratio:.2f} (goal >= {GOAL_RATIO}: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}); "
        f"bot p99 {p99:.1f} ms (goal < {GOAL_P99_MS:.0f} ms: "
        f"{'met' if p99 < GOAL_P99_MS else 'NOT met'})"
    )
    print(f"transactions written: {transactions} (expected {expected})")


if __name__ == "__main__":
    main()
