"""clients/kopilka-send against gunicorn, as the agent's pipeline runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import TransactionTestCase

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from botapi.models import IdempotencyKey
from botapi.tests.helpers import clear_rate_limits
from botapi.tests.live import LiveServer, _free_port
from finance.models import BudgetItem

SCRIPT = Path(__file__).resolve().parents[2] / "clients" / "kopilka-send"


@pytest.mark.usefixtures("live")
class KopilkaSendTestCase(TransactionTestCase):
    live: LiveServer

    def setUp(self) -> None:
        clear_rate_limits()
        self.alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=self.alice, name="agent", scopes=Scope.values, source="cli"
        ).raw

    def send(
        self, stdin: str, *args: str, token: str | None = None, url: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "KOPILKA_TOKEN": self.token if token is None else token,
            "KOPILKA_URL": url or f"{self.live.url}/api/bot/actions",
        }
        return subprocess.run(
            [sys.executable, str(SCRIPT), *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_it_sends_fenced_json_and_adds_the_key(self) -> None:
        month = f"{self.alice.today():%Y-%m}"
        request = {
            "action": "set_budget_item",
            "payload": {"month": month, "category": "cafe", "planned_amount": "8000"},
        }
        result = self.send(f"```json\n{json.dumps(request)}\n```\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("replay", result.stderr)
        body = json.loads(result.stdout)
        self.assertEqual(body["result"]["planned_amount"], "8000.00")
        self.assertEqual(IdempotencyKey.objects.get().key, body["idempotency_key"])
        # A key the agent gave is kept: sending the same message again replays it.
        again = self.send(json.dumps({**request, "idempotency_key": body["idempotency_key"]}))
        self.assertEqual(again.returncode, 0)
        self.assertEqual(json.loads(again.stdout), body)
        self.assertIn("nothing new was recorded", again.stderr)
        self.assertEqual(BudgetItem.objects.count(), 1)

    def test_a_refusal_exits_non_zero_with_the_error_body(self) -> None:
        readonly = api_token_create(
            user=self.alice, name="r", scopes=[Scope.SUMMARIES_READ], source="cli"
        ).raw
        result = self.send(
            '{"action": "create_expense", "payload": {"text": "кофе 250"}}', token=readonly
        )
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stdout)["error"], "insufficient_scope")

    def test_bad_input_and_set_up(self) -> None:
        for stdin, token in [("Sure! Here is the JSON.", None), ("[1, 2]", None), ("{}", "")]:
            with self.subTest(stdin=stdin, token=token):
                result = self.send(stdin, token=token)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, "")
        unreachable = self.send("{}", url=f"http://127.0.0.1:{_free_port()}/api/bot/actions")
        self.assertEqual(unreachable.returncode, 3)


def test_its_docstring_names_commands_that_exist() -> None:
    import ast
    import re

    from django.core.management import get_commands

    doc = ast.get_docstring(ast.parse(SCRIPT.read_text())) or ""
    named = re.findall(r"manage\.py (\w+)", doc)
    assert named, doc
    assert set(named) <= set(get_commands()), named
    assert "kopilka bot_prompt" not in doc
