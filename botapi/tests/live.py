"""gunicorn serving the test database, for tests over real HTTP between processes."""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveServer:
    host: str
    port: int
    access_log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Reply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def act(
        self,
        token: str | None,
        action: str,
        payload: Any,
        *,
        key: str | None = None,
        client_ip: str = "198.51.100.7",
        **extra: Any,
    ) -> Reply:
        body = {"action": action, "payload": payload, "idempotency_key": key or str(uuid.uuid4())}
        headers = {"Content-Type": "application/json", "X-Real-IP": client_ip}
        if token is not None:
            headers["X-Bot-Token"] = token
        return self.request(
            "POST", "/api/bot/actions", json.dumps({**body, **extra}).encode(), headers
        )

    def worker_pids(self) -> set[str]:
        """The gunicorn workers that answered so far, from the access log."""
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if line.strip()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url() -> str:
    """DATABASE_URL with the test database's name in place of the development one's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def serve(**env: str) -> Iterator[LiveServer]:
    """Run gunicorn (4 sync workers) on a free loopback port until the generator closes."""
    port = _free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="kopilka-live-"))
    access_log = log_dir / "access.log"
    access_log.touch()
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(access_log),
        "WEB_CONCURRENCY": "4",
        "TRUST_X_REAL_IP": "1",
        **env,
    }
    error_log = open(log_dir / "error.log", "wb")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "--access-logformat",
            '%(p)s %(s)s "%(r)s"',
            "config.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=error_log,
    )
    server = LiveServer("127.0.0.1", port, access_log)
    try:
        # Four workers importing Django on a busy 2-core machine can take a while.
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError((log_dir / "error.log").read_text())
            try:
                if server.request("GET", "/api/bot/schema").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + (log_dir / "error.log").read_text())
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        error_log.close()
