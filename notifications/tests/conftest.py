from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import TransactionTestCase


@pytest.fixture(autouse=True)
def _an_empty_queue(request: Any, django_db_blocker: Any) -> Iterator[None]:
    """Start every notification test that uses the database with no job waiting. The
    queue's tables are not Django models: what earlier tests committed (a live server's
    writes defer budget checks) or an earlier run left outlives Django's cleanup."""
    cls = getattr(request.node, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs")
    yield
