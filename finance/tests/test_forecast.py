"""The forecast and safe-to-spend figures, checked against their definitions in
docs/recurring.md on the worked example's data, and at the edges: a month with no
history, a plan already exceeded, no plan, other currencies."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from config.testing import BaseTestCase
from finance.models import ExchangeRate, Transaction
from finance.selectors.forecast import Forecast, forecast_for
from finance.selectors.summary import monthly_summary
from finance.services.budget import budget_item_set
from finance.services.occurrences import occurrences_post_due
from finance.services.recurring import When, recurring_create
from finance.services.transactions import transaction_create

# The worked example's "now": Friday 20 November 2026, noon in Moscow.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOVEMBER = date(2026, 11, 1)


class ForecastTestCase(BaseTestCase):
    def spend(
        self, slug: str, amount: str, day: date, note: str = "", currency: str = "RUB"
    ) -> None:
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(amount),
            currency=currency,
            category=self.category(self.alice, slug),
            date=day,
            note=note,
            source="web",
        )

    def rule(self, made: datetime, slug: str, amount: str, note: str, **when: object) -> None:
        with time_machine.travel(made, tick=False):
            recurring_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(amount),
                currency="RUB",
                category=self.category(self.alice, slug),
                when=When(frequency="monthly", **when),  # type: ignore[arg-type]
                note=note,
                source="web",
            )

    def plan(self, **amounts: int) -> None:
        for slug, amount in amounts.items():
            budget_item_set(
                user=self.alice,
                month=NOVEMBER,
                category=self.category(self.alice, slug),
                planned_amount=Decimal(amount),
                source="web",
            )

    def forecast(self, currency: str | None = None) -> Forecast:
        with time_machine.travel(NOW, tick=False):
            summary = monthly_summary(user=self.alice, month=NOVEMBER, currency=currency)
            found = forecast_for(user=self.alice, summary=summary)
        assert found is not None
        return found

    def worked_example(self) -> None:
        """docs/recurring.md's worked example, as data."""
        for month, groceries, cafe in (
            (8, "20000", "4000"),
            (9, "18000", "5000"),
            (10, "21000", "3000"),
        ):
            self.spend("groceries", groceries, date(2026, month, 10), "продукты")
            self.spend("cafe", cafe, date(2026, month, 15), "кафе")
            self.spend("housing", "45000", date(2026, month, 1), "аренда")
        self.rule(datetime(2026, 10, 25, 9, 0, tzinfo=UTC), "housing", "45000", "аренда", day=1)
        occurrences_post_due(now=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
        self.rule(
            datetime(2026, 11, 10, 9, 0, tzinfo=UTC), "communication", "600", "интернет", day=25
        )
        self.spend("groceries", "12000", date(2026, 11, 12), "продукты")
        self.spend("cafe", "2500", date(2026, 11, 18), "кафе")

    def test_the_worked_example(self) -> None:
        self.worked_example()
        self.plan(housing=45000, groceries=20000, cafe=5000, communication=600)
        found = self.forecast()
        self.assertEqual(found.days_left, 11)  # 20-30 November, today included
        self.assertEqual(found.spent, Decimal("59500.00"))  # the rule's rent, 12 000, 2 500
        self.assertEqual(
            [(d.date, d.converted, d.note) for d in found.recurring_due],
            [(date(2026, 11, 25), Decimal("600.00"), "интернет")],
        )
        self.assertEqual(found.recurring_due_total, Decimal("600.00"))
        # August-October: 206 000 spent, 135 000 of it the rent a rule now covers; 92 days.
        self.assertEqual(found.average_daily, Decimal("771.74"))  # 71 000 / 92
        self.assertEqual(found.forecast, Decimal("68589.14"))  # 59 500 + 600 + 771.74 x 11
        self.assertEqual(found.plan, Decimal("70600.00"))
        self.assertEqual(found.safe_to_spend_today, Decimal("954.54"))  # 10 500 / 11, down

    def test_a_plan_already_exceeded_leaves_nothing_safe_to_spend(self) -> None:
        self.worked_example()
        self.plan(housing=45000, groceries=5000)
        found = self.forecast()
        self.assertEqual(found.plan, Decimal("50000.00"))
        self.assertEqual(found.safe_to_spend_today, Decimal("0.00"))
        self.assertEqual(found.forecast, Decimal("68589.14"))

    def test_no_plan_no_safe_to_spend(self) -> None:
        self.worked_example()
        found = self.forecast()
        self.assertIsNone(found.plan)
        self.assertIsNone(found.safe_to_spend_today)

    def test_a_month_with_no_history(self) -> None:
        # A ledger begun this month: nothing to average, so only what is known counts.
        self.spend("groceries", "3000", date(2026, 11, 5))
        self.rule(
            datetime(2026, 11, 3, 9, 0, tzinfo=UTC), "communication", "600", "интернет", day=25
        )
        self.plan(groceries=10000)
        found = self.forecast()
        self.assertEqual(found.average_daily, Decimal("0.00"))
        self.assertEqual(found.forecast, Decimal("3600.00"))
        self.assertEqual(found.safe_to_spend_today, Decimal("581.81"))  # 6 400 / 11, down

    def test_an_empty_ledger(self) -> None:
        found = self.forecast()
        self.assertEqual(
            (found.spent, found.recurring_due_total, found.average_daily, found.forecast),
            (Decimal(0), Decimal(0), Decimal(0), Decimal(0)),
        )
        self.assertEqual(found.recurring_due, [])

    def test_a_history_begun_inside_the_window_is_averaged_over_its_own_days(self) -> None:
        self.spend("groceries", "3000", date(2026, 10, 17))  # 15 days to 31 October
        found = self.forecast()
        self.assertEqual(found.average_daily, Decimal("200.00"))
        self.assertEqual(found.forecast, Decimal("2200.00"))  # 200 x 11

    def test_a_rule_due_several_times_a_month_and_paused_ones(self) -> None:
        with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=UTC), tick=False):
            recurring_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(40),
                currency="RUB",
                category=self.category(self.alice, "education"),
                when=When(frequency="weekly", weekday=4),
                note="piano",
                source="web",
            )
        found = self.forecast()
        # Fridays 20 and 27 November: today's is still due until the queue records it.
        self.assertEqual(
            [d.date for d in found.recurring_due], [date(2026, 11, 20), date(2026, 11, 27)]
        )
        self.assertEqual(found.recurring_due_total, Decimal("80.00"))
        occurrences_post_due(now=NOW)
        found = self.forecast()
        self.assertEqual([d.date for d in found.recurring_due], [date(2026, 11, 27)])
        self.assertEqual(
            (found.spent, found.recurring_due_total), (Decimal("40.00"), Decimal("40.00"))
        )

    def test_other_currencies_convert_at_todays_rate(self) -> None:
        ExchangeRate.objects.create(
            date=date(2026, 11, 19), base="USD", quote="RUB", rate=Decimal("90")
        )
        with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=UTC), tick=False):
            recurring_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("10"),
                currency="USD",
                category=self.category(self.alice, "subscriptions"),
                when=When(frequency="monthly", day=28),
                note="cloud",
                source="web",
            )
            recurring_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("5"),
                currency="GEL",
                category=self.category(self.alice, "subscriptions"),
                when=When(frequency="monthly", day=29),
                note="app",
                source="web",
            )
        found = self.forecast()
        self.assertEqual(
            [(d.amount, d.currency, d.converted) for d in found.recurring_due],
            [(Decimal("10.00"), "USD", Decimal("900.00")), (Decimal("5.00"), "GEL", None)],
        )
        self.assertEqual(found.recurring_due_total, Decimal("900.00"))
        in_dollars = self.forecast("USD")
        self.assertEqual(in_dollars.recurring_due_total, Decimal("10.00"))

    def test_incomes_are_not_spending(self) -> None:
        with time_machine.travel(datetime(2026, 11, 10, 9, 0, tzinfo=UTC), tick=False):
            recurring_create(
                user=self.alice,
                kind="income",
                amount=Decimal("90000"),
                currency="RUB",
                category=self.category(self.alice, "salary"),
                when=When(frequency="monthly", day=25),
                source="web",
            )
        self.assertEqual(self.forecast().recurring_due, [])

    def test_only_the_current_month(self) -> None:
        with time_machine.travel(NOW, tick=False):
            october = monthly_summary(user=self.alice, month=date(2026, 10, 1))
            self.assertIsNone(forecast_for(user=self.alice, summary=october))

    def test_what_the_rules_recorded_is_not_variable_spending(self) -> None:
        Transaction.objects.create(
            ledger=self.ledger(self.alice),
            created_by=self.alice,
            paid_by=self.alice,
            kind="expense",
            amount=Decimal("9200"),
            currency="RUB",
            category=self.category(self.alice, "sport"),
            date=date(2026, 9, 1),
            source="recurring",
        )
        self.spend("cafe", "920", date(2026, 8, 1))
        found = self.forecast()
        self.assertEqual(found.average_daily, Decimal("10.00"))  # 920 / 92
