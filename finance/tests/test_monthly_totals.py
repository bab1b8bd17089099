from datetime import date
from decimal import Decimal

from config.testing import BaseTestCase
from finance.models import ExchangeRate
from finance.months import add_months
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals
from finance.services.transactions import transaction_create


class MonthlyTotalsTestCase(BaseTestCase):
    def record(self, slug: str, amount: str, day: date, currency: str = "RUB") -> None:
        category = self.category(self.alice, slug)
        transaction_create(
            user=self.alice,
            kind=category.kind,
            amount=Decimal(amount),
            currency=currency,
            category=category,
            date=day,
            source="web",
        )

    def test_twelve_months_oldest_first_with_empty_months_as_zero(self) -> None:
        self.record("cafe", "100", date(2025, 12, 31))
        self.record("cafe", "250.50", date(2026, 11, 2))
        self.record("salary", "1000", date(2026, 11, 5))
        self.record("cafe", "5", date(2025, 11, 30))  # the 13th month back: left out
        with self.assertNumQueries(2):  # the membership, the totals
            totals = monthly_totals(user=self.alice, last_month=date(2026, 11, 1))
        self.assertEqual([t.month for t in totals][:2], [date(2025, 12, 1), date(2026, 1, 1)])
        self.assertEqual(len(totals), 12)
        self.assertEqual(totals[0].expense, Decimal(100))
        self.assertEqual(totals[-1].expense, Decimal("250.50"))
        self.assertEqual(totals[-1].income, Decimal(1000))
        self.assertEqual(totals[-1].balance, Decimal("749.50"))
        self.assertEqual(totals[5].expense, Decimal(0))

    def test_it_converts_and_rounds_like_the_monthly_summary(self) -> None:
        ExchangeRate.objects.create(
            date=date(2026, 11, 1), base="USD", quote="RUB", rate=Decimal("92.3333")
        )
        self.record("cafe", "1.11", date(2026, 11, 2), currency="USD")
        self.record("cafe", "2.22", date(2026, 11, 3), currency="USD")
        self.record("transport", "3.33", date(2026, 11, 3), currency="USD")
        month = date(2026, 11, 1)
        totals = monthly_totals(user=self.alice, last_month=month)
        summary = monthly_summary(user=self.alice, month=month)
        self.assertEqual(totals[-1].expense, summary.expense)
        self.assertEqual(totals[-1].expense, Decimal("614.94"))

    def test_what_no_rate_converts_is_left_out_as_in_the_summary(self) -> None:
        self.record("cafe", "1", date(2026, 11, 2), currency="GEL")
        self.record("cafe", "250", date(2026, 11, 2))
        totals = monthly_totals(user=self.alice, last_month=date(2026, 11, 1))
        summary = monthly_summary(user=self.alice, month=date(2026, 11, 1))
        self.assertEqual(totals[-1].expense, Decimal("250.00"))
        self.assertEqual(totals[-1].expense, summary.expense)

    def test_add_months_crosses_years(self) -> None:
        self.assertEqual(add_months(date(2026, 1, 1), -1), date(2025, 12, 1))
        self.assertEqual(add_months(date(2026, 12, 1), 1), date(2027, 1, 1))
        self.assertEqual(add_months(date(2026, 11, 1), -11), date(2025, 12, 1))
