"""Reads through a real PgBouncer in transaction mode, where each transaction may run in
another server session: the summary and the export hold nothing in a session. The bot
API's own checks through it are in botapi/tests/test_pgbouncer.py."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db import ProgrammingError, connections
from django.test import TransactionTestCase

from accounts.models import User
from accounts.services import user_create
from core import db
from core.tests.topology import (
    BOUNCER,
    PGBOUNCER_URL,
    database_alias,
    needs,
    release_pgbouncer_sessions,
)
from finance.data.exports import transactions_csv
from finance.models import Category
from finance.selectors.summary import monthly_summary
from finance.services.transactions import transaction_create

T = TypeVar("T")
# PgBouncer as well, but configured as if PostgreSQL were reached directly.
UNMARKED = "bouncer_unmarked"


def in_a_thread_of_its_own(alias: str, call: Callable[[], T]) -> T:
    """`call()` on a new thread: a new client connection to `alias`, closed after."""

    def run() -> T:
        try:
            return call()
        finally:
            connections[alias].close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


class TransactionPoolingTestCase(TransactionTestCase):
    databases = {db.PRIMARY, BOUNCER, UNMARKED}
    alice: User

    @classmethod
    def setUpClass(cls) -> None:
        needs(PGBOUNCER_URL, "PgBouncer")
        cls.addClassCleanup(release_pgbouncer_sessions)
        cls.enterClassContext(database_alias(BOUNCER, PGBOUNCER_URL, pooled=True))
        cls.enterClassContext(database_alias(UNMARKED, PGBOUNCER_URL))
        super().setUpClass()

    def setUp(self) -> None:
        self.alice = user_create(username="alice", password=None, source="cli")
        self.month = self.alice.today().replace(day=1)
        cafe = Category.objects.get(ledger__personal_for=self.alice, slug="cafe")
        for amount in ("250", "120.50"):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(amount),
                currency="RUB",
                category=cafe,
                date=self.month,
                source="web",
            )

    def summary(self, alias: str) -> Decimal:
        return monthly_summary(user=self.alice, month=self.month, using=alias).expense

    def export(self, alias: str) -> str:
        return "".join(transactions_csv(user=self.alice, start=date.min, end=None, using=alias))

    def test_the_summary_and_the_export_hold_nothing_in_a_session(self) -> None:
        self.assertTrue(db.pooled(BOUNCER))
        self.assertIsNone(connections[BOUNCER].settings_dict["OPTIONS"]["prepare_threshold"])
        # One client after another: PgBouncer hands the second the server session the
        # first used (the most recent first), with whatever the first left in it.
        for _ in range(2):
            self.assertEqual(
                in_a_thread_of_its_own(BOUNCER, lambda: self.summary(BOUNCER)), Decimal("370.50")
            )
            rows = in_a_thread_of_its_own(BOUNCER, lambda: self.export(BOUNCER))
            self.assertEqual(rows.count("\r\n"), 3)
        self.assertEqual(self.summary(db.PRIMARY), Decimal("370.50"))

    def test_a_statement_prepared_in_a_session_fails_the_next_client(self) -> None:
        # What DATABASE_POOLING=transaction spares the summary: its PREPARE, left in the
        # server session, meets the next client's.
        self.assertFalse(db.pooled(UNMARKED))
        in_a_thread_of_its_own(UNMARKED, lambda: self.summary(UNMARKED))
        with self.assertRaisesMessage(ProgrammingError, "already exists"):
            in_a_thread_of_its_own(UNMARKED, lambda: self.summary(UNMARKED))
