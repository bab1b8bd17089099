"""A household of three (alice, carol, and dave who may only read) records split expenses
from the cabinet, the JWT API, the bot and their Telegram group; each place says the same
about who owes whom; they settle up and every balance is zero.

By the definitions: alice pays 900 for all three (+600, -300, -300); carol pays 600 for
herself and dave (0, +300, -300 in all: alice +600, carol 0, dave -600); alice pays 300
for herself and carol (+750, -150, -600); carol pays 1200 for everyone (+350, +650, -1000).
The fewest transfers: dave -> carol 650, dave -> alice 350.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import time_machine
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Scope
from accounts.services import api_token_create
from finance.models import Settlement
from ledgers.services import ledger_activate
from messaging.tests.helpers import ALICE_TG
from messaging.tests.test_groups import CAROL_TG, GroupTestCase


@time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), tick=False)
class HouseholdStoryTestCase(GroupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_group()
        self.api = APIClient()
        self.api.credentials(
            HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(self.carol).access_token}"
        )
        self.bot_token = api_token_create(
            user=self.alice, ledger=self.home, name="bot", scopes=Scope.values, source="cli"
        ).raw

    def bot(self, action: str, payload: dict[str, Any]) -> Any:
        body = {"action": action, "payload": payload, "idempotency_key": str(uuid.uuid4())}
        return self.client.post(
            "/api/bot/actions",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=self.bot_token,
        )

    def expected(self, alice: str, carol: str, dave: str) -> list[dict[str, Any]]:
        return [
            {"user": self.alice.pk, "name": "alice", "currency": "RUB", "balance": alice},
            {"user": self.carol.pk, "name": "carol", "currency": "RUB", "balance": carol},
            {"user": self.dave.pk, "name": "dave", "currency": "RUB", "balance": dave},
        ]

    def test_they_split_see_and_settle(self) -> None:
        # The cabinet: alice, the ledger's default (equally among all three).
        ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.client.force_login(self.alice)
        form = {
            "kind": "expense",
            "amount": "900",
            "currency": "RUB",
            "category": str(self.home_category("groceries").pk),
            "date": "2026-11-03",
            "note": "",
        }
        self.assertEqual(self.client.post("/transactions/add/", form).status_code, 302)
        # The API: carol, for herself and dave.
        split = {"mode": "equal", "members": [{"user": self.carol.pk}, {"user": self.dave.pk}]}
        response = self.api.post(
            f"/api/transactions/?ledger={self.home.pk}",
            {
                "kind": "expense",
                "amount": "600",
                "category": self.home_category("home").pk,
                "split": split,
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        # The bot: alice's agent, in her words.
        response = self.bot("create_expense", {"text": "такси 300 за меня и carol"})
        self.assertEqual(response.status_code, 201, response.content)
        # The Telegram group: carol, for everyone.
        self.write("пицца 1200 за всех", CAROL_TG)

        expected = self.expected("350.00", "650.00", "-1000.00")
        settle = [
            {"from": self.dave.pk, "to": self.carol.pk, "amount": "650.00", "currency": "RUB"},
            {"from": self.dave.pk, "to": self.alice.pk, "amount": "350.00", "currency": "RUB"},
        ]
        # The same in every place.
        api = self.api.get(f"/api/ledgers/{self.home.pk}/balances/").json()
        self.assertEqual((api["balances"], api["settle"]), (expected, settle))
        bot = self.bot("get_balances", {}).json()["result"]
        self.assertEqual((bot["balances"], bot["settle"]), (expected, settle))
        (reply,) = self.write("/balance", ALICE_TG)
        text = reply["text"].replace("\xa0", " ")
        for line in (
            "alice: +350,00 ₽",
            "carol: +650,00 ₽",
            "dave: −1 000,00 ₽",
            "dave → carol: 650,00 ₽",
            "dave → alice: 350,00 ₽",
        ):
            self.assertIn(line, text)
        page = self.client.get(f"/ledgers/{self.home.pk}/").content.decode()
        self.assertIn("dave → carol: 650,00 RUB", page)
        self.assertIn("dave → alice: 350,00 RUB", page)

        # Settling up: carol presses the group's button for what dave paid her...
        (reply,) = self.write("/settle", CAROL_TG)
        data = self.buttons(reply)[0][1]
        self.press(data, message_id=self.last_message_id(), sender=CAROL_TG)
        # ...and alice records dave's payment to her on the ledger's page.
        recorded = self.client.post(
            f"/ledgers/{self.home.pk}/settlements/",
            {
                "from_user": self.dave.pk,
                "to_user": self.alice.pk,
                "amount": "350.00",
                "currency": "RUB",
            },
        )
        self.assertEqual(recorded.status_code, 302)
        self.assertEqual(
            sorted(Settlement.objects.values_list("source", "amount")),
            [("telegram", 650), ("web", 350)],
        )
        api = self.api.get(f"/api/ledgers/{self.home.pk}/balances/").json()
        self.assertEqual(
            (api["balances"], api["settle"]), (self.expected("0.00", "0.00", "0.00"), [])
        )
        (reply,) = self.write("/settle", ALICE_TG)
        self.assertIn("Все в расчёте", reply["text"])
        # None of it is spending: the month's expenses are the four expenses.
        summary = self.api.get(f"/api/summary/?ledger={self.home.pk}&month=2026-11").json()
        self.assertEqual(summary["expense"], "3000.00")
        members = {m["name"]: (m["expense"], m["share"]) for m in summary["members"]}
        self.assertEqual(
            members,
            {
                "alice": ("1200.00", "850.00"),
                "carol": ("1800.00", "1150.00"),
                "dave": ("0.00", "1000.00"),
            },
        )
