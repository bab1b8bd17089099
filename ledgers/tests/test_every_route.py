"""Every route of the URLconf and every bot action, as a stranger to a ledger and as
its read-only member: nothing of the ledger is readable by the one (404) or writable by
the other (403). A new route or action is walked without touching this file; only a
route that is not about a ledger's books is listed below, with the reason."""

import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Scope, User
from accounts.services import api_token_create
from botapi.actions import ACTIONS
from botapi.tests.helpers import clear_rate_limits
from finance.models import (
    BudgetItem,
    Capture,
    Category,
    CategoryAlias,
    RecurringRule,
    Settlement,
    Share,
    SplitDefault,
    StatementImport,
    SuggestionDismissal,
    Transaction,
)
from finance.services.budget import budget_item_set
from finance.services.categories import category_update
from finance.services.recurring import When, recurring_create
from finance.services.settlements import settlement_create
from finance.services.transactions import transaction_update
from ledgers import services
from ledgers.models import Invite, Ledger, Membership
from ledgers.tests.household import HouseholdTestCase
from messaging.linking import groups
from messaging.models import LinkCode

# Routes about something other than a ledger's books.
NOT_ABOUT_A_LEDGER = {
    "botapi:actions": "walked action by action below",
    "botapi:schema": "the public registry",
    "openapi": "the public API document",
    "api_docs": "the public API document",
    "set_language": "the person's language",
    "api_auth:token_obtain": "logging in",
    "api_auth:token_refresh": "logging in",
    "api_auth:token_blacklist": "logging out",
    "ledgers:ledgers": "the person's own list of ledgers",
    "ledgers:join": "a form asking for a code",
    "ledgers:join_code": "the invitation's code is the credential",
    "ledgers_api:ledgers": "the person's own list of ledgers",
    "ledgers_api:join": "the invitation's code is the credential",
    # The messengers' webhooks take no session or JWT: Telegram's and Twilio's calls are
    # authenticated by their secret or signature, and the chat acts as its linked person
    # through the dispatcher, in that person's active ledger (messaging/tests/test_ledgers.py).
    "messaging:telegram_webhook": "Telegram's calls, checked by the webhook secret",
    "messaging:whatsapp_webhook": "Twilio's calls, checked by their signature",
    "messaging:whatsapp_status": "Twilio's delivery receipts of the bot's own messages",
    "messaging:messengers": "the person's own linked chats",
    "messaging:link_telegram": "a linking code for the person's own account",
    "messaging:link_whatsapp": "a linking code for the person's own account",
    "messaging:unlink": "the person's own linked chat (another's is a 404)",
    "messaging:history": "the person's own conversations with the bot",
    "notifications:settings": "the person's own notification settings",
    "notifications:send_test": "a test message to the person's own channel",
}
# The person's own account (settings, password, bot tokens: another's are a 404 there).
OWN_ACCOUNT_NAMESPACES = ("accounts:",)
# What a read-only member may do that is not a write to the ledger.
READ_ONLY_MAY = {
    "ledgers:switch": "choosing which books to read",
    "ledgers:leave": "leaving is one's own business",
}
WRITES = ("post", "put", "patch", "delete")
MARKER = "Кошачий корм"


def name_is_about_a_rule(action: str) -> bool:
    return action in {"update_recurring", "delete_recurring"}


def routes() -> Iterator[tuple[str, list[str]]]:
    """(name with namespace, the names of its parameters) of every route but the admin's."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, list[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue  # operators only: staff, and every write audited
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern):
                assert p.name, f"an unnamed route: {p.pattern}"
                yield f"{namespace}{p.name}", list(p.pattern.converters)

    yield from walk(get_resolver().url_patterns, "")


class EveryRouteTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        clear_rate_limits()
        self.cafe = self.home_category("cafe")
        category_update(category=self.cafe, user=self.alice, name=MARKER, source="cli")
        self.tx = self.spend(self.alice, "123", slug="cafe")
        transaction_update(tx=self.tx, user=self.alice, note=MARKER, source="cli")
        self.item, _ = budget_item_set(
            user=self.alice,
            ledger=self.home,
            month=date(2026, 11, 1),
            category=self.cafe,
            planned_amount=Decimal(1000),
            source="cli",
        )
        # A linked group, so that a route unlinking it without its check would show.
        groups.group_link(
            user=self.alice, ledger=self.home, chat_id=-1001234, title=MARKER, source="cli"
        )
        self.rule = recurring_create(
            user=self.alice,
            ledger=self.home,
            kind="expense",
            amount=Decimal(300),
            currency="RUB",
            category=self.cafe,
            when=When(frequency="monthly"),
            note=MARKER,
            source="cli",
        )
        self.settlement = settlement_create(
            user=self.alice,
            ledger=self.home,
            from_user_id=self.carol.pk,
            to_user_id=self.alice.pk,
            amount=Decimal(10),
            source="cli",
        )
        # A bank notification matched to that transaction, which "record separately" undoes.
        self.match = Capture.objects.create(
            ledger=self.home,
            transaction=self.tx,
            user=self.alice,
            source=Capture.Source.NOTIFICATION,
            matched=True,
            kind="expense",
            amount=Decimal("123"),
            currency="RUB",
            date=self.tx.date,
        )
        # A statement previewed for import into the household's books.
        self.statement = StatementImport.objects.create(
            ledger=self.home, user=self.alice, digest="0" * 64, format="tbank_csv", status="ready"
        )
        self.kwargs: dict[str, Any] = {
            "import_id": self.statement.pk,
            "match_id": self.match.pk,
            "tx_id": self.tx.pk,
            "rule_id": self.rule.pk,
            "suggestion_id": "s0123456789ab",
            "category_id": self.cafe.pk,
            "item_id": self.item.pk,
            "ledger_id": self.home.pk,
            "user_id": self.carol.pk,
            "settlement_id": self.settlement.pk,
        }
        # Input that a route missing its check would accept and write with.
        self.data: dict[str, Any] = {
            "ledger": self.home.pk,
            "kind": "expense",
            "amount": "5",
            "currency": "RUB",
            "category": self.cafe.pk,
            "date": "2026-11-04",
            "note": "changed",
            "text": "кофе 5",
            "name": "Changed",
            "aliases": ["changed"],
            "is_archived": True,
            "archived": "1",
            "month": "2026-11",
            "planned_amount": "7",
            f"plan_{self.cafe.pk}": "7",
            "role": "member",
            "to": self.carol.pk,
            "frequency": "daily",
            "paused": True,
            "skip_next": True,
            "suggestion_id": "s0123456789ab",
            "from": self.alice.pk,
            "weights": [{"user": self.alice.pk, "weight": "1"}],
            f"weight_{self.alice.pk}": "1",
            "mode": "equal",
        }

    def state(self) -> tuple[Any, ...]:
        ledger = self.home
        return (
            list(
                Transaction.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("pk", "amount", "category_id", "note", "date")
            ),
            list(
                Category.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("pk", "name", "is_archived")
            ),
            list(
                CategoryAlias.objects.filter(category__ledger=ledger)
                .order_by("pk")
                .values_list("pk", "word")
            ),
            list(
                BudgetItem.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("pk", "planned_amount", "currency")
            ),
            (
                list(
                    RecurringRule.objects.filter(ledger=ledger)
                    .order_by("pk")
                    .values_list("pk", "amount", "frequency", "next_date", "paused_at")
                ),
                SuggestionDismissal.objects.filter(ledger=ledger).count(),
            ),
            list(
                Membership.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("user_id", "role")
            ),
            Invite.objects.filter(ledger=ledger).count(),
            Ledger.objects.filter(pk=ledger.pk)
            .values_list("name", "owner_id", "group_link__chat_id")
            .get(),
            LinkCode.objects.filter(ledger=ledger).count(),
            list(
                Settlement.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("pk", "from_user_id", "to_user_id", "amount")
            ),
            list(
                SplitDefault.objects.filter(ledger=ledger)
                .order_by("pk")
                .values_list("user_id", "weight")
            ),
            list(
                Share.objects.filter(split__transaction__ledger=ledger)
                .order_by("pk")
                .values_list("split_id", "user_id", "amount_minor")
            ),
        )

    def ledger_routes(self) -> list[tuple[str, str, bool]]:
        """(name, URL, whether it names an object of the ledger) of each route to walk."""
        found = []
        for name, params in routes():
            if name in NOT_ABOUT_A_LEDGER or name.startswith(OWN_ACCOUNT_NAMESPACES):
                continue
            missing = [p for p in params if p not in self.kwargs]
            self.assertFalse(missing, f"{name}: give the test a value for {missing}")
            url = reverse(name, kwargs={p: self.kwargs[p] for p in params})
            found.append((name, f"{url}?ledger={self.home.pk}", bool(params)))
        self.assertGreater(len(found), 20)
        return found

    @staticmethod
    def body(response: Any) -> bytes:
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        content: bytes = response.content
        return content

    def request(self, client: Client, method: str, url: str) -> Any:
        if method == "get":
            return client.get(url)
        if url.startswith("/api/"):
            return getattr(client, method)(
                url, data=json.dumps(self.data), content_type="application/json"
            )
        return getattr(client, method)(url, data=self.data)

    def client_for(self, user: User, api: bool) -> Client:
        client = Client()
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = (
                f"Bearer {RefreshToken.for_user(user).access_token}"
            )
        else:
            client.force_login(user)
        return client

    def test_a_stranger_finds_nothing_of_the_ledger(self) -> None:
        before = self.state()
        for name, url, names_an_object in self.ledger_routes():
            api = url.startswith("/api/")
            client = self.client_for(self.bob, api)
            for method in ("get", *WRITES):
                with self.subTest(route=name, method=method):
                    response = self.request(client, method, url)
                    if api or names_an_object:
                        self.assertIn(response.status_code, (404, 405), self.body(response)[:300])
                    else:
                        # The cabinet's pages show the person's active ledger, never this one.
                        self.assertLess(response.status_code, 500)
                        self.assertNotIn(MARKER, self.body(response).decode())
                    self.assertEqual(self.state(), before)

    def test_a_read_only_member_reads_but_never_writes(self) -> None:
        services.ledger_activate(user=self.dave, ledger=self.home, source="cli")
        before = self.state()
        for name, url, _names_an_object in self.ledger_routes():
            api = url.startswith("/api/")
            client = self.client_for(self.dave, api)
            with self.subTest(route=name, method="get"):
                response = self.request(client, "get", url)
                self.assertIn(response.status_code, (200, 302, 405), self.body(response)[:300])
            if name in READ_ONLY_MAY:
                continue
            for method in WRITES:
                with self.subTest(route=name, method=method):
                    response = self.request(client, method, url)
                    self.assertIn(response.status_code, (403, 405), self.body(response)[:300])
                    self.assertEqual(self.state(), before)

    def act(self, token: str, action: str) -> Any:
        payload = dict(ACTIONS[action].example)
        if "transaction_id" in payload:
            payload["transaction_id"] = self.tx.pk
        if name_is_about_a_rule(action):
            payload["id"] = self.rule.pk
        if "settlement_id" in payload:
            payload["settlement_id"] = self.settlement.pk
        if "match_id" in payload:
            payload["match_id"] = self.match.pk
        body = {"action": action, "payload": payload, "idempotency_key": str(uuid.uuid4())}
        return self.client.post(
            "/api/bot/actions",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=token,
        )

    def test_every_bot_action_as_a_stranger_and_as_a_read_only_member(self) -> None:
        # A token made while its owner was a member, whose membership then went away
        # without the service (which would also have revoked the token).
        stranger = api_token_create(
            user=self.carol, ledger=self.home, name="old", scopes=Scope.values, source="cli"
        ).raw
        Membership.objects.filter(ledger=self.home, user=self.carol).delete()
        reader = api_token_create(
            user=self.dave, ledger=self.home, name="all", scopes=Scope.values, source="cli"
        ).raw
        before = self.state()
        for name, action in ACTIONS.items():
            with self.subTest(action=name, caller="stranger"):
                response = self.act(stranger, name)
                self.assertEqual(response.status_code, 404, response.content[:300])
                self.assertNotIn(MARKER, response.content.decode())
            with self.subTest(action=name, caller="read-only member"):
                response = self.act(reader, name)
                expected = 403 if action.writes else 200
                self.assertEqual(response.status_code, expected, response.content[:300])
            self.assertEqual(self.state()[:5], before[:5])
