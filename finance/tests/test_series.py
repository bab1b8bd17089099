"""finance.series: what repeats, and in which rhythm (pure)."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import TestCase

from finance.series import Payment, about_the_same, rhythm, words_key


def monthly(*amounts: str, last: date = date(2026, 11, 15)) -> list[Payment]:
    count = len(amounts)
    return [
        Payment(date(last.year, last.month - (count - 1 - i), last.day), Decimal(a))
        for i, a in enumerate(amounts)
    ]


class SeriesTestCase(TestCase):
    def test_words_key(self) -> None:
        self.assertEqual(words_key("NETFLIX.COM 4471"), "netflix com")
        self.assertEqual(words_key("Netflix com"), "netflix com")
        self.assertEqual(words_key("250 ₽"), "")

    def test_about_the_same_is_within_ten_percent(self) -> None:
        self.assertTrue(about_the_same(Decimal(100), Decimal(110)))
        self.assertTrue(about_the_same(Decimal(110), Decimal(100)))
        self.assertFalse(about_the_same(Decimal(100), Decimal("111.2")))

    def test_a_monthly_series_three_times(self) -> None:
        found = rhythm(monthly("799", "799", "799"), today=date(2026, 11, 20))
        assert found is not None
        self.assertEqual((found.frequency, len(found.payments)), ("monthly", 3))

    def test_twice_is_not_a_series(self) -> None:
        self.assertIsNone(rhythm(monthly("799", "799"), today=date(2026, 11, 20)))

    def test_amounts_apart_by_more_than_ten_percent_break_it(self) -> None:
        self.assertIsNone(rhythm(monthly("500", "799", "799"), today=date(2026, 11, 20)))
        found = rhythm(monthly("760", "799", "820"), today=date(2026, 11, 20))
        self.assertIsNotNone(found)

    def test_a_one_off_in_between_is_left_out(self) -> None:
        payments = [*monthly("799", "799", "799"), Payment(date(2026, 10, 2), Decimal("4999"))]
        found = rhythm(payments, today=date(2026, 11, 20))
        assert found is not None
        self.assertEqual([p.amount for p in found.payments], [Decimal("799")] * 3)

    def test_a_weekly_series(self) -> None:
        start = date(2026, 11, 6)
        payments = [Payment(start + timedelta(weeks=i), Decimal("40")) for i in range(4)]
        found = rhythm(payments, today=date(2026, 11, 28))
        self.assertEqual(found.frequency if found else None, "weekly")

    def test_an_irregular_one_is_none(self) -> None:
        days = [date(2026, 9, 1), date(2026, 9, 13), date(2026, 10, 30), date(2026, 11, 2)]
        self.assertIsNone(rhythm([Payment(d, Decimal(300)) for d in days], today=date(2026, 11, 5)))

    def test_a_series_that_stopped_is_not_current(self) -> None:
        self.assertIsNone(
            rhythm(monthly("799", "799", "799", last=date(2026, 6, 15)), today=date(2026, 11, 20))
        )

    def test_month_end(self) -> None:
        payments = [
            Payment(d, Decimal(1))
            for d in (date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31))
        ]
        found = rhythm(payments, today=date(2026, 11, 1))
        assert found is not None
        self.assertTrue(found.month_end)
