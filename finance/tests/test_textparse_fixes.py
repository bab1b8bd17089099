"""Amounts and dates the parser used to misread ("Also wrong today" in issue 14)."""

from datetime import date
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError

from config.testing import BaseTestCase
from finance import textparse
from finance.models import Kind, Transaction
from finance.services.text import record_from_text
from finance.tests.parsing import parse


class CurrencySignBeforeEnglishDateTestCase(BaseTestCase):
    def test_a_signed_amount_is_not_the_day_before_a_month(self) -> None:
        gift = parse("gift $25 Oct 30")
        self.assertEqual((gift.amount, gift.currency, gift.date), (25, "USD", date(2026, 10, 30)))
        tickets = parse("tickets $40 Nov 9")
        self.assertEqual((tickets.amount, tickets.date), (40, date(2026, 11, 9)))
        spaced = parse("lunch € 12 nov 3")
        self.assertEqual(
            (spaced.amount, spaced.currency, spaced.date), (12, "EUR", date(2026, 11, 3))
        )

    def test_a_day_before_a_month_still_reads_without_a_sign(self) -> None:
        self.assertEqual(parse("gift 25 Oct 30$").date, date(2026, 10, 25))
        self.assertEqual(parse("кофе 250 15 ноября").date, date(2026, 11, 15))


class DayOfMonthTestCase(BaseTestCase):
    def test_it_reads_on_the_nth_as_the_latest_such_day(self) -> None:
        self.assertEqual(parse("lunch 12 on the 5th").date, date(2026, 11, 5))
        self.assertEqual(parse("lunch 12 the 23rd").date, date(2026, 11, 23))
        # The 30th has not come yet in November 2026 (today is the 24th): October's.
        self.assertEqual(parse("coffee 4 on the 30th").date, date(2026, 10, 30))
        # No 31st in November: the latest month that has one.
        self.assertEqual(parse("coffee 4 on the 31st").date, date(2026, 10, 31))
        self.assertEqual(parse("кофе 300 5 числа").date, date(2026, 11, 5))
        self.assertEqual(parse("кофе 300 5-го числа").date, date(2026, 11, 5))

    def test_the_day_is_not_the_amount(self) -> None:
        result = parse("lunch on the 5th 12")
        self.assertEqual((result.amount, result.date), (12, date(2026, 11, 5)))
        self.assertEqual(result.note, "lunch")

    def test_on_the_nth_of_a_month_is_that_date(self) -> None:
        self.assertEqual(parse("book on the 5th of october 20").date, date(2026, 10, 5))

    def test_a_day_no_month_has_is_refused(self) -> None:
        with self.assertRaises(textparse.ParseError) as caught:
            parse("lunch 12 on the 35th")
        self.assertEqual([p.code for p in caught.exception.problems], ["invalid_date"])


class NumberShapesTestCase(BaseTestCase):
    def codes(self, text: str) -> list[str]:
        with self.assertRaises(textparse.ParseError) as caught:
            parse(text)
        return [p.code for p in caught.exception.problems]

    def test_a_leading_zero_is_never_a_thousands_group(self) -> None:
        self.assertEqual(parse("кофе 0.001").amount, Decimal("0.001"))
        self.assertEqual(parse("кофе 0,5").amount, Decimal("0.5"))
        self.assertEqual(parse("кофе 1.299,50").amount, Decimal("1299.50"))

    def test_it_reads_exponents_and_underscores(self) -> None:
        self.assertEqual(str(parse("кофе 1e5").amount), "100000")
        self.assertEqual(str(parse("кофе 2.5e3").amount), "2500")
        self.assertEqual(parse("кофе 1_000").amount, 1000)
        self.assertEqual(parse("кофе 1_000_000").amount, 1_000_000)
        self.assertEqual(parse("кофе 12_500,50").amount, Decimal("12500.50"))

    def test_a_number_it_cannot_read_whole_is_refused_not_cut(self) -> None:
        self.assertEqual(self.codes("кофе 1_00"), ["amount_not_found"])
        self.assertEqual(self.codes("кофе 1e99"), ["amount_out_of_range"])
        self.assertEqual(parse("кофе 1e-5").amount, Decimal("0.00001"))  # refused when recorded

    def test_a_currency_after_an_exponent_still_reads(self) -> None:
        result = parse("кофе 1e3 eur")
        self.assertEqual((result.amount, result.currency), (1000, "EUR"))


@time_machine.travel("2026-11-24 12:00Z", tick=False)
class RecordedNumberShapesTestCase(BaseTestCase):
    def record(self, text: str) -> Transaction:
        return record_from_text(
            user=self.alice, kind=Kind.EXPENSE, text=text, source=Transaction.Source.BOT
        )

    def test_a_fraction_of_a_kopeck_is_refused_and_nothing_written(self) -> None:
        for text in ("кофе 0.001", "кофе 1e-5"):
            with self.subTest(text), self.assertRaises(ValidationError) as caught:
                self.record(text)
            codes = [e.code for e in caught.exception.error_dict["text"]]
            self.assertEqual(codes, ["amount_precision"])
        self.assertFalse(Transaction.objects.exists())

    def test_exponents_and_underscores_are_recorded_as_written(self) -> None:
        self.assertEqual(self.record("кофе 1e5").amount, Decimal("100000.00"))
        self.assertEqual(self.record("кофе 1_000").amount, Decimal("1000.00"))
