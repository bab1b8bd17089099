"""`manage.py serve_mcp` on the test database, and the SDK's own client to talk to it."""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from botapi.tests.live import ROOT, LiveServer, _database_url, _free_port

T = TypeVar("T")
Operation = Callable[[ClientSession], Awaitable[T]]


def serve_mcp(**env: str) -> Iterator[LiveServer]:
    """Run serve_mcp on a free loopback port until the generator closes."""
    port = _free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="kopilka-mcp-"))
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TRUST_X_REAL_IP": "1",
        **env,
    }
    error_log = open(log_dir / "server.log", "wb")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_mcp", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=error_log,
        stderr=subprocess.STDOUT,
    )
    server = LiveServer("127.0.0.1", port, log_dir / "server.log")
    try:
        deadline = time.monotonic() + 120  # a busy machine starts Python slowly
        while True:
            if process.poll() is not None:
                raise RuntimeError((log_dir / "server.log").read_text())
            try:
                # (503: up, without the Redis or database a test took away from it.)
                if server.request("POST", "/mcp").status in (401, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "serve_mcp did not start: " + (log_dir / "server.log").read_text()
                )
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


@dataclass
class McpClient:
    """The SDK's ClientSession, one connection per call, for synchronous tests."""

    connect: Callable[[], Any]
    headers: dict[str, str] = field(default_factory=dict)

    def run(self, operation: Operation[T]) -> T:
        async def main() -> T:
            async with self.connect() as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                return await operation(session)

        return anyio.run(main)

    def list_tools(self) -> list[types.Tool]:
        return self.run(lambda s: s.list_tools()).tools

    def call(self, name: str, arguments: dict[str, Any] | None = None) -> types.CallToolResult:
        return self.run(lambda s: s.call_tool(name, arguments))


def http_client(url: str, headers: dict[str, str]) -> McpClient:
    """A client of the MCP server at `url` (its /mcp) sending `headers` with every request."""
    return McpClient(lambda: _http(url, headers), headers)


@asynccontextmanager
async def _http(url: str, headers: dict[str, str]) -> AsyncIterator[Any]:
    async with (
        create_mcp_http_client(headers=headers) as http,
        streamable_http_client(url, http_client=http) as streams,
    ):
        yield streams


def stdio(env: dict[str, str]) -> McpClient:
    """A client of clients/kopilka-mcp, started as a command with `env`."""
    parameters = StdioServerParameters(
        command=sys.executable, args=[str(ROOT / "clients" / "kopilka-mcp")], env=env
    )
    return McpClient(lambda: stdio_client(parameters))
