"""Budget alerts count a refund as less spent in its category."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from config.testing import BaseTestCase
from finance.models import Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create, transaction_delete, transaction_update
from notifications.models import Kind, Notification
from notifications.tests.helpers import run_queued

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@time_machine.travel(NOW, tick=False)
class RefundAlertsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.cafe = self.category(self.alice, "cafe")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.cafe,
            planned_amount=Decimal("10000"),
            source="web",
        )
        run_queued(include_later=True)

    def write(self, kind: str, amount: str) -> Transaction:
        return transaction_create(
            user=self.alice,
            kind=kind,
            amount=Decimal(amount),
            currency="RUB",
            category=self.cafe,
            date=date(2026, 11, 20),
            source="web",
        )

    def thresholds(self) -> list[str]:
        sent = Notification.objects.filter(
            kind=Kind.BUDGET_ALERT, status=Notification.Status.SENT
        ).order_by("id")
        return [n.subject.rsplit(":", 1)[1] for n in sent]

    def test_a_refund_keeps_spending_under_the_next_threshold(self) -> None:
        self.write("expense", "8500")
        run_queued()
        self.assertEqual(self.thresholds(), ["80"])
        refund = self.write("refund", "1000")
        self.write("expense", "2000")  # 9 500 spent: past the plan only without the refund
        run_queued()
        self.assertEqual(self.thresholds(), ["80"])

        # Deleting the refund brings its money back into the month's spending: 10 500.
        transaction_delete(tx=refund, user=self.alice, source="web")
        run_queued()
        self.assertEqual(self.thresholds(), ["80", "100"])

    def test_a_smaller_refund_after_an_edit_is_checked_again(self) -> None:
        self.write("expense", "10500")
        refund = self.write("refund", "1000")
        run_queued()
        self.assertEqual(self.thresholds(), ["80"])
        transaction_update(tx=refund, user=self.alice, amount=Decimal("100"), source="web")
        run_queued()
        self.assertEqual(self.thresholds(), ["80", "100"])
