"""Lost PostgreSQL and Redis connections, for real, against gunicorn: a JSON 503 with
Retry-After on the API, a page in the cabinet, one log line each, and the next request
reconnects. Chunked request bodies over the same real HTTP."""

import http.client
import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import RequestFactory, TransactionTestCase
from mcp.shared.exceptions import MCPError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from agents import guard
from agents.auth import Authenticated, request_context
from agents.server import in_django
from agents.tests.live import serve_mcp
from botapi.tests.helpers import clear_rate_limits
from botapi.tests.live import LiveServer, Reply, serve
from finance.models import Transaction

JSON = "application/json"


@pytest.fixture(scope="class")
def one_worker(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # One worker, so that "the next request" is answered by the process that failed.
    for server in serve(WEB_CONCURRENCY="1"):
        request.cls.live = server
        yield


@pytest.fixture(scope="class")
def without_redis(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # A Redis that is not there: every cache call fails to connect.
    missing = f"unix:///tmp/kopilka-no-redis-{uuid.uuid4().hex}.sock"
    for server in serve(WEB_CONCURRENCY="1", REDIS_URL=missing):
        request.cls.live = server
        yield


def error_log(server: LiveServer) -> str:
    return (Path(server.access_log).parent / "error.log").read_text()


class LiveTestCase(TransactionTestCase):
    live: LiveServer

    def setUp(self) -> None:
        # An address of its own, so that other tests' failed attempts do not count here.
        clear_rate_limits()
        self.ip = f"203.0.113.{random.randint(1, 254)}"
        self.alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=self.alice, name="assistant", scopes=Scope.values, source="cli"
        ).raw

    def bot(self, action: str = "get_summary", payload: Any = None) -> Reply:
        return self.live.act(self.token, action, payload or {}, client_ip=self.ip)

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return self.live.request(method, path, body, {"X-Real-IP": self.ip, **(headers or {})})

    def assert_unavailable(self, reply: Reply) -> None:
        self.assertEqual(reply.status, 503, reply.body[:300])
        self.assertEqual(reply.headers["content-type"], "application/json")
        self.assertEqual(reply.json()["error"], "service_unavailable")
        self.assertTrue(int(reply.headers["retry-after"]) > 0)


class DatabaseCut:
    """Cutting the test database off, and giving it back."""

    def as_maintainer(self, *statements: str) -> None:
        """Run `statements` from the `postgres` database: one cannot lock oneself out."""
        params = {**connection.get_connection_params(), "dbname": "postgres"}
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as maintenance:
            for statement in statements:
                maintenance.execute(statement)

    def cut_the_database(self) -> None:
        """Refuse new connections to the test database and end the app's sessions."""
        name = connection.settings_dict["NAME"]
        self.as_maintainer(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND pid <> {connection.connection.info.backend_pid}",
        )

    def restore_the_database(self) -> None:
        name = connection.settings_dict["NAME"]
        self.as_maintainer(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.mark.usefixtures("one_worker")
class DatabaseOutageTestCase(DatabaseCut, LiveTestCase):
    def test_every_door_answers_503_and_the_next_request_reconnects(self) -> None:
        access = str(RefreshToken.for_user(self.alice).access_token)
        session = SessionStore()
        session[SESSION_KEY] = str(self.alice.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = self.alice.get_session_auth_hash()
        session.create()
        jwt = {"Authorization": f"Bearer {access}"}
        cabinet = {"Cookie": f"sessionid={session.session_key}"}
        self.assertEqual(self.bot().status, 200)
        self.assertEqual(self.send("GET", "/api/categories/", headers=jwt).status, 200)
        self.assertEqual(self.send("GET", "/", headers=cabinet).status, 200)
        log_before = error_log(self.live)

        self.cut_the_database()
        try:
            self.assert_unavailable(self.bot())
            self.assert_unavailable(self.bot("create_expense", {"amount": "250"}))
            self.assert_unavailable(self.send("GET", "/api/categories/", headers=jwt))
            login = json.dumps({"username": "alice", "password": "x"}).encode()
            self.assert_unavailable(
                self.send("POST", "/api/auth/token/", login, {"Content-Type": JSON})
            )
            page = self.send("GET", "/", headers={**cabinet, "Accept-Language": "en"})
            self.assertEqual(page.status, 503)
            self.assertIn("text/html", page.headers["content-type"])
            self.assertIn(b"Back in a moment", page.body)
            self.assertIn("retry-after", page.headers)
        finally:
            self.restore_the_database()

        # Reconnected, and what the client was told failed did not happen.
        self.assertEqual(self.bot().status, 200)
        self.assertEqual(self.send("GET", "/api/categories/", headers=jwt).status, 200)
        self.assertEqual(self.send("GET", "/", headers=cabinet).status, 200)
        self.assertFalse(Transaction.objects.exists())
        log = error_log(self.live)[len(log_before) :]
        self.assertEqual(log.count("kopilka.outage"), 5, log)
        self.assertNotIn("Traceback", log)


@pytest.mark.usefixtures("without_redis")
class RedisOutageTestCase(LiveTestCase):
    def test_a_lost_cache_is_a_503_too(self) -> None:
        self.assert_unavailable(self.bot())
        login = json.dumps({"username": "alice", "password": "x"}).encode()
        self.assert_unavailable(
            self.send("POST", "/api/auth/token/", login, {"Content-Type": JSON})
        )
        log = error_log(self.live)
        self.assertIn("kopilka.outage", log)
        self.assertNotIn("Traceback", log)


@pytest.mark.usefixtures("one_worker")
class ChunkedBodyTestCase(LiveTestCase):
    def send_chunked(self, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        conn = http.client.HTTPConnection(self.live.host, self.live.port, timeout=30)
        try:
            chunks = (body[i : i + 7] for i in range(0, len(body), 7))
            conn.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
            response = conn.getresponse()
            return Reply(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            conn.close()

    def test_a_chunked_body_is_read_not_seen_as_empty(self) -> None:
        envelope = {
            "action": "create_expense",
            "payload": {"text": "кофе 250"},
            "idempotency_key": str(uuid.uuid4()),
        }
        reply = self.send_chunked(
            "/api/bot/actions",
            json.dumps(envelope).encode(),
            {"Content-Type": JSON, "X-Bot-Token": self.token, "X-Real-IP": self.ip},
        )
        self.assertEqual(reply.status, 201, reply.body)
        self.assertEqual(Transaction.objects.get().amount, 250)


# The MCP server (uvicorn): the same outages, the same answers.


@pytest.fixture(scope="class")
def mcp_server(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    for server in serve_mcp():
        request.cls.live = server
        yield


@pytest.fixture(scope="class")
def mcp_without_redis(request: Any, django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    missing = f"unix:///tmp/kopilka-no-redis-{uuid.uuid4().hex}.sock"
    for server in serve_mcp(REDIS_URL=missing):
        request.cls.live = server
        yield


class McpTestCase(LiveTestCase):
    def mcp(self, method: str = "tools/call", params: Any = None) -> Reply:
        params = params if params is not None else {"name": "get_summary", "arguments": {}}
        message = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return self.send(
            "POST",
            "/mcp",
            json.dumps(message).encode(),
            {
                "Authorization": f"Bearer {self.token}",
                "Content-Type": JSON,
                "Accept": "application/json, text/event-stream",
            },
        )


@pytest.mark.usefixtures("mcp_server")
class McpDatabaseOutageTestCase(DatabaseCut, McpTestCase):
    def test_a_lost_database_is_a_json_503_and_the_next_call_reconnects(self) -> None:
        self.assertEqual(self.mcp().status, 200)
        log_before = self.live.access_log.read_text()
        self.cut_the_database()
        try:
            for method in ("tools/call", "tools/list", "resources/read"):
                params = {"uri": "kopilka://categories"} if method == "resources/read" else None
                self.assert_unavailable(self.mcp(method, params))
        finally:
            self.restore_the_database()
        reply = self.mcp()
        self.assertEqual(reply.status, 200, reply.body)
        self.assertFalse(reply.json()["result"]["isError"])
        log = self.live.access_log.read_text()[len(log_before) :]
        self.assertEqual(log.count("kopilka.outage"), 3, log)
        self.assertNotIn("Traceback", log)


@pytest.mark.usefixtures("mcp_without_redis")
class McpRedisOutageTestCase(McpTestCase):
    def test_a_lost_cache_is_the_json_rpc_error_of_an_outage(self) -> None:
        # Admission reads no cache (the failed-authentication limit counts failures
        # only): the call's own rate limit meets the outage, inside the handler.
        reply = self.mcp()
        self.assertEqual(reply.status, 200, reply.body)
        error = reply.json()["error"]
        self.assertEqual(error["code"], guard.SERVICE_UNAVAILABLE)
        self.assertEqual(error["data"]["error"], "service_unavailable")
        self.assertEqual(error["data"]["retry_after"], 5)
        log = self.live.access_log.read_text()
        self.assertIn("503 MCP", log)
        self.assertNotIn("Traceback", log)


class McpHandlerOutageTestCase(TransactionTestCase):
    """An outage that begins after the request was admitted, inside a handler: the
    JSON-RPC error a client can read, with the contract's body, logged as one line."""

    def test_it_is_a_json_rpc_error_with_the_contracts_body(self) -> None:
        alice = user_create(username="alice", password=None, source="cli")
        token = api_token_create(user=alice, name="a", scopes=Scope.values, source="cli").token
        request = RequestFactory().post("/mcp")
        caller = Authenticated(token, "en", request, request_context(request))

        def lost() -> None:
            raise OperationalError("server closed the connection unexpectedly")

        with (
            self.assertLogs("kopilka.outage", "WARNING") as logged,
            self.assertRaises(MCPError) as caught,
        ):
            anyio.run(in_django, caller, lost)
        self.assertEqual(caught.exception.error.code, guard.SERVICE_UNAVAILABLE)
        data = caught.exception.error.data
        self.assertEqual(data["error"], "service_unavailable")
        self.assertEqual(data["retry_after"], 5)
        self.assertEqual(len(logged.output), 1)
