"""`make run` (scripts/serve) and gunicorn's settings, run as real processes."""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BANNER = "Serving Kopilka on"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def serve(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/serve"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_taken_web_port_is_named_before_anything_starts(taken_port: int) -> None:
    result = serve(PORT=str(taken_port), MCP_PORT=str(free_port()))
    assert result.returncode == 1
    assert f"port {taken_port} (the cabinet and the API) is taken: set PORT" in result.stderr
    # Nothing ran: no checks, no migrations, no banner naming a dead port.
    assert "System check" not in result.stdout + result.stderr
    assert BANNER not in result.stdout


def test_a_taken_mcp_port_is_named_too(taken_port: int) -> None:
    result = serve(PORT=str(free_port()), MCP_PORT=str(taken_port))
    assert result.returncode == 1
    assert f"port {taken_port} (the MCP server) is taken: set MCP_PORT" in result.stderr
    assert BANNER not in result.stdout
    same = serve(PORT="4567", MCP_PORT="4567")
    assert same.returncode == 1
    assert "PORT and MCP_PORT are both 4567" in same.stderr


def answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def children_of_session(session: int) -> dict[int, str]:
    """The command lines of the processes in `session` (the one this test started)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ProcessLookupError):
            continue
    return found


@pytest.mark.django_db(transaction=True)
def test_make_run_serves_says_its_notes_once_and_stops_as_one(tmp_path: Path) -> None:
    database = connection.settings_dict
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database["NAME"]
    port, mcp_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(
        DATABASE_URL=url,
        DEBUG="1",
        PORT=str(port),
        MCP_PORT=str(mcp_port),
        WEB_CONCURRENCY="1",
        HOME=str(tmp_path),  # where gunicorn's default control socket would go
        STATIC_ROOT=str(tmp_path / "static"),
        TELEGRAM_BOT_TOKEN="",
        TWILIO_ACCOUNT_SID="",
    )
    process = subprocess.Popen(
        ["scripts/serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while not any(BANNER in line for line in lines):
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.5)
        output = "".join(lines)
        # The checks ran once, not once per manage.py command.
        assert output.count("(messaging.I001)") == 1, output
        assert f"http://127.0.0.1:{port}/" in output and f"127.0.0.1:{mcp_port}/mcp" in output
        assert httpx.get(f"http://127.0.0.1:{port}/login/", timeout=60).status_code == 200
        assert answers(mcp_port)
        # No control socket shared with every other gunicorn of this user.
        assert not (tmp_path / ".gunicorn").exists()

        # One part stops: the others stop with it, and so does `make run`.
        mcp = [pid for pid, cmd in children_of_session(process.pid).items() if "serve_mcp" in cmd]
        assert len(mcp) == 1, children_of_session(process.pid)
        os.kill(mcp[0], signal.SIGKILL)
        assert process.wait(timeout=60) != 0
        assert not answers(port)
        assert "stopping the others" in "".join(lines)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def test_gunicorn_gets_a_control_socket_of_its_own_only_when_asked(tmp_path: Path) -> None:
    ctl = tmp_path / "kopilka.ctl"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(
        DEBUG="1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
        HOME=str(tmp_path),
        GUNICORN_CONTROL_SOCKET=str(ctl),
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (answers(port) and ctl.exists()):
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert ctl.is_socket()
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        process.terminate()
        process.wait(timeout=60)
