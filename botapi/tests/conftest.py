from collections.abc import Iterator
from typing import Any

import pytest

from botapi.tests.live import LiveServer, serve


@pytest.fixture(scope="session")
def live_server_4_workers(django_db_setup: Any, django_db_blocker: Any) -> Iterator[LiveServer]:
    """One gunicorn for the session, with the default limits (60 requests a minute per
    token, 30 failed authentications a minute per address)."""
    # Only the test database's name is read here; the server connects on its own.
    yield from serve()


@pytest.fixture(scope="class")
def live(request: Any, live_server_4_workers: LiveServer) -> None:
    request.cls.live = live_server_4_workers
