from datetime import date
from decimal import Decimal

from django.test import RequestFactory, SimpleTestCase
from django.utils import translation

from core.i18n import day_text, money_text, month_text, request_language


class RequestLanguageTestCase(SimpleTestCase):
    def language(self, header: str | None, default: str = "ru") -> str:
        request = RequestFactory().get("/")
        if header is not None:
            request.META["HTTP_ACCEPT_LANGUAGE"] = header
        return request_language(request, default)

    def test_the_first_language_we_speak_wins(self) -> None:
        self.assertEqual(self.language("en-US,en;q=0.9,ru;q=0.8"), "en")
        self.assertEqual(self.language("de-DE,ru;q=0.5,en;q=0.4", default="en"), "ru")

    def test_otherwise_the_callers_own(self) -> None:
        self.assertEqual(self.language(None, default="en"), "en")
        self.assertEqual(self.language("de, fr;q=0.5", default="en"), "en")
        self.assertEqual(self.language("*", default="en"), "en")
        self.assertEqual(self.language("zz-ZZ;q=abc,*;q=-1", default="en"), "en")


class WrittenInTheLanguageTestCase(SimpleTestCase):
    def test_amounts_are_grouped_and_signed_as_each_language_writes_them(self) -> None:
        with translation.override("ru"):
            self.assertEqual(money_text(Decimal("3200"), "RUB"), "3\xa0200,00 ₽")
            self.assertEqual(money_text(Decimal("-12.5"), "USD"), "-12,50 $")
        with translation.override("en"):
            self.assertEqual(money_text(Decimal("3200"), "RUB"), "3,200.00 RUB")
            self.assertEqual(money_text(Decimal("1234567.891"), "EUR"), "1,234,567.89 €")

    def test_days_and_months_are_words_with_the_year_only_when_it_is_another(self) -> None:
        today = date(2026, 12, 1)
        with translation.override("ru"):
            self.assertEqual(day_text(date(2026, 11, 24), today), "24 ноября")
            self.assertEqual(day_text(date(2025, 11, 24), today), "24 ноября 2025")
            self.assertEqual(month_text(date(2026, 11, 1)), "ноябрь 2026")
        with translation.override("en"):
            self.assertEqual(day_text(date(2026, 11, 24), today), "24 November")
            self.assertEqual(month_text(date(2026, 11, 1)), "November 2026")
