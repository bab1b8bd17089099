"""The bot API over real HTTP: gunicorn with 4 workers on loopback, the test database."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import RequestFactory, TransactionTestCase
from django.utils import timezone

from accounts.models import ApiToken, Scope
from accounts.services import api_token_create, api_token_revoke, api_token_rotate, user_create
from audit.models import AuditLog
from botapi import ratelimit
from botapi.models import IdempotencyKey
from botapi.tests.helpers import clear_rate_limits, request_rows
from botapi.tests.live import LiveServer, Reply
from finance.models import BudgetItem, Transaction


def concurrently(count: int, send: Any) -> list[Reply]:
    """Call `send(i)` from `count` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Reply:
        barrier.wait()
        return send(i)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.usefixtures("live")
class LiveBotApiTestCase(TransactionTestCase):
    live: LiveServer

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

    def act(self, action: str, payload: Any, token: str | None = None, **extra: Any) -> Reply:
        return self.live.act(
            self.token if token is None else token, action, payload, client_ip=self.ip, **extra
        )

    def test_every_status_code(self) -> None:
        month = f"{self.alice.today():%Y-%m}"
        budget = {"month": month, "category": "cafe", "planned_amount": "8000"}
        cases = [
            (self.act("set_budget_item", budget), 201, None),
            (self.act("get_summary", {}), 200, None),
            (
                self.live.request(
                    "POST",
                    "/api/bot/actions",
                    b'{"action": ',
                    {"X-Bot-Token": self.token, "X-Real-IP": self.ip},
                ),
                400,
                "validation_error",
            ),
            (self.act("get_summary", {}, token=""), 401, "authentication_failed"),
            (self.act("set_budget_item", budget, token=self.readonly), 403, "insufficient_scope"),
        ]
        for reply, status, error in cases:
            with self.subTest(status=status):
                self.assertEqual(reply.status, status, reply.body)
                self.assertEqual(reply.headers["content-type"], "application/json")
                self.assertTrue(reply.headers["x-request-id"])
                if error:
                    self.assertEqual(reply.json()["error"], error)
        # 429 and its Retry-After: the rate-limit tests below.

    def test_every_action(self) -> None:
        month = f"{self.alice.today():%Y-%m}"
        expense = self.act("create_expense", {"text": "кофе 250"})
        self.assertEqual(expense.status, 201, expense.body)
        tx = expense.json()["result"]
        self.assertEqual((tx["amount"], tx["category"]["slug"]), ("250.00", "cafe"))
        income = self.act("create_income", {"text": "зарплата 120000"})
        self.assertEqual(income.status, 201, income.body)
        self.assertEqual(income.json()["result"]["kind"], "income")
        budget = self.act(
            "set_budget_item", {"month": month, "category": "кофе", "planned_amount": 8000}
        )
        self.assertEqual(budget.status, 201, budget.body)
        summary = self.act("get_summary", {"month": month})
        self.assertEqual(summary.status, 200, summary.body)
        self.assertEqual(summary.json()["result"]["expense"], "250.00")
        self.assertEqual(summary.json()["result"]["income"], "120000.00")
        categories = self.act("list_categories", {"kind": "income"})
        self.assertEqual(categories.status, 200)
        self.assertIn("salary", [c["slug"] for c in categories.json()["result"]["categories"]])
        deleted = self.act("delete_transaction", {"transaction_id": tx["id"]})
        self.assertEqual(deleted.status, 200, deleted.body)
        self.assertFalse(Transaction.objects.filter(pk=tx["id"]).exists())
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 1)

    def test_expired_revoked_and_rotated_tokens(self) -> None:
        expired = api_token_create(
            user=self.alice,
            name="old",
            scopes=[Scope.SUMMARIES_READ],
            expires_at=timezone.now() + timedelta(days=1),
            source="cli",
        )
        ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now())
        revoked = api_token_create(
            user=self.alice, name="gone", scopes=[Scope.SUMMARIES_READ], source="cli"
        )
        api_token_revoke(token=revoked.token, source="cli")
        for raw in (expired.raw, revoked.raw):
            reply = self.act("get_summary", {}, token=raw)
            self.assertEqual(reply.status, 401, (self.token, reply.body))
            self.assertEqual(reply.json()["details"][0]["code"], "token_invalid")

        old = api_token_create(
            user=self.alice, name="rotating", scopes=[Scope.SUMMARIES_READ], source="cli"
        )
        new = api_token_rotate(token=old.token, grace=timedelta(seconds=2), source="cli")
        self.assertEqual(self.act("get_summary", {}, token=old.raw).status, 200)
        self.assertEqual(self.act("get_summary", {}, token=new.raw).status, 200)
        time.sleep(2.1)
        self.assertEqual(self.act("get_summary", {}, token=old.raw).status, 401)
        self.assertEqual(self.act("get_summary", {}, token=new.raw).status, 200)

    def test_replay_and_key_reuse(self) -> None:
        month = f"{self.alice.today():%Y-%m}"
        payload = {"month": month, "category": "cafe", "planned_amount": "8000.50"}
        first = self.act("set_budget_item", payload, key="replay-key-1")
        again = self.act("set_budget_item", payload, key="replay-key-1")
        self.assertEqual((first.status, again.status), (201, 201))
        self.assertNotIn("idempotent-replayed", first.headers)
        self.assertEqual(again.headers["idempotent-replayed"], "true")
        self.assertEqual(again.json(), first.json())
        other = self.act("set_budget_item", {**payload, "planned_amount": "1"}, key="replay-key-1")
        self.assertEqual(other.status, 400)
        self.assertEqual(other.json()["error"], "idempotency_key_reused")
        item = BudgetItem.objects.get(ledger__personal_for=self.alice)
        self.assertEqual(item.planned_amount, Decimal("8000.50"))

    def test_fifty_concurrent_twins_create_one_transaction(self) -> None:
        key = f"twin-{random.randint(0, 10**9)}"
        replies = concurrently(
            50, lambda i: self.act("create_expense", {"text": "такси 480"}, key=key)
        )
        self.assertEqual([r.status for r in replies], [201] * 50, replies[0].body)
        bodies = {r.body for r in replies}
        self.assertEqual(len(bodies), 1)
        tx = Transaction.objects.get(created_by=self.alice)
        self.assertEqual(replies[0].json()["result"]["id"], tx.pk)
        replayed = [r for r in replies if r.headers.get("idempotent-replayed") == "true"]
        self.assertEqual(len(replayed), 49)
        self.assertEqual(IdempotencyKey.objects.filter(user=self.alice, key=key).count(), 1)
        self.assertEqual(AuditLog.objects.filter(action="transaction.create").count(), 1)
        self.assertGreater(len(self.live.worker_pids()), 1)

    def _wait_for_a_fresh_window(self, group: str, value: str, rate: str) -> None:
        # A window that ends during the burst would reset the count: start early in one.
        request = RequestFactory().get("/")
        usage = ratelimit._usage(request, group=group, value=value, rate=rate, increment=False)
        assert usage is not None
        if usage["time_left"] < 10:
            time.sleep(usage["time_left"] + 1)

    def test_the_token_rate_limit_holds_across_four_workers(self) -> None:
        issued = api_token_create(
            user=self.alice, name="busy", scopes=[Scope.SUMMARIES_READ], source="cli"
        )
        replies = concurrently(70, lambda i: self.act("list_categories", {}, token=issued.raw))
        statuses = sorted(r.status for r in replies)
        self.assertEqual(statuses, [200] * 60 + [429] * 10)
        for reply in replies:
            if reply.status == 429:
                self.assertEqual(reply.json()["error"], "rate_limited")
                self.assertTrue(1 <= int(reply.headers["retry-after"]) <= 60)
        self.assertGreater(len(self.live.worker_pids()), 1)
        # Another token of the same user has a bucket of its own.
        self.assertEqual(self.act("list_categories", {}, token=self.readonly).status, 200)
        rows = request_rows().filter(token=issued.token, status_code=429)
        self.assertEqual(rows.count(), 10)
        self.assertEqual({r.error_code for r in rows}, {"rate_limited"})

    def test_failed_authentications_are_limited_per_address(self) -> None:
        self._wait_for_a_fresh_window(ratelimit.FAILED_AUTH_GROUP, self.ip, "30/m")
        bad = "kop_" + "A" * 36
        replies = concurrently(30, lambda i: self.act("get_summary", {}, token=bad))
        self.assertEqual({r.status for r in replies}, {401})
        # The next failure from that address is refused...
        refused = self.act("get_summary", {}, token=bad)
        self.assertEqual(refused.status, 429)
        self.assertTrue(1 <= int(refused.headers["retry-after"]) <= 60)
        # ...a valid token from it still passes...
        self.assertEqual(self.act("get_summary", {}, token=self.token).status, 200)
        # ...a failure from another address is told apart, but not through a forged
        # X-Forwarded-For.
        elsewhere = self.live.act(bad, "get_summary", {}, client_ip="192.0.2.99")
        self.assertEqual(elsewhere.status, 401)
        forged = self.live.request(
            "POST",
            "/api/bot/actions",
            b'{"action": "get_summary", "payload": {}, "idempotency_key": "forged-xff-1"}',
            {"X-Bot-Token": bad, "X-Real-IP": self.ip, "X-Forwarded-For": "192.0.2.1"},
        )
        self.assertEqual(forged.status, 429)

    def test_refused_requests_are_audited(self) -> None:
        request_id = f"req-{random.randint(0, 10**9)}"
        reply = self.live.request(
            "POST",
            "/api/bot/actions",
            b'{"action": "get_summary", "payload": {}, "idempotency_key": "audit-key-1"}',
            {
                # The last character changed: the checksum no longer matches.
                "X-Bot-Token": self.token[:-1] + ("x" if self.token[-1] != "x" else "y"),
                "X-Real-IP": self.ip,
                "X-Request-ID": request_id,
            },
        )
        self.assertEqual(reply.status, 401, (self.token, reply.body))
        self.assertEqual(reply.headers["x-request-id"], request_id)
        row = request_rows().get(request_id=request_id)
        self.assertEqual(
            (row.status_code, row.error_code, row.client_ip, row.user_id, row.token_id),
            (401, "authentication_failed", self.ip, None, None),
        )
        self.assertIsNotNone(row.duration_ms)

        forbidden = self.act("create_expense", {"text": "кофе 250"}, token=self.readonly)
        self.assertEqual(forbidden.status, 403)
        row = request_rows().get(request_id=forbidden.headers["x-request-id"])
        self.assertEqual(
            (row.action, row.error_code, row.user_id),
            ("create_expense", "insufficient_scope", self.alice.pk),
        )
        self.assertEqual(ApiToken.objects.get(pk=row.token_id or 0).name, "reader")

        invalid = self.act("create_expense", {"text": "кофе", "tip": 1}, key="audit-key-2")
        row = request_rows().get(request_id=invalid.headers["x-request-id"])
        self.assertEqual((row.status_code, row.error_code), (400, "validation_error"))
        self.assertEqual(row.idempotency_key, "audit-key-2")
        self.assertEqual(row.details["codes"], ["unknown_field"])

        for row in AuditLog.objects.all():
            self.assertNotIn(self.token, str(row.__dict__))
            self.assertNotIn(self.readonly, str(row.__dict__))
