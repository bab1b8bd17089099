"""The MCP server over real HTTP: serve_mcp on loopback, the SDK's own client, the test database."""

import base64
import json
import random
from datetime import timedelta
from typing import Any

import mcp_types as types
import pytest
from django.test import TransactionTestCase
from django.utils import timezone

from accounts.models import ApiToken, Scope
from accounts.services import api_token_create, api_token_revoke, user_create
from agents import tools
from agents.tests.live import McpClient, http_client
from audit.models import AuditLog
from botapi.actions import ACTIONS, LARGEST_BODY
from botapi.models import IdempotencyKey
from botapi.tests.helpers import clear_rate_limits
from botapi.tests.live import LiveServer
from finance.models import BudgetItem, Transaction
from finance.tests.receipt_photos import photo_of

RECEIPT_QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
COMBINATORS = {"additionalProperties", "anyOf", "oneOf", "allOf", "$schema", "examples"}


def keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in `schema`, property names aside."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            if key == "properties":
                for sub in value.values():
                    found |= keywords(sub)
            else:
                found |= keywords(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= keywords(item)
    return found


def body(result: types.CallToolResult) -> dict[str, Any]:
    """The tool result's JSON, read from its text as a client without structured content would."""
    assert result.content and isinstance(result.content[0], types.TextContent)
    data: dict[str, Any] = json.loads(result.content[0].text)
    assert result.structured_content == data
    return data


def request_rows() -> Any:
    return AuditLog.objects.filter(source="mcp", status_code__isnull=False)


@pytest.mark.usefixtures("live")
class McpServerTestCase(TransactionTestCase):
    mcp: LiveServer
    bot: LiveServer

    def setUp(self) -> None:
        clear_rate_limits()
        self.alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=self.alice, name="assistant", scopes=Scope.values, source="cli"
        ).raw
        self.readonly = api_token_create(
            user=self.alice, name="reader", scopes=[Scope.SUMMARIES_READ], source="cli"
        ).raw
        # An address of its own per test, so that failed authentications do not add up.
        self.ip = f"203.0.113.{random.randint(1, 254)}"

    def connect(self, token: str | None = None, **headers: str) -> McpClient:
        headers = {"X-Real-IP": self.ip, **headers}
        headers.setdefault("Authorization", f"Bearer {token or self.token}")
        return http_client(f"{self.mcp.url}/mcp", headers)

    def post(self, headers: dict[str, str], message: dict[str, Any] | None = None) -> Any:
        message = message or {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        return self.mcp.request(
            "POST",
            "/mcp",
            json.dumps(message).encode(),
            {
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                "X-Real-IP": self.ip,
                **headers,
            },
        )

    def test_the_tool_list_is_the_registry(self) -> None:
        listed = {tool.name: tool for tool in self.connect().list_tools()}
        self.assertEqual(list(listed), list(ACTIONS))
        for name, action in ACTIONS.items():
            with self.subTest(tool=name):
                tool = listed[name]
                schema = tool.input_schema
                self.assertEqual(schema, tools.input_schema(action, "ru"))
                self.assertFalse(keywords(schema) & COMBINATORS)
                # Every field of the action, with its type and description, plus the key.
                expected = set(action.schema["properties"]) | {"idempotency_key"}
                if action.dry_run:
                    expected.add("dry_run")
                self.assertEqual(set(schema["properties"]), expected)
                self.assertEqual(schema.get("required", []), action.schema.get("required", []))
                for field, sub in action.schema["properties"].items():
                    self.assertTrue(schema["properties"][field]["type"])
                    self.assertEqual(
                        schema["properties"][field]["description"], sub["x-description-ru"]
                    )
                # In the token owner's language (alice's is Russian).
                self.assertEqual(tool.description, action.schema["x-description-ru"])
                annotations = tool.annotations
                assert annotations is not None
                self.assertEqual(annotations.read_only_hint, not action.writes)
                self.assertEqual(
                    annotations.destructive_hint,
                    name in {"delete_transaction", "delete_recurring", "delete_settlement"},
                )
                self.assertTrue(annotations.idempotent_hint)
        read_only = {n for n, t in listed.items() if t.annotations and t.annotations.read_only_hint}
        self.assertEqual(
            read_only, {"get_summary", "list_categories", "list_recurring", "get_balances"}
        )
        self.assertEqual(
            listed["set_budget_item"].input_schema["properties"]["planned_amount"]["type"], "string"
        )
        english = {t.name: t for t in self.connect(**{"Accept-Language": "en"}).list_tools()}
        self.assertEqual(
            english["create_expense"].description, ACTIONS["create_expense"].description
        )

    def test_every_action_through_a_tool(self) -> None:
        client = self.connect()
        month = f"{self.alice.today():%Y-%m}"
        expense = client.call("create_expense", {"text": "кофе 250"})
        self.assertFalse(expense.is_error, expense.content)
        result = body(expense)["result"]
        self.assertEqual((result["amount"], result["category"]["slug"]), ("250.00", "cafe"))
        tx = Transaction.objects.get(pk=result["id"])
        self.assertEqual((tx.kind, tx.source, str(tx.amount)), ("expense", "mcp", "250.00"))

        income = client.call("create_income", {"text": "зарплата 120000"})
        self.assertEqual(body(income)["result"]["kind"], "income")

        budget = client.call(
            "set_budget_item", {"month": month, "category": "кофе", "planned_amount": "8000"}
        )
        self.assertFalse(budget.is_error, budget.content)
        item = BudgetItem.objects.get(pk=body(budget)["result"]["id"])
        self.assertEqual(str(item.planned_amount), "8000.00")

        summary = body(client.call("get_summary", {"month": month}))["result"]
        self.assertEqual(summary["expense"], "250.00")
        self.assertEqual(summary["income"], "120000.00")
        categories = body(client.call("list_categories", {"kind": "expense"}))["result"]
        self.assertIn("cafe", {c["slug"] for c in categories["categories"]})
        # A personal ledger: nobody owes anybody.
        balances = body(client.call("get_balances", {}))["result"]
        self.assertEqual((balances["balances"], balances["settle"]), ([], []))

        dry = client.call("create_expense", {"text": "такси 400", "dry_run": True})
        self.assertTrue(body(dry)["dry_run"])
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 2)

        deleted = client.call("delete_transaction", {"transaction_id": tx.pk})
        self.assertTrue(body(deleted)["result"]["deleted"])
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())

    def test_a_receipts_photo_through_the_tool_then_its_text_is_a_duplicate(self) -> None:
        client = self.connect()
        photo = base64.b64encode(photo_of(RECEIPT_QR)).decode()
        self.assertGreater(len(photo), 64 * 1024)  # more than any other action may send
        recorded = client.call("record_receipt", {"image": photo, "text": "продукты"})
        self.assertFalse(recorded.is_error, recorded.content)
        result = body(recorded)["result"]
        self.assertFalse(result["duplicate"])
        transaction = result["transaction"]
        self.assertEqual(
            (transaction["kind"], transaction["amount"], transaction["date"]),
            ("expense", "1250.00", "2026-11-24"),
        )
        self.assertEqual(transaction["category"]["slug"], "groceries")
        tx = Transaction.objects.get(pk=transaction["id"])
        self.assertEqual((tx.source, tx.receipt.fn), ("mcp", "9282000100072197"))

        again = body(client.call("record_receipt", {"qr": RECEIPT_QR}))["result"]
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["transaction"]["id"], tx.pk)
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 1)

    def test_a_retried_call_with_the_same_key_records_once(self) -> None:
        client = self.connect()
        arguments = {"text": "кофе 250", "idempotency_key": "mcp-retry-0001"}
        first = client.call("create_expense", arguments)
        second = client.call("create_expense", arguments)
        self.assertEqual(body(first), body(second))
        self.assertIsNone(first.meta)
        self.assertEqual(second.meta, {"kopilka/replayed": True})
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 1)
        self.assertEqual(IdempotencyKey.objects.filter(key="mcp-retry-0001").count(), 1)
        replayed = request_rows().filter(idempotency_key="mcp-retry-0001").latest("id")
        self.assertTrue(replayed.details["replayed"])
        # The same key for something else is refused; no key is a fresh one each time.
        reused = client.call(
            "create_expense", {"text": "чай 90", "idempotency_key": "mcp-retry-0001"}
        )
        self.assertEqual(body(reused)["error"], "idempotency_key_reused")
        one, two = (body(client.call("create_expense", {"text": "чай 90"})) for _ in range(2))
        self.assertNotEqual(one["idempotency_key"], two["idempotency_key"])
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 3)

    def test_bad_arguments_are_a_tool_error_listing_every_problem(self) -> None:
        client = self.connect()
        result = client.call(
            "set_budget_item",
            {
                "month": "2026-13",
                "category": "cafe",
                "category_id": 1,
                "planned_amount": 1.5,
                "colour": "red",
                "idempotency_key": "short",
            },
        )
        self.assertTrue(result.is_error)
        error = body(result)
        self.assertEqual(error["error"], "validation_error")
        self.assertTrue(error["message"])
        self.assertEqual(
            [(d["path"], d["code"]) for d in error["details"]],
            [
                ("idempotency_key", "invalid_format"),
                ("payload", "one_of"),
                ("payload.colour", "unknown_field"),
                ("payload.month", "invalid_format"),
                ("payload.planned_amount", "float_not_allowed"),
            ],
        )
        unknown = body(client.call("make_coffee", {}))
        self.assertEqual([d["code"] for d in unknown["details"]], ["unknown_action"])
        nothing = body(client.call("create_expense"))
        self.assertEqual(
            [(d["path"], d["code"]) for d in nothing["details"]], [("payload.text", "required")]
        )
        self.assertFalse(BudgetItem.objects.exists())
        self.assertFalse(Transaction.objects.exists())

    def test_no_token_a_wrong_one_and_a_revoked_one_are_401(self) -> None:
        revoked = api_token_create(user=self.alice, name="old", scopes=Scope.values, source="cli")
        api_token_revoke(token=revoked.token, source="cli")
        expired = api_token_create(
            user=self.alice,
            name="expired",
            scopes=Scope.values,
            expires_at=timezone.now() + timedelta(seconds=1),
            source="cli",
        )
        ApiToken.objects.filter(pk=expired.token.pk).update(
            expires_at=timezone.now() - timedelta(days=1)
        )
        cases = [
            ({}, "token_missing"),
            ({"Authorization": "Basic YWxpY2U6cGFzcw=="}, "token_missing"),
            ({"Authorization": "Bearer kop_nonsense"}, "token_malformed"),
            ({"X-Bot-Token": "kop_" + "A" * 36}, "token_malformed"),
            ({"Authorization": f"Bearer {revoked.raw}"}, "token_invalid"),
            ({"X-Bot-Token": expired.raw}, "token_invalid"),
        ]
        for headers, code in cases:
            with self.subTest(headers=headers):
                reply = self.post(headers)
                self.assertEqual(reply.status, 401, reply.body)
                self.assertTrue(reply.headers["www-authenticate"].startswith("Bearer"))
                self.assertEqual(reply.json()["error"], "authentication_failed")
                self.assertEqual([d["code"] for d in reply.json()["details"]], [code])
        # Both headers work for the right token.
        self.assertEqual(self.post({"X-Bot-Token": self.token}).status, 200)
        self.assertEqual(self.post({"Authorization": f"bearer {self.token}"}).status, 200)
        # The SDK's client gets no further than the HTTP status.
        with self.assertRaises(Exception):  # noqa: B017  (the SDK wraps it in an ExceptionGroup)
            self.connect(token=revoked.raw).list_tools()
        rows = request_rows().filter(status_code=401)
        self.assertGreaterEqual(rows.count(), len(cases))
        self.assertEqual({r.error_code for r in rows}, {"authentication_failed"})

    def test_a_revoked_token_stops_at_its_next_call(self) -> None:
        issued = api_token_create(user=self.alice, name="soon", scopes=Scope.values, source="cli")
        client = self.connect(token=issued.raw)
        self.assertFalse(client.call("get_summary", {}).is_error)
        api_token_revoke(token=issued.token, source="cli")
        with self.assertRaises(Exception):  # noqa: B017
            client.call("get_summary", {})

    def test_a_token_lacking_the_scope(self) -> None:
        client = self.connect(token=self.readonly)
        refused = client.call("create_expense", {"text": "кофе 250"})
        self.assertTrue(refused.is_error)
        self.assertEqual(body(refused)["error"], "insufficient_scope")
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(client.call("get_summary", {}).is_error)
        row = request_rows().get(action="create_expense")
        self.assertEqual((row.status_code, row.error_code), (403, "insufficient_scope"))

    def test_the_token_rate_limit(self) -> None:
        issued = api_token_create(
            user=self.alice, name="busy", scopes=[Scope.SUMMARIES_READ], source="cli"
        )

        # (A sliding window: no edge to wait for.)
        async def burst(session: Any) -> list[types.CallToolResult]:
            return [await session.call_tool("list_categories", {}) for _ in range(62)]

        results = self.connect(token=issued.raw).run(burst)
        self.assertEqual([r.is_error for r in results], [False] * 60 + [True] * 2)
        refused = body(results[-1])
        self.assertEqual(refused["error"], "rate_limited")
        # In the token owner's language (alice's, Russian), with the seconds to wait.
        self.assertRegex(refused["message"], r"^Слишком много запросов\. Повторите через \d+ с\.$")
        # Another token of the same user has a bucket of its own.
        self.assertFalse(self.connect(token=self.readonly).call("list_categories", {}).is_error)
        rows = request_rows().filter(token=issued.token, status_code=429)
        self.assertEqual(rows.count(), 2)
        self.assertEqual(
            {(r.action, r.error_code) for r in rows}, {("list_categories", "rate_limited")}
        )

    def test_the_audit_rows_say_mcp(self) -> None:
        client = self.connect(**{"X-Request-ID": "mcp-audit-1"})
        client.call("create_expense", {"text": "кофе 250", "idempotency_key": "mcp-audit-key-1"})
        client.call("create_expense", {"text": ""})
        row = request_rows().get(idempotency_key="mcp-audit-key-1")
        self.assertEqual((row.action, row.status_code, row.source), ("create_expense", 201, "mcp"))
        self.assertEqual(row.token.name, "assistant")
        self.assertEqual((row.request_id, row.client_ip), ("mcp-audit-1", self.ip))
        self.assertEqual(AuditLog.objects.get(action="transaction.create").source, "mcp")
        failed = request_rows().filter(status_code=400).latest("id")
        self.assertEqual(failed.details["codes"], ["blank"])
        for row in AuditLog.objects.all():
            self.assertNotIn(self.token, str(row.__dict__))

    def test_resources_and_prompts(self) -> None:
        client = self.connect()

        async def read(session: Any) -> tuple[Any, ...]:
            listed = await session.list_resources()
            categories = await session.read_resource("kopilka://categories")
            summary = await session.read_resource("kopilka://summary/current-month")
            prompts = await session.list_prompts()
            record = await session.get_prompt("record", {"text": "кофе 300"})
            review = await session.get_prompt("review_month", {})
            return listed, categories, summary, prompts, record, review

        listed, categories, summary, prompts, record, review = client.run(read)
        self.assertEqual(
            [str(r.uri) for r in listed.resources],
            ["kopilka://categories", "kopilka://summary/current-month"],
        )
        slugs = {c["slug"] for c in json.loads(categories.contents[0].text)["categories"]}
        self.assertIn("groceries", slugs)
        self.assertEqual(
            json.loads(summary.contents[0].text)["month"], f"{self.alice.today():%Y-%m}"
        )
        self.assertEqual([p.name for p in prompts.prompts], ["record", "review_month"])
        self.assertIn("кофе 300", record.messages[0].content.text)
        self.assertIn("create_expense", record.messages[0].content.text)
        self.assertIn(f"{self.alice.today():%Y-%m}", review.messages[0].content.text)
        self.assertFalse(Transaction.objects.exists())  # a prompt only asks

    def assert_refused(self, reply: Any, status: int, error: str) -> None:
        """The SDK's refusal, in the contract's JSON body."""
        self.assertEqual(reply.status, status, reply.body)
        self.assertEqual(reply.headers["content-type"], "application/json")
        body = reply.json()
        self.assertEqual(body["error"], error)
        self.assertTrue(body["message"])

    def test_a_host_outside_allowed_hosts_is_refused(self) -> None:
        reply = self.post({"Authorization": f"Bearer {self.token}", "Host": "evil.example:4001"})
        self.assert_refused(reply, 421, "host_not_allowed")
        origin = {"Authorization": f"Bearer {self.token}", "Origin": "https://evil.example"}
        self.assert_refused(self.post(origin), 403, "origin_not_allowed")
        self.assertEqual(self.post({"Authorization": f"Bearer {self.token}"}).status, 200)

    def test_every_refusal_of_the_sdk_is_json(self) -> None:
        auth = {"Authorization": f"Bearer {self.token}", "X-Real-IP": self.ip}
        big = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "x", "params": {"p": "y" * LARGEST_BODY}}
        )
        reply = self.mcp.request(
            "POST",
            "/mcp",
            big.encode(),
            {
                **auth,
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            },
        )
        self.assert_refused(reply, 413, "too_large")
        message = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
        odd = [
            ("GET", None, {}),
            ("DELETE", None, {"Accept": "application/json, text/event-stream"}),
            ("PUT", message, {"Content-Type": "application/json"}),
            ("POST", message, {"Content-Type": "application/json", "Accept": "text/html"}),
            ("POST", message, {"Content-Type": "text/plain", "Accept": "application/json"}),
        ]
        for method, body, headers in odd:
            with self.subTest(method=method, headers=headers):
                reply = self.mcp.request(method, "/mcp", body, {**auth, **headers})
                self.assertGreaterEqual(reply.status, 400)
                self.assertLess(reply.status, 500)
                self.assertEqual(reply.headers["content-type"], "application/json")
                self.assertIn("error", reply.json())

    def test_the_access_log_keeps_no_query_string(self) -> None:
        secret = "kop_" + "S" * 40
        reply = self.mcp.request("POST", f"/mcp?token={secret}&x=1", b"{}", {"X-Real-IP": self.ip})
        self.assertEqual(reply.status, 401)
        log = self.mcp.access_log.read_text()
        self.assertIn('"POST /mcp HTTP/1.1" 401', log)
        self.assertNotIn(secret, log)
        self.assertNotIn("token=", log)

    def test_a_bad_request_is_never_a_500(self) -> None:
        auth = {"Authorization": f"Bearer {self.token}"}
        cases = [
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": 5}},
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "get_summary", "arguments": [1]},
            },
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "resources/read",
                "params": {"uri": "kopilka://nothing"},
            },
            {"jsonrpc": "2.0", "id": 4, "method": "prompts/get", "params": {"name": "nothing"}},
            {"jsonrpc": "2.0", "id": 5, "method": "no/such/method"},
        ]
        for message in cases:
            with self.subTest(message=message):
                reply = self.post(auth, message)
                self.assertLess(reply.status, 500, reply.body)
        garbage = self.mcp.request(
            "POST",
            "/mcp",
            b"{not json",
            {
                **auth,
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            },
        )
        self.assertLess(garbage.status, 500)
