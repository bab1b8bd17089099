"""The bot API served by gunicorn through a real PgBouncer in transaction mode
(DATABASE_POOLING=transaction): the live contract's checks and the OpenAPI document's
conformance hold there as they do on a direct connection."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.db import connection
from django.test import TransactionTestCase
from schemathesis.generation import GenerationMode

from botapi.tests import test_live, test_openapi_fuzz
from botapi.tests.live import LiveServer, serve
from core.tests.topology import (
    PGBOUNCER_URL,
    needs,
    pgbouncer_admin,
    release_pgbouncer_sessions,
    url_of_test_database,
)

# Taken from their classes by name: a class imported here would be collected twice.
LIVE = vars(test_live.LiveBotApiTestCase)
FUZZ = vars(test_openapi_fuzz.OpenApiFuzzTestCase)


@pytest.fixture(scope="class")
def through_pgbouncer(request: Any, django_db_setup: Any) -> Iterator[None]:
    needs(PGBOUNCER_URL, "PgBouncer")
    try:
        for server in serve(
            DATABASE_URL=url_of_test_database(PGBOUNCER_URL),
            DATABASE_POOLING="transaction",
            WEB_CONCURRENCY="2",
            BOT_RATELIMIT_TOKEN="100000/m",
        ):
            request.cls.live = request.cls.server = server
            yield
    finally:
        release_pgbouncer_sessions()


@pytest.mark.usefixtures("through_pgbouncer")
class PgBouncerBotApiTestCase(TransactionTestCase):
    live: LiveServer
    server: LiveServer

    setUp = LIVE["setUp"]
    act = LIVE["act"]
    fuzz = FUZZ["fuzz"]
    test_every_status_code = LIVE["test_every_status_code"]
    test_every_action = LIVE["test_every_action"]
    test_replay_and_key_reuse = LIVE["test_replay_and_key_reuse"]
    test_fifty_concurrent_twins_create_one_transaction = LIVE[
        "test_fifty_concurrent_twins_create_one_transaction"
    ]

    def test_the_document_holds_for_valid_requests(self) -> None:
        self.schema = schemathesis.openapi.from_url(f"{self.server.url}/api/schema/")
        self.fuzz("POST", "/api/bot/actions", GenerationMode.POSITIVE, examples=20)

    def tearDown(self) -> None:
        # The gunicorn workers' connections were PgBouncer's clients, not PostgreSQL's.
        clients = pgbouncer_admin("SHOW CLIENTS")
        name = connection.settings_dict["NAME"]
        self.assertTrue(any(name in row for row in clients), clients)
