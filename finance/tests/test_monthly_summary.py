from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.test import override_settings

from accounts.models import User
from config.testing import BaseTestCase
from finance.models import ExchangeRate
from finance.rates.lookup import MissingExchangeRate, exchange_rate
from finance.selectors.summary import (
    CategoryLine,
    MissingRate,
    MonthlySummary,
    Unconverted,
    UnconvertedPlan,
    monthly_summary,
)
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create

NOV = date(2026, 11, 1)


class MonthlySummaryTestCase(BaseTestCase):
    def spend(self, user: User, slug: str, amount: str, currency: str, day: date) -> None:
        category = self.category(user, slug)
        transaction_create(
            user=user,
            kind=category.kind,
            amount=Decimal(amount),
            currency=currency,
            category=category,
            date=day,
            source="web",
        )

    def plan(self, user: User, slug: str, amount: str, currency: str = "RUB") -> None:
        budget_item_set(
            user=user,
            month=NOV,
            category=self.category(user, slug),
            planned_amount=Decimal(amount),
            currency=currency,
            source="web",
        )

    def rate(self, day: date, base: str, quote: str, rate: str) -> None:
        ExchangeRate.objects.create(date=day, base=base, quote=quote, rate=Decimal(rate))

    def line(self, summary: MonthlySummary, slug: str) -> CategoryLine:
        return next(x for x in summary.categories if x.category.slug == slug)

    def test_it_sums_the_month_in_the_users_currency(self) -> None:
        self.spend(self.alice, "cafe", "250", "RUB", date(2026, 11, 24))
        self.spend(self.alice, "cafe", "300.50", "RUB", date(2026, 11, 1))
        self.spend(self.alice, "transport", "480", "RUB", date(2026, 11, 30))
        self.spend(self.alice, "salary", "120000", "RUB", date(2026, 11, 15))
        self.spend(self.alice, "cafe", "999", "RUB", date(2026, 10, 31))  # last month
        self.spend(self.alice, "cafe", "999", "RUB", date(2026, 12, 1))  # next month
        self.plan(self.alice, "cafe", "8000")
        self.plan(self.alice, "groceries", "25000")

        # The first call on a connection prepares the statement; after that, one query
        # besides the membership that decides access.
        monthly_summary(user=self.alice, month=date(2026, 11, 20))
        with self.assertNumQueries(2):
            summary = monthly_summary(user=self.alice, month=date(2026, 11, 20))

        self.assertEqual(summary.month, NOV)
        self.assertEqual(summary.currency, "RUB")
        self.assertEqual(summary.income, Decimal("120000.00"))
        self.assertEqual(summary.expense, Decimal("1030.50"))
        self.assertEqual(summary.balance, Decimal("118969.50"))
        cafe = self.line(summary, "cafe")
        self.assertEqual(
            (cafe.planned, cafe.spent, cafe.remaining),
            (Decimal("8000.00"), Decimal("550.50"), Decimal("7449.50")),
        )
        groceries = self.line(summary, "groceries")
        self.assertEqual((groceries.planned, groceries.spent), (Decimal("25000"), Decimal(0)))
        self.assertEqual(self.line(summary, "salary").kind, "income")
        self.assertEqual(
            [x.category.slug for x in summary.categories],
            ["cafe", "groceries", "transport", "salary"],  # expenses first, by (Russian) name
        )

    def test_it_converts_each_transaction_at_the_rate_of_its_date(self) -> None:
        self.rate(date(2026, 11, 2), "USD", "RUB", "90")
        self.rate(date(2026, 11, 10), "USD", "RUB", "100")
        self.spend(self.alice, "cafe", "10", "USD", date(2026, 11, 5))  # 900
        self.spend(self.alice, "cafe", "10", "USD", date(2026, 11, 10))  # 1000
        self.spend(self.alice, "cafe", "10", "USD", date(2026, 11, 20))  # latest before: 1000
        self.spend(self.alice, "cafe", "100", "RUB", date(2026, 11, 20))
        self.plan(self.alice, "cafe", "50", "USD")  # at the month's last day: 5000

        summary = monthly_summary(user=self.alice, month=NOV)
        cafe = self.line(summary, "cafe")
        self.assertEqual(cafe.spent, Decimal("3000.00"))
        self.assertEqual(cafe.planned, Decimal("5000.00"))
        self.assertEqual(summary.expense, Decimal("3000.00"))

    def test_it_reports_in_another_currency_with_inverse_rates(self) -> None:
        self.rate(date(2026, 11, 1), "USD", "RUB", "80")
        self.spend(self.alice, "cafe", "200", "RUB", date(2026, 11, 3))
        self.spend(self.alice, "cafe", "1.25", "USD", date(2026, 11, 3))
        summary = monthly_summary(user=self.alice, month=NOV, currency="usd")
        self.assertEqual(summary.currency, "USD")
        self.assertEqual(self.line(summary, "cafe").spent, Decimal("3.75"))  # 200/80 + 1.25

    def test_it_crosses_rates_through_the_pivot_currency(self) -> None:
        # ECB style: everything against EUR.
        self.rate(date(2026, 11, 2), "EUR", "USD", "1.10")
        self.rate(date(2026, 11, 2), "EUR", "GBP", "0.88")
        self.spend(self.alice, "cafe", "11", "USD", date(2026, 11, 3))
        with override_settings(EXCHANGE_RATE_PIVOTS=["EUR"]):
            summary = monthly_summary(user=self.alice, month=NOV, currency="GBP")
        self.assertEqual(self.line(summary, "cafe").spent, Decimal("8.80"))

    def test_a_missing_rate_leaves_the_amount_out_and_names_it(self) -> None:
        self.rate(date(2026, 11, 10), "USD", "RUB", "100")
        self.spend(self.alice, "cafe", "10", "USD", date(2026, 11, 5))  # no rate yet
        self.spend(self.alice, "cafe", "5", "USD", date(2026, 11, 12))  # 500
        self.spend(self.alice, "groceries", "45.20", "EUR", date(2026, 11, 24))
        self.spend(self.alice, "groceries", "4.80", "EUR", date(2026, 11, 25))
        self.spend(self.alice, "salary", "300", "EUR", date(2026, 11, 25))
        self.spend(self.alice, "cafe", "250", "RUB", date(2026, 11, 5))
        self.plan(self.alice, "cafe", "40", "GBP")

        summary = monthly_summary(user=self.alice, month=NOV)

        self.assertEqual(self.line(summary, "cafe").spent, Decimal("750.00"))
        self.assertEqual(self.line(summary, "cafe").planned, Decimal(0))
        self.assertEqual(self.line(summary, "groceries").spent, Decimal(0))
        self.assertEqual((summary.expense, summary.income), (Decimal("750.00"), Decimal(0)))
        self.assertEqual(
            summary.unconverted,
            [
                Unconverted("expense", "EUR", Decimal("50.00")),
                Unconverted("expense", "USD", Decimal("10")),
                Unconverted("income", "EUR", Decimal("300")),
            ],
        )
        self.assertEqual(
            summary.missing_rates,
            [
                MissingRate("EUR", "RUB", date(2026, 11, 24)),
                MissingRate("EUR", "RUB", date(2026, 11, 25)),
                MissingRate("GBP", "RUB", date(2026, 11, 30)),
                MissingRate("USD", "RUB", date(2026, 11, 5)),
            ],
        )

    def test_a_target_currency_no_rate_mentions_is_a_partial_summary(self) -> None:
        # Issue 20: a summary never fails for a missing rate, not even in a currency no
        # stored rate mentions; what cannot be converted is listed.
        self.rate(date(2026, 11, 1), "USD", "RUB", "80")
        self.spend(self.alice, "cafe", "200", "RUB", date(2026, 11, 3))
        self.spend(self.alice, "salary", "1000", "RUB", date(2026, 11, 5))
        self.plan(self.alice, "cafe", "800")
        summary = monthly_summary(user=self.alice, month=NOV, currency="CHF")
        self.assertEqual(summary.currency, "CHF")
        self.assertEqual((summary.income, summary.expense), (Decimal(0), Decimal(0)))
        self.assertEqual(self.line(summary, "cafe").planned, Decimal(0))
        self.assertEqual(
            summary.unconverted,
            [
                Unconverted("expense", "RUB", Decimal("200.00")),
                Unconverted("income", "RUB", Decimal("1000.00")),
            ],
        )
        self.assertEqual(summary.unconverted_plans, [UnconvertedPlan("RUB", Decimal("800.00"))])
        self.assertEqual(
            summary.missing_rates,
            [
                MissingRate("RUB", "CHF", date(2026, 11, 3)),
                MissingRate("RUB", "CHF", date(2026, 11, 5)),
                MissingRate("RUB", "CHF", date(2026, 11, 30)),
            ],
        )

    def test_a_plan_in_the_ledgers_currency_without_a_rate_is_listed(self) -> None:
        # Issue 20 item 4: a USD ledger shown in RUB with no rates at all.
        self.plan(self.bob, "cafe", "100", "USD")
        self.plan(self.bob, "groceries", "250.50", "USD")
        self.plan(self.bob, "transport", "1000", "RUB")
        summary = monthly_summary(user=self.bob, month=NOV, currency="RUB")
        self.assertEqual(summary.currency, "RUB")
        self.assertEqual(summary.unconverted, [])
        self.assertEqual(summary.unconverted_plans, [UnconvertedPlan("USD", Decimal("350.50"))])
        self.assertEqual(summary.missing_rates, [MissingRate("USD", "RUB", date(2026, 11, 30))])
        self.assertEqual(self.line(summary, "cafe").planned, Decimal(0))
        self.assertEqual(self.line(summary, "transport").planned, Decimal("1000.00"))
        # With the rate, nothing is left out.
        self.rate(date(2026, 11, 30), "USD", "RUB", "90")
        summary = monthly_summary(user=self.bob, month=NOV, currency="RUB")
        self.assertEqual((summary.unconverted_plans, summary.missing_rates), ([], []))
        self.assertEqual(self.line(summary, "cafe").planned, Decimal("9000.00"))

    def test_it_crosses_through_either_pivot(self) -> None:
        # The Bank of Russia: everything in roubles. The ECB: everything against EUR.
        self.rate(date(2026, 11, 2), "KZT", "RUB", "0.2")
        self.rate(date(2026, 11, 2), "USD", "RUB", "80")
        self.rate(date(2026, 11, 2), "EUR", "CHF", "0.95")
        self.rate(date(2026, 11, 2), "EUR", "USD", "1.10")
        self.spend(self.alice, "cafe", "1000", "KZT", date(2026, 11, 3))  # 200 RUB = 2.50 USD
        self.spend(self.bob, "cafe", "11", "USD", date(2026, 11, 3))  # 10 EUR = 9.50 CHF
        with override_settings(EXCHANGE_RATE_PIVOTS=["EUR", "RUB"]):
            usd = monthly_summary(user=self.alice, month=NOV, currency="USD")
            chf = monthly_summary(user=self.bob, month=NOV, currency="CHF")
        self.assertEqual(self.line(usd, "cafe").spent, Decimal("2.50"))
        self.assertEqual(self.line(chf, "cafe").spent, Decimal("9.50"))
        self.assertEqual(usd.unconverted + chf.unconverted, [])

    def test_an_unknown_target_currency_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            monthly_summary(user=self.alice, month=NOV, currency="XYZ")
        self.assertEqual(cm.exception.code, "unknown_currency")

    def test_users_never_see_each_others_money(self) -> None:
        self.spend(self.alice, "cafe", "250", "RUB", date(2026, 11, 3))
        self.spend(self.bob, "cafe", "7", "USD", date(2026, 11, 3))
        self.plan(self.bob, "cafe", "100", "USD")
        alice = monthly_summary(user=self.alice, month=NOV)
        bob = monthly_summary(user=self.bob, month=NOV)
        self.assertEqual([x.category.slug for x in alice.categories], ["cafe"])
        self.assertEqual(self.line(alice, "cafe").spent, Decimal("250.00"))
        self.assertEqual(self.line(alice, "cafe").planned, Decimal(0))
        self.assertEqual(bob.currency, "USD")
        self.assertEqual((bob.expense, self.line(bob, "cafe").planned), (Decimal(7), Decimal(100)))

    def test_an_empty_month_is_all_zeros(self) -> None:
        summary = monthly_summary(user=self.alice, month=NOV)
        self.assertEqual((summary.income, summary.expense, summary.balance), (0, 0, 0))
        self.assertEqual(summary.categories, [])


class ExchangeRateTestCase(BaseTestCase):
    def test_it_prefers_a_direct_rate_then_inverse_then_pivot(self) -> None:
        on = date(2026, 11, 5)
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=80)
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="EUR", quote="KZT", rate=500)
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="EUR", quote="RUB", rate=100)
        self.assertEqual(exchange_rate(base="USD", quote="RUB", on=on), 80)
        self.assertEqual(exchange_rate(base="RUB", quote="USD", on=on), Decimal("0.0125"))
        self.assertEqual(exchange_rate(base="KZT", quote="RUB", on=on), Decimal("0.2"))
        self.assertEqual(exchange_rate(base="RUB", quote="RUB", on=on), 1)
        with self.assertRaises(MissingExchangeRate):
            exchange_rate(base="USD", quote="RUB", on=date(2026, 10, 31))
