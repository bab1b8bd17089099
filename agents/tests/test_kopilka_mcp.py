"""clients/kopilka-mcp over stdio, with the SDK's own client, forwarding to a live gunicorn."""

import json
import random
from typing import Any

import mcp_types as types
import pytest
from django.test import TransactionTestCase

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from agents.tests.live import McpClient, http_client, stdio
from audit.models import AuditLog
from botapi.tests.helpers import clear_rate_limits
from botapi.tests.live import LiveServer
from finance.models import Transaction


def body(result: types.CallToolResult) -> dict[str, Any]:
    assert result.content and isinstance(result.content[0], types.TextContent)
    data: dict[str, Any] = json.loads(result.content[0].text)
    return data


@pytest.mark.usefixtures("live")
class KopilkaMcpTestCase(TransactionTestCase):
    mcp: LiveServer
    bot: LiveServer

    def setUp(self) -> None:
        clear_rate_limits()
        self.alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=self.alice, name="desktop", scopes=Scope.values, source="cli"
        ).raw
        self.ip = f"198.51.100.{random.randint(1, 254)}"

    def bridge(self, **env: str) -> McpClient:
        return stdio({"KOPILKA_TOKEN": self.token, "KOPILKA_URL": self.bot.url, **env})

    def test_it_lists_the_same_tools_as_the_mcp_server(self) -> None:
        for language in ("ru", "en"):
            with self.subTest(language=language):
                bridged = self.bridge(KOPILKA_LANGUAGE=language).list_tools()
                served = http_client(
                    f"{self.mcp.url}/mcp",
                    {"Authorization": f"Bearer {self.token}", "Accept-Language": language},
                ).list_tools()
                self.assertEqual(
                    [t.model_dump() for t in bridged], [t.model_dump() for t in served]
                )

    def test_it_forwards_calls_to_the_bot_endpoint(self) -> None:
        client = self.bridge(KOPILKA_URL=f"{self.bot.url}/api/bot/actions")  # kopilka-send's form
        arguments = {"text": "кофе 250", "idempotency_key": "bridge-key-0001"}

        async def calls(session: Any) -> list[types.CallToolResult]:
            return [
                await session.call_tool("create_expense", arguments),
                await session.call_tool("create_expense", arguments),  # a retry
                await session.call_tool(
                    "set_budget_item", {"month": "2026-13", "planned_amount": "x"}
                ),
                await session.call_tool("create_expense", {"text": "такси 400", "dry_run": True}),
            ]

        first, retry, bad, dry = client.run(calls)
        self.assertFalse(first.is_error, first.content)
        self.assertEqual(body(first), body(retry))
        tx = Transaction.objects.get(created_by=self.alice)
        self.assertEqual((str(tx.amount), tx.source), ("250.00", "bot"))
        self.assertEqual(body(first)["result"]["id"], tx.pk)
        self.assertEqual(AuditLog.objects.filter(action="transaction.create").count(), 1)
        self.assertTrue(bad.is_error)
        self.assertEqual(
            [(d["path"], d["code"]) for d in body(bad)["details"]],
            [
                ("payload", "one_of"),
                ("payload.month", "invalid_format"),
                ("payload.planned_amount", "invalid"),
            ],
        )
        self.assertTrue(body(dry)["dry_run"])
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_wrong_token_is_a_tool_error(self) -> None:
        client = self.bridge(KOPILKA_TOKEN="kop_" + "A" * 36)
        result = client.call("get_summary", {})
        self.assertTrue(result.is_error)
        self.assertEqual(body(result)["error"], "authentication_failed")

    def test_an_unreachable_server_is_a_tool_error(self) -> None:
        result = self.bridge(KOPILKA_URL="http://127.0.0.1:9").call("get_summary", {})
        self.assertTrue(result.is_error)
        self.assertEqual(body(result)["error"], "unreachable")
