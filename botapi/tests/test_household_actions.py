"""The bot actions of a household: a split on create_expense and update_transaction,
get_balances, record_settlement and delete_settlement, in the token's ledger."""

import json
import uuid
from typing import Any

from accounts.models import Scope, User
from accounts.services import api_token_create
from botapi.tests.helpers import URL, clear_rate_limits
from finance.models import Settlement, Share, Transaction
from ledgers.tests.household import HouseholdTestCase


class HouseholdActionsTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        clear_rate_limits()
        self.token = self.issue(self.alice)

    def issue(self, user: User, scopes: list[str] | None = None) -> str:
        return api_token_create(
            user=user, ledger=self.home, name="bot", scopes=scopes or Scope.values, source="cli"
        ).raw

    def act(self, action: str, payload: dict[str, Any], *, token: str = "", key: str = "") -> Any:
        body = {"action": action, "payload": payload, "idempotency_key": key or str(uuid.uuid4())}
        return self.client.post(
            URL,
            data=json.dumps(body),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=token or self.token,
        )

    def test_create_expense_with_a_split(self) -> None:
        split = {
            "mode": "amounts",
            "members": [
                {"user": self.carol.pk, "share": "1000"},
                {"user": self.dave.pk, "share": 200},
            ],
        }
        response = self.act("create_expense", {"text": "продукты 1200", "split": split})
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual(
            result["split"],
            {
                "mode": "amounts",
                "members": [
                    {"user": self.carol.pk, "name": "carol", "share": "1000", "amount": "1000.00"},
                    {"user": self.dave.pk, "name": "dave", "share": "200", "amount": "200.00"},
                ],
            },
        )
        shares = Share.objects.filter(split_id=result["id"]).values_list("amount_minor", flat=True)
        self.assertEqual(sorted(shares), [20000, 100000])

    def test_create_expense_reads_split_words_and_refuses_a_bad_split(self) -> None:
        response = self.act("create_expense", {"text": "такси 600 за меня и carol"})
        members = response.json()["result"]["split"]["members"]
        self.assertEqual([m["amount"] for m in members], ["300.00", "300.00"])
        response = self.act(
            "create_expense",
            {
                "text": "такси 600",
                "split": {"mode": "shares", "members": [{"user": self.bob.pk, "share": "1"}]},
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            [(d["path"], d["code"]) for d in response.json()["details"]],
            [("payload.split", "split_not_member")],
        )
        response = self.act(
            "create_expense",
            {
                "text": "такси 600",
                "split": {"mode": "shares", "members": [{"user": 1, "share": 0.5}]},
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Transaction.objects.filter(ledger=self.home).count(), 1)

    def test_update_transaction_changes_the_split(self) -> None:
        tx = self.spend(self.alice, "300")
        response = self.act(
            "update_transaction",
            {
                "transaction_id": tx.pk,
                "split": {"mode": "equal", "members": [{"user": self.carol.pk}]},
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["result"]["split"]["members"][0]["amount"], "300.00")
        self.assertEqual(
            list(Share.objects.filter(split_id=tx.pk).values_list("user", flat=True)),
            [self.carol.pk],
        )

    def test_get_balances_and_settling_up(self) -> None:
        self.spend(self.alice, "300")
        reader = self.issue(self.carol, [Scope.SUMMARIES_READ])
        response = self.act("get_balances", {}, token=reader)
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual(
            result["settle"],
            [
                {"from": self.carol.pk, "to": self.alice.pk, "amount": "100.00", "currency": "RUB"},
                {"from": self.dave.pk, "to": self.alice.pk, "amount": "100.00", "currency": "RUB"},
            ],
        )
        # A summaries:read token records nothing.
        payload = {"from": self.carol.pk, "to": self.alice.pk, "amount": "100"}
        self.assertEqual(self.act("record_settlement", payload, token=reader).status_code, 403)
        carol = self.issue(self.carol)
        key = str(uuid.uuid4())
        first = self.act("record_settlement", payload, token=carol, key=key)
        self.assertEqual(first.status_code, 201, first.content)
        again = self.act("record_settlement", payload, token=carol, key=key)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(Settlement.objects.count(), 1)
        settlement_id = first.json()["result"]["id"]
        self.assertEqual(first.json()["result"]["from"], self.carol.pk)
        balances = self.act("get_balances", {}, token=reader).json()["result"]["balances"]
        self.assertEqual([b["balance"] for b in balances], ["100.00", "0.00", "-100.00"])
        response = self.act("delete_settlement", {"settlement_id": settlement_id}, token=carol)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["result"]["deleted"])
        response = self.act("delete_settlement", {"settlement_id": settlement_id}, token=carol)
        self.assertEqual(response.json()["details"][0]["code"], "settlement_not_found")

    def test_record_settlement_refusals(self) -> None:
        carol = self.issue(self.carol)
        response = self.act(
            "record_settlement",
            {"from": self.dave.pk, "to": self.alice.pk, "amount": "5"},
            token=carol,
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "settlement_not_party")
        response = self.act(
            "record_settlement",
            {"from": self.carol.pk, "to": self.bob.pk, "amount": "5"},
            token=carol,
        )
        self.assertEqual(
            [(d["path"], d["code"]) for d in response.json()["details"]],
            [("payload.to", "settlement_unknown_person")],
        )
        response = self.act(
            "record_settlement",
            {"from": self.carol.pk, "to": self.alice.pk, "amount": 5.5},
            token=carol,
        )
        self.assertEqual(response.json()["details"][0]["code"], "float_not_allowed")
        self.assertFalse(Settlement.objects.exists())

    def test_get_balances_converts(self) -> None:
        self.spend(self.alice, "300")
        response = self.act("get_balances", {"currency": "usd"})
        result = response.json()["result"]
        self.assertEqual((result["currency"], result["unconverted"]), ("USD", ["RUB"]))
        response = self.act("get_balances", {"currency": "QQQ"})
        self.assertEqual(
            [(d["path"], d["code"]) for d in response.json()["details"]],
            [("payload.currency", "unknown_currency")],
        )
