from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from config.testing import BaseTestCase
from finance.data import imports
from finance.models import Category, ExchangeRate, Transaction
from finance.services.budget import budget_item_set
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_delete, transaction_update
from ledgers.models import Membership
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import queued, run_queued

MOSCOW = ZoneInfo("Europe/Moscow")
# The 22nd of a 30-day month: 9 days left, counting today.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=MOSCOW)


@time_machine.travel(NOW, tick=False)
class BudgetAlertsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.cafe = self.category(self.alice, "cafe")
        self.groceries = self.category(self.alice, "groceries")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.cafe,
            planned_amount=Decimal("10000"),
            source="web",
        )
        run_queued(include_later=True)  # the first plan's second look too

    def spend(
        self, amount: str, category: Category | None = None, day: date = date(2026, 11, 20)
    ) -> Transaction:
        return transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(amount),
            currency="RUB",
            category=category or self.cafe,
            date=day,
            source="web",
        )

    def subject(self, category: Category, threshold: int) -> str:
        return f"ledger:{category.ledger_id}:category:{category.pk}:{threshold}"

    def alerts(self) -> list[Notification]:
        return list(Notification.objects.filter(kind=Kind.BUDGET_ALERT).order_by("subject"))

    def sent(self) -> list[str]:
        # Digits are grouped with no-break spaces, so that a messenger never wraps an amount.
        return [
            n.text.replace("\xa0", " ")
            for n in self.alerts()
            if n.status == Notification.Status.SENT
        ]

    def test_one_write_past_80_percent_sends_one_alert_in_russian(self) -> None:
        self.spend("8200")
        self.assertEqual(len(queued("notifications.check_budget")), 1)
        run_queued()
        self.assertEqual(
            self.sent(),
            ["Кафе и рестораны: 8 200 ₽ из 10 000 ₽ (82 %), осталось 1 800 ₽ на 9 дней"],
        )
        (alert,) = self.alerts()
        self.assertEqual((alert.period, alert.subject), ("2026-11", self.subject(self.cafe, 80)))
        self.assertEqual(alert.channel, "email")

    def test_several_writes_alert_once_per_threshold(self) -> None:
        for amount in ["5000", "3500", "500", "1500", "700"]:
            self.spend(amount)
            run_queued()
        self.assertEqual(
            [(n.subject, n.status) for n in self.alerts()],
            [(self.subject(self.cafe, 100), "sent"), (self.subject(self.cafe, 80), "sent")],
        )
        self.assertIn("(105 %), 500 ₽ сверх плана", self.sent()[0])

    def test_one_write_past_both_sends_only_the_higher(self) -> None:
        self.spend("12000")
        run_queued()
        self.assertEqual(
            [(n.subject, n.status) for n in self.alerts()],
            [(self.subject(self.cafe, 100), "sent"), (self.subject(self.cafe, 80), "skipped")],
        )

    def test_a_rolled_back_write_sends_nothing(self) -> None:
        class Undo(Exception):
            pass

        try:
            with transaction.atomic():
                self.spend("9000")
                raise Undo
        except Undo:
            pass
        self.assertEqual(queued(), [])
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 0)
        run_queued()
        self.assertEqual(self.alerts(), [])

    def test_deleting_the_crossing_write_does_not_send_again(self) -> None:
        tx = self.spend("8500")
        run_queued()
        transaction_delete(tx=tx, user=self.alice, source="web")
        self.spend("8600")
        run_queued()
        self.assertEqual(len(self.sent()), 1)
        self.assertIn("8 500 ₽", self.sent()[0])

    def test_an_edit_moving_money_between_categories(self) -> None:
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.groceries,
            planned_amount=Decimal("5000"),
            source="web",
        )
        tx = self.spend("4500", category=self.groceries)
        run_queued()
        self.assertEqual([n.subject for n in self.alerts()], [self.subject(self.groceries, 80)])
        transaction_update(tx=tx, user=self.alice, category=self.cafe, source="web")
        self.spend("4000")
        run_queued()
        self.assertEqual(
            sorted(n.subject for n in self.alerts()),
            sorted([self.subject(self.groceries, 80), self.subject(self.cafe, 80)]),
        )

    def test_an_edit_into_another_month_checks_both(self) -> None:
        tx = self.spend("100")
        run_queued()
        transaction_update(tx=tx, user=self.alice, date=date(2026, 10, 5), source="web")
        months = sorted(j["args"]["month"] for j in queued("notifications.check_budget"))
        self.assertEqual(months, ["2026-10-01", "2026-11-01"])

    def test_a_plan_in_another_currency(self) -> None:
        ExchangeRate.objects.create(
            date=date(2026, 11, 1), base="EUR", quote="RUB", rate=Decimal("100")
        )
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.cafe,
            planned_amount=Decimal("50"),
            currency="EUR",
            source="web",
        )
        run_queued()  # nothing spent yet: no alert
        self.spend("4100")
        run_queued()
        self.assertEqual(
            self.sent(), ["Кафе и рестораны: 4 100 ₽ из 5 000 ₽ (82 %), осталось 900 ₽ на 9 дней"]
        )

    def test_thresholds_per_user_and_turning_alerts_off(self) -> None:
        NotificationSettings.objects.filter(user=self.alice).update(thresholds=[50])
        self.spend("5100")
        run_queued()
        self.assertEqual([n.subject for n in self.alerts()], [self.subject(self.cafe, 50)])
        NotificationSettings.objects.filter(user=self.alice).update(budget_alerts=False)
        self.spend("5000")
        run_queued()
        self.assertEqual(len(self.alerts()), 1)

    def test_in_english(self) -> None:
        self.alice.language = "en"
        self.alice.save(update_fields=["language"])
        self.spend("8200")
        run_queued()
        self.assertEqual(
            self.sent(),
            ["Кафе и рестораны: 8,200 RUB of 10,000 RUB (82%), 1,800 RUB left for 9 days"],
        )

    def test_an_import_checks_this_month_not_the_past(self) -> None:
        content = (
            "date;amount;category\n"
            "2026-11-21;-8500;Кафе и рестораны\n"
            "2026-10-21;-100;Кафе и рестораны\n"
        ).encode()
        table = imports.read_table(content)
        options = imports.Options(mapping=imports.guess_mapping(table.header))
        imports.transactions_import(user=self.alice, table=table, options=options)
        months = [j["args"]["month"] for j in queued("notifications.check_budget")]
        self.assertEqual(months, ["2026-11-01"])
        run_queued()
        self.assertEqual([n.subject for n in self.alerts()], [self.subject(self.cafe, 80)])

    def test_dry_runs_and_incomes_defer_nothing(self) -> None:
        record_from_text(
            user=self.alice, kind="expense", text="кофе 9000", source="bot", dry_run=True
        )
        transaction_create(
            user=self.alice,
            kind="income",
            amount=Decimal("9000"),
            currency="RUB",
            category=self.category(self.alice, "salary"),
            date=date(2026, 11, 20),
            source="web",
        )
        self.assertEqual(queued(), [])


class FirstPlanTestCase(BaseTestCase):
    def test_an_expense_that_skipped_its_check_is_caught_by_the_first_plans_second_look(
        self,
    ) -> None:
        cafe = self.category(self.alice, "cafe")
        month = date(2026, 11, 1)
        with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
            # Read before the plan existed (as a bot token's lookup reads it): this write
            # defers no check of its own.
            stale = Membership.objects.select_related("ledger").get(
                user=self.alice, ledger=self.ledger(self.alice)
            )
            budget_item_set(
                user=self.alice,
                month=month,
                category=cafe,
                planned_amount=Decimal("1000"),
                source="web",
            )
            run_queued()  # the plan's own check: nothing spent yet
            transaction_create(
                user=self.alice,
                ledger=stale,
                kind="expense",
                amount=Decimal("900"),
                currency="RUB",
                category=cafe,
                date=date(2026, 11, 20),
                source="web",
            )
            self.assertFalse(Notification.objects.filter(kind=Kind.BUDGET_ALERT).exists())
            (later,) = queued("notifications.check_budget")
        self.assertEqual(later["args"], {"ledger_id": stale.ledger_id, "month": "2026-11-01"})
        with time_machine.travel(datetime(2026, 11, 20, 12, 2, tzinfo=UTC), tick=False):
            run_queued()
        (alert,) = Notification.objects.filter(kind=Kind.BUDGET_ALERT)
        self.assertEqual(alert.status, "sent")
