"""record_bank_messages and record_separately as MCP tools, over real HTTP."""

import random

import pytest
from django.test import TransactionTestCase

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from agents.tests.live import McpClient, http_client
from agents.tests.test_mcp_server import body
from botapi.tests.helpers import clear_rate_limits
from botapi.tests.live import LiveServer
from finance.models import Transaction
from finance.services.text import record_from_text

# Midnight: never later than now, so today whenever the test runs.
PURCHASE = "ECMC1234 00:00 Покупка 250р KOFEJNYA SHOKOLADNICA Баланс: 9750.00р"


@pytest.mark.usefixtures("live")
class BankMessagesToolTestCase(TransactionTestCase):
    mcp: LiveServer

    def setUp(self) -> None:
        clear_rate_limits()
        self.alice = user_create(username="alice", password=None, source="cli")
        token = api_token_create(user=self.alice, name="a", scopes=Scope.values, source="cli").raw
        self.headers = {
            "Authorization": f"Bearer {token}",
            "X-Real-IP": f"203.0.113.{random.randint(1, 254)}",
        }

    def connect(self) -> McpClient:
        return http_client(f"{self.mcp.url}/mcp", self.headers)

    def test_notifications_and_the_undo_of_a_match_through_tools(self) -> None:
        client = self.connect()
        self.assertIn("record_bank_messages", {t.name for t in client.list_tools()})
        typed = record_from_text(user=self.alice, kind="expense", text="250", source="web")
        recorded = client.call("record_bank_messages", {"text": PURCHASE})
        self.assertFalse(recorded.is_error, recorded.content)
        (item,) = body(recorded)["result"]["items"]
        self.assertEqual((item["outcome"], item["transaction"]["id"]), ("matched", typed.pk))
        separate = client.call("record_separately", {"match_id": item["match_id"]})
        self.assertFalse(separate.is_error, separate.content)
        result = body(separate)["result"]
        self.assertEqual((result["amount"], result["category"]["slug"]), ("250.00", "cafe"))
        self.assertEqual(Transaction.objects.get(pk=result["id"]).source, "mcp")
        self.assertEqual(Transaction.objects.count(), 2)
