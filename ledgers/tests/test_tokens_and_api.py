import json
import uuid
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ApiToken, Scope, User
from accounts.services import api_token_authenticate, api_token_create
from audit.models import AuditLog
from botapi.tests.helpers import clear_rate_limits
from finance.models import Transaction
from ledgers import services
from ledgers.models import Ledger
from ledgers.tests.household import HouseholdTestCase


class LedgerTokensTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        clear_rate_limits()

    def act(self, token: str, action: str, payload: dict[str, object]) -> Any:
        body = {"action": action, "payload": payload, "idempotency_key": str(uuid.uuid4())}
        return self.client.post(
            "/api/bot/actions",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=token,
        )

    def issue(self, user: User, ledger: Ledger | None = None) -> str:
        return api_token_create(
            user=user,
            ledger=ledger,
            name="bot",
            scopes=Scope.values,
            source="cli",
        ).raw

    def test_a_token_records_into_its_own_ledger(self) -> None:
        raw = self.issue(self.carol, self.home)
        response = self.act(raw, "create_expense", {"text": "кофе 250"})
        self.assertEqual(response.status_code, 201, response.content)
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.ledger, tx.created_by, tx.paid_by), (self.home, self.carol, self.carol)
        )
        row = AuditLog.objects.filter(source="bot", action="create_expense").get()
        self.assertEqual(row.ledger_id, self.home.pk)

    def test_a_token_defaults_to_the_active_ledger(self) -> None:
        self.assertEqual(
            ApiToken.objects.get(pk=self.alice_token.token.pk).ledger, self.ledger(self.alice)
        )
        services.ledger_activate(user=self.carol, ledger=self.home, source="web")
        raw = self.issue(self.carol)
        token = api_token_authenticate(raw)
        assert token is not None
        self.assertEqual(token.ledger, self.home)

    def test_its_rights_are_the_lesser_of_scopes_and_role(self) -> None:
        raw = self.issue(self.dave, self.home)  # every scope, a read-only member
        refused = self.act(raw, "create_expense", {"text": "кофе 250"})
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["error"], "ledger_read_only")
        self.assertFalse(Transaction.objects.exists())
        summary = self.act(raw, "get_summary", {"month": "2026-11"})
        self.assertEqual(summary.status_code, 200)
        self.assertIn("members", summary.json()["result"])

    def test_a_removed_members_token_stops_working(self) -> None:
        raw = self.issue(self.carol, self.home)
        services.member_remove(
            user=self.alice, ledger=self.home, member_user=self.carol, source="web"
        )
        response = self.act(raw, "get_summary", {})
        self.assertEqual(response.status_code, 401)

    def test_get_summary_breaks_down_by_member(self) -> None:
        self.spend(self.alice, "100")
        self.spend(self.carol, "40")
        raw = self.issue(self.carol, self.home)
        result = self.act(raw, "get_summary", {"month": "2026-11"}).json()["result"]
        self.assertEqual(
            result["members"],
            [
                {
                    "user_id": self.alice.pk,
                    "name": "alice",
                    "former_member": False,
                    "expense": "100.00",
                    "income": "0.00",
                    "share": "46.68",
                },
                {
                    "user_id": self.carol.pk,
                    "name": "carol",
                    "former_member": False,
                    "expense": "40.00",
                    "income": "0.00",
                    "share": "46.66",
                },
                {
                    "user_id": self.dave.pk,
                    "name": "dave",
                    "former_member": False,
                    "expense": "0.00",
                    "income": "0.00",
                    "share": "46.66",
                },
            ],
        )

    def test_the_command_binds_a_token_to_a_named_ledger(self) -> None:
        out, err = StringIO(), StringIO()
        args = ["--user", "carol", "--name", "clawd", "--scopes", "expenses:write"]
        call_command("create_bot_token", *args, "--ledger", "home", stdout=out, stderr=err)
        token = api_token_authenticate(out.getvalue().strip())
        assert token is not None
        self.assertEqual(token.ledger, self.home)
        self.assertIn("Home", err.getvalue())
        with self.assertRaisesMessage(CommandError, "no ledger named 'Away'"):
            call_command("create_bot_token", *args, "--ledger", "Away", stdout=out, stderr=err)
        with self.assertRaisesMessage(CommandError, "no ledger named 'Home'"):
            call_command(
                "create_bot_token",
                "--user",
                "bob",
                "--name",
                "x",
                "--scopes",
                "expenses:write",
                "--ledger",
                "Home",
                stdout=out,
                stderr=err,
            )

    def test_the_cabinet_offers_the_ledger_for_a_new_token(self) -> None:
        self.client.force_login(self.carol)
        response = self.client.post(
            "/tokens/new/",
            {"name": "bot", "scopes": ["expenses:write"], "expires": "90", "ledger": self.home.pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ApiToken.objects.get(user=self.carol).ledger, self.home)
        refused = self.client.post(
            "/tokens/new/",
            {
                "name": "b",
                "scopes": ["expenses:write"],
                "expires": "90",
                "ledger": self.ledger(self.bob).pk,
            },
        )
        self.assertIn("ledger", refused.context["form"].errors)


class LedgerApiTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        self.api = APIClient()

    def as_user(self, user: User) -> None:
        self.api.credentials(
            HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}"
        )

    def test_it_lists_and_makes_ledgers(self) -> None:
        self.as_user(self.carol)
        rows = self.api.get("/api/ledgers/").json()
        self.assertEqual(
            {(r["name"], r["role"], r["active"]) for r in rows},
            {("carol", "owner", True), ("Home", "member", False)},
        )
        made = self.api.post(
            "/api/ledgers/", {"name": "Dacha", "default_currency": "eur"}, format="json"
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual((made.json()["role"], made.json()["default_currency"]), ("owner", "EUR"))
        bad = self.api.post("/api/ledgers/", {"name": " "}, format="json")
        self.assertEqual(bad.status_code, 400)

    def test_members_are_listed_to_members_only(self) -> None:
        self.as_user(self.dave)
        members = self.api.get(f"/api/ledgers/{self.home.pk}/members/").json()
        self.assertEqual([m["username"] for m in members], ["alice", "carol", "dave"])
        self.as_user(self.bob)
        self.assertEqual(self.api.get(f"/api/ledgers/{self.home.pk}/members/").status_code, 404)
        self.as_user(self.carol)
        refused = self.api.post(
            f"/api/ledgers/{self.home.pk}/invites/", {"role": "member"}, format="json"
        )
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["error"], "ledger_not_manager")

    def test_existing_resources_take_a_ledger_parameter(self) -> None:
        self.spend(self.alice, "100")
        self.as_user(self.carol)
        own = self.api.get("/api/transactions/").json()
        self.assertEqual(own["count"], 0)  # her active ledger is her personal one
        home = self.api.get(f"/api/transactions/?ledger={self.home.pk}").json()
        self.assertEqual(home["count"], 1)
        self.assertEqual(home["results"][0]["paid_by"], self.alice.pk)
        summary = self.api.get(f"/api/summary/?ledger={self.home.pk}&month=2026-11").json()
        self.assertEqual(summary["members"][0]["name"], "alice")
        cafe = self.home_category("cafe")
        made = self.api.post(
            f"/api/transactions/?ledger={self.home.pk}",
            {"kind": "expense", "amount": "5", "category": cafe.pk},
            format="json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual(made.json()["created_by"], self.carol.pk)

        self.as_user(self.bob)
        for url in (
            f"/api/transactions/?ledger={self.home.pk}",
            "/api/summary/?ledger=x",
            "/api/categories/?ledger=99999999999999999999",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.api.get(url).status_code, 404)

        self.as_user(self.dave)
        self.assertEqual(self.api.get(f"/api/categories/?ledger={self.home.pk}").status_code, 200)
        refused = self.api.post(
            f"/api/transactions/?ledger={self.home.pk}",
            {"kind": "expense", "amount": "5", "category": cafe.pk},
            format="json",
        )
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused.json()["error"], "ledger_read_only")

    def test_the_csv_export_takes_a_ledger_parameter(self) -> None:
        # The probe's finding: `ledger` was ignored and the active ledger exported.
        self.spend(self.alice, "100")
        self.as_user(self.carol)  # her active ledger is her personal one, empty
        own = self.api.get("/api/transactions/export.csv")
        self.assertEqual(len(own.getvalue().splitlines()), 1)  # heading only
        home = self.api.get(f"/api/transactions/export.csv?ledger={self.home.pk}")
        self.assertEqual(home.status_code, 200)
        lines = home.getvalue().decode().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn('"100.00"', lines[1])
        self.as_user(self.bob)  # not a member: as if the ledger did not exist
        refused = self.api.get(f"/api/transactions/export.csv?ledger={self.home.pk}")
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(refused["Content-Type"], "application/json")
