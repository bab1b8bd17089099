"""Heavy reads on a real streaming replica of the test cluster: the reads that ask for it
reach it and nothing else does; stopped, or further behind than DATABASE_REPLICA_MAX_LAG,
it is left alone and the pages and the bot answer from the primary."""

import json
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connections, transaction
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import Scope, User
from accounts.services import api_token_create, user_create
from botapi.tests.helpers import clear_rate_limits
from core import db
from core.tests.topology import (
    REPLICA_URL,
    caught_up,
    database_alias,
    needs,
    replay_paused,
    replica_alone,
    replica_command,
    until,
)
from finance.models import Category, Transaction
from finance.months import add_months
from finance.services.transactions import transaction_create
from notifications import rendering
from notifications.models import Kind, Notification

T = TypeVar("T")

# What the opted-in reads send: the month's summary (prepared, then executed), the
# 12-month totals, and the exports' rows.
SUMMARY = "finance_monthly_summary"
TOTALS = "date_trunc('month', t.date)"
EXPORT_TABLES = (
    'FROM "finance_transaction"',
    'FROM "finance_category"',
    'FROM "finance_budgetitem"',
)
HEAVY = (
    SUMMARY,
    TOTALS,
    'FROM "finance_exchangerate"',
    'FROM "finance_categoryalias"',
    *EXPORT_TABLES,
)


def is_heavy(sql: str) -> bool:
    return any(mark in sql for mark in HEAVY)


class ReplicaTestCase(TransactionTestCase):
    databases = {db.PRIMARY, db.REPLICA}
    alice: User

    @classmethod
    def setUpClass(cls) -> None:
        needs(REPLICA_URL, "replica")
        cls.enterClassContext(database_alias(db.REPLICA, REPLICA_URL))
        super().setUpClass()

    def setUp(self) -> None:
        self.enterContext(replica_alone())
        db.forget_verdict()
        clear_rate_limits()
        self.alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=self.alice, name="assistant", scopes=Scope.values, source="cli"
        ).raw
        self.client.force_login(self.alice)
        today = self.alice.today()
        self.last_month = add_months(today, -1)
        self.spend("1000", self.last_month.replace(day=10))
        self.spend("70", today)
        caught_up()

    def spend(self, amount: str, day: date) -> Transaction:
        category = Category.objects.get(ledger__personal_for=self.alice, slug="cafe")
        return transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(amount),
            currency="RUB",
            category=category,
            date=day,
            source="web",
        )

    def act(self, action: str, payload: dict[str, Any]) -> Any:
        body = {"action": action, "payload": payload, "idempotency_key": str(uuid.uuid4())}
        return self.client.post(
            "/api/bot/actions",
            json.dumps(body),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=self.token,
        )

    def past_dashboard(self) -> Any:
        response = self.client.get("/", {"month": f"{self.last_month:%Y-%m}"})
        self.assertEqual(response.status_code, 200)
        return response

    def export(self) -> bytes:
        response: Any = self.client.get("/data/transactions.csv")
        return b"".join(response.streaming_content)

    def past_summary(self) -> str:
        reply = self.act("get_summary", {"month": f"{self.last_month:%Y-%m}"})
        self.assertEqual(reply.status_code, 200, reply.content)
        expense: str = reply.json()["result"]["expense"]
        return expense

    def traced(self, call: Callable[[], T]) -> tuple[T, list[str], list[str]]:
        """`call()`, and the statements it sent to the replica and to the primary."""
        with (
            CaptureQueriesContext(connections[db.REPLICA]) as on_replica,
            CaptureQueriesContext(connections[db.PRIMARY]) as on_primary,
        ):
            result = call()
        return (
            result,
            [q["sql"] for q in on_replica.captured_queries],
            [q["sql"] for q in on_primary.captured_queries],
        )

    def assertReadOn(self, mark: str, replica: list[str], primary: list[str]) -> None:
        self.assertTrue(any(mark in sql for sql in replica), (mark, replica))
        self.assertFalse(any(mark in sql for sql in primary), (mark, primary))
        self.assertEqual([sql for sql in replica if not is_heavy(sql)], [])

    def test_the_heavy_reads_go_to_the_replica_and_nothing_else_does(self) -> None:
        page, replica, primary = self.traced(self.past_dashboard)
        self.assertEqual(page.context["summary"].expense, Decimal(1000))
        self.assertReadOn(SUMMARY, replica, primary)
        self.assertReadOn(TOTALS, replica, primary)

        expense, replica, primary = self.traced(self.past_summary)
        self.assertEqual(expense, "1000.00")
        self.assertReadOn(SUMMARY, replica, primary)

        rows, replica, primary = self.traced(self.export)
        self.assertEqual(rows.count(b"\r\n"), 3)  # the heading and two transactions
        self.assertReadOn('FROM "finance_transaction"', replica, primary)

        document, replica, primary = self.traced(lambda: self.client.get("/data/kopilka.json"))
        self.assertEqual(len(document.json()["transactions"]), 2)
        for table in EXPORT_TABLES:
            self.assertReadOn(table, replica, primary)

        report = Notification(
            user=self.alice, kind=Kind.MONTHLY_REPORT, period=f"{self.last_month:%Y-%m}"
        )
        rendered, replica, primary = self.traced(lambda: rendering.monthly_report(report))
        self.assertIsNotNone(rendered)
        self.assertReadOn(SUMMARY, replica, primary)

        # This month's summary, the pages that follow a form, and every write: the primary.
        this_month = f"{self.alice.today():%Y-%m}"
        for name, call in [
            ("dashboard", lambda: self.client.get("/")),
            ("get_summary", lambda: self.act("get_summary", {})),
            ("create_expense", lambda: self.act("create_expense", {"text": "кофе 250"})),
            ("transactions", lambda: self.client.get("/transactions/")),
            ("budget", lambda: self.client.get("/budget/", {"month": this_month})),
            ("categories", lambda: self.client.get("/categories/")),
            ("data", lambda: self.client.get("/data/")),
        ]:
            with self.subTest(name):
                response, replica, primary = self.traced(call)
                self.assertLess(response.status_code, 300, response.content[:300])
                if name == "dashboard":
                    # Only past months may be a little behind: its 12-month chart and the
                    # forecast's history.
                    self.assertReadOn(TOTALS, replica, primary)
                    self.assertFalse(any(SUMMARY in sql for sql in replica))
                    self.assertTrue(any(SUMMARY in sql for sql in primary))
                elif name == "get_summary":
                    # This month on the primary; the forecast's past months may lag.
                    self.assertFalse(any(SUMMARY in sql for sql in replica))
                    self.assertTrue(any(SUMMARY in sql for sql in primary))
                    self.assertFalse(any(TOTALS in sql for sql in primary))
                else:
                    self.assertEqual(replica, [])

    def test_reads_inside_a_write_and_writes_stay_on_the_primary(self) -> None:
        self.assertEqual(db.heavy_reads(), db.REPLICA)
        with transaction.atomic():
            self.assertEqual(db.heavy_reads(), db.PRIMARY)
        # What was read from the replica is saved on the primary.
        category = Category.objects.using(db.heavy_reads()).get(
            ledger__personal_for=self.alice, slug="cafe"
        )
        self.assertEqual(category._state.db, db.REPLICA)
        category.name = "Кофейни"
        category.save()
        self.assertEqual(Category.objects.get(pk=category.pk).name, "Кофейни")

    def test_a_stopped_replica_leaves_the_pages_and_the_bot_on_the_primary(self) -> None:
        # The replica was found fine a moment ago; its verdict stands a few seconds more.
        _, replica, _ = self.traced(self.past_dashboard)
        self.assertTrue(any(SUMMARY in sql for sql in replica))
        replica_command("stop")
        try:
            with (
                self.assertLogs("core.db", "WARNING") as logs,
                CaptureQueriesContext(connections[db.PRIMARY]) as on_primary,
            ):
                page = self.past_dashboard()
                expense = self.past_summary()
                rows = self.export()
            self.assertEqual(page.context["summary"].expense, Decimal(1000))
            self.assertEqual(expense, "1000.00")
            self.assertIn(b"1000.00", rows)
            self.assertTrue(any(SUMMARY in q["sql"] for q in on_primary.captured_queries))
            self.assertEqual(len(logs.output), 1)
            self.assertIn("unreachable", logs.output[0])
        finally:
            replica_command("start")

    def test_a_replica_further_behind_than_the_limit_leaves_the_reads_on_the_primary(
        self,
    ) -> None:
        with replay_paused():
            self.spend("5", self.last_month.replace(day=11))
            until("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
            # Within the limit (30 s) the past month is read from the replica, a little
            # behind: without what it has received and not replayed yet.
            db.forget_verdict()
            self.assertEqual(self.past_summary(), "1000.00")

            with override_settings(DATABASE_REPLICA_MAX_LAG=0), self.assertLogs("core.db") as logs:
                db.forget_verdict()
                (page, expense), replica, _ = self.traced(
                    lambda: (self.past_dashboard(), self.past_summary())
                )
                db.forget_verdict()  # checked again, still behind: not said again
                self.assertEqual(self.past_summary(), "1005.00")
            self.assertEqual(page.context["summary"].expense, Decimal(1005))
            self.assertEqual(expense, "1005.00")
            self.assertEqual(replica, [])
            self.assertEqual(len(logs.output), 1)
            self.assertIn("lagging", logs.output[0])
