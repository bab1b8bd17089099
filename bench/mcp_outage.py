"""The MCP server under load while PostgreSQL and then Redis go away and come back.

Serves `manage.py serve_mcp` (uvicorn) against a database of its own
(`kopilka_bench_mcp` on the server DATABASE_URL names) and a Redis of its own (a
redis-server on a Unix socket in a temporary directory, so that stopping it disturbs
nobody). 16 clients call the create_expense tool over Streamable HTTP (plain JSON-RPC,
a fresh idempotency key each) without pause, while:

    0-3 s    both up
    3-7 s    PostgreSQL refuses the database (ALLOW_CONNECTIONS false, sessions ended)
    7-10 s   both up again
    10-14 s  Redis stopped
    14-18 s  both up again

Prints, per phase, the answers by status and kind (a tool result, a JSON error body, a
JSON-RPC error, anything not JSON), the server's log lines (outage lines, tracebacks),
and whether every acknowledged expense is in the database and nothing else.

    scripts/devservices --require-redis .venv/bin/python bench/mcp_outage.py
"""

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bot_actions  # noqa: E402

BENCH_DB = "kopilka_bench_mcp"
CLIENTS = 16
PHASES = [
    (3.0, "both up"),
    (7.0, "PostgreSQL gone"),
    (10.0, "both up again"),
    (14.0, "Redis gone"),
    (18.0, "both up at the end"),
]


def start_redis(directory: Path) -> subprocess.Popen[bytes]:
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket.exists():
        if time.monotonic() > deadline:
            sys.exit("redis-server did not start")
        time.sleep(0.05)
    return process


def maintain(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def call(port: int, token: str, n: int) -> tuple[int, str, str]:
    """One create_expense tool call: (HTTP status, what kind of answer, its key)."""
    key = str(uuid.uuid4())
    message = {
        "jsonrpc": "2.0",
        "id": n,
        "method": "tools/call",
        "params": {
            "name": "create_expense",
            "arguments": {"text": f"кофе {100 + n % 500}", "idempotency_key": key},
        },
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/mcp",
            json.dumps(message).encode(),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "X-Real-IP": "198.51.100.9",
            },
        )
        response = conn.getresponse()
        status, raw = response.status, response.read()
        retry_after = response.getheader("Retry-After")
    except OSError as exc:
        return 0, type(exc).__name__, key
    finally:
        conn.close()
    try:
        body = json.loads(raw)
    except ValueError:
        return status, "not JSON", key
    if "result" in body:
        result = body["result"]
        if result.get("isError"):
            error = (result.get("structuredContent") or {}).get("error", "?")
            return status, f"tool error {error}", key
        return status, "recorded", key
    if "error" in body and isinstance(body["error"], dict):
        data = body["error"].get("data") or {}
        return status, f"JSON-RPC error {data.get('error', body['error'].get('code'))}", key
    kind = f"JSON {body.get('error')}"
    if status == 503 and not retry_after:
        kind += " without Retry-After"
    return status, kind, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run under scripts/devservices")
    bot_actions.BENCH_DB = BENCH_DB
    url = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    bot_actions.create_database(url)
    directory = Path(tempfile.mkdtemp(prefix="kopilka-bench-mcp-"))
    redis = start_redis(directory)
    redis_url = f"unix://{directory / 'redis.sock'}"
    os.environ["REDIS_URL"] = redis_url
    token = bot_actions.prepare(url)  # migrates, makes "bench" and its full-scope token
    port = bot_actions.free_port()
    log_path = directory / "mcp.log"
    log = open(log_path, "wb")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve_mcp", "--port", str(port)],
        cwd=ROOT,
        env={**bot_actions.environment(url), "REDIS_URL": redis_url, "LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/mcp")
            conn.getresponse().read()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("serve_mcp did not start: " + log_path.read_text())
            time.sleep(0.2)

    answers: list[tuple[float, int, str, str]] = []
    lock = threading.Lock()
    started = time.monotonic()
    end = PHASES[-1][0]
    counter = iter(range(10**9))

    def client() -> None:
        while (now := time.monotonic() - started) < end:
            with lock:
                n = next(counter)
            status, kind, key = call(port, token, n)
            with lock:
                answers.append((now, status, kind, key))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    load = os.getloadavg()[0]
    name = BENCH_DB
    try:
        time.sleep(PHASES[0][0])
        maintain(
            admin_url,
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
        time.sleep(PHASES[1][0] - PHASES[0][0])
        maintain(admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        time.sleep(PHASES[2][0] - PHASES[1][0])
        redis.terminate()
        redis.wait()
        time.sleep(PHASES[3][0] - PHASES[2][0])
        redis = start_redis(directory)
        for thread in threads:
            thread.join()
    finally:
        maintain(admin_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        server.terminate()
        server.wait(timeout=30)
        redis.terminate()
        log.close()

    from django.db import connection

    connection.close()  # its session was ended with the others
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM finance_transaction")
        (rows,) = cursor.fetchone()
    text = log_path.read_text()
    lines = text.splitlines()
    recorded = sum(1 for _, _, kind, _ in answers if kind == "recorded")

    print(
        f"\nMCP (serve_mcp, one uvicorn process) under {CLIENTS} clients calling create_expense,"
        f" {len(answers)} calls in {end:.0f} s; load average {load:.1f}, {os.cpu_count()} CPUs"
    )
    begin = 0.0
    for until, label in PHASES:
        phase = Counter(
            f"{status} {kind}" for at, status, kind, _ in answers if begin <= at < until
        )
        print(f"  {begin:>4.0f}-{until:<4.0f} s {label}:")
        for answer, count in phase.most_common():
            print(f"      {count:>6}  {answer}")
        begin = until
    fivexx = Counter(
        f"{status} {kind}" for _, status, kind, _ in answers if status >= 500 and status != 503
    )
    print(f"  5xx other than 503: {sum(fivexx.values())} {dict(fivexx)}")
    print(
        f"  not JSON: {sum(1 for _, _, kind, _ in answers if kind == 'not JSON')};"
        f" no answer at all: {sum(1 for _, status, _, _ in answers if status == 0)}"
    )
    print(
        f"  server log: {len(lines)} lines, {sum('kopilka.outage' in line for line in lines)}"
        f" outage lines, {text.count('Traceback')} tracebacks"
    )
    print(
        f"  expenses acknowledged: {recorded}, in the database: {rows}"
        f" ({'none lost, none extra' if rows == recorded else 'MISMATCH'})"
    )
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
