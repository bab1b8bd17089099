from collections.abc import Iterator
from typing import Any

import pytest

from agents.tests.live import serve_mcp
from botapi.tests.live import LiveServer, serve


@pytest.fixture(scope="session")
def mcp_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LiveServer]:
    """One serve_mcp for the session, with the default limits (60 calls a minute per token)."""
    yield from serve_mcp()


@pytest.fixture(scope="session")
def bot_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LiveServer]:
    """gunicorn, for clients/kopilka-mcp to forward to."""
    yield from serve(WEB_CONCURRENCY="2")


@pytest.fixture(scope="class")
def live(request: Any, mcp_server: LiveServer, bot_server: LiveServer) -> None:
    request.cls.mcp = mcp_server
    request.cls.bot = bot_server
