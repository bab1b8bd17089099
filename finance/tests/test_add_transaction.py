from datetime import date
from decimal import Decimal

import time_machine

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Transaction


class AddTransactionTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.cafe = self.category(self.alice, "cafe")

    def form(self, **changes: str) -> dict[str, str]:
        return {
            "kind": "expense",
            "amount": "250,50",  # the comma Russian speakers type
            "currency": "RUB",
            "category": str(self.cafe.pk),
            "date": "2026-11-03",
            "note": "latte",
            **changes,
        }

    def test_it_offers_the_users_categories_currency_and_today(self) -> None:
        with time_machine.travel("2026-11-30 22:00Z"):  # already Dec 1 in Moscow
            response = self.client.get("/transactions/add/")
        form = response.context["form"]
        self.assertEqual(form.fields["date"].initial, date(2026, 12, 1))
        self.assertEqual(form.fields["currency"].initial, "RUB")
        self.assertNotIn(self.category(self.bob, "cafe"), form.fields["category"].queryset)

    def test_it_records_by_form_and_audits_as_web(self) -> None:
        response = self.client.post("/transactions/add/", self.form())
        self.assertRedirects(response, "/transactions/add/")
        tx = Transaction.objects.get(created_by=self.alice)
        self.assertEqual((tx.amount, tx.category, tx.source), (Decimal("250.50"), self.cafe, "web"))
        self.assertEqual(AuditLog.objects.get(action="transaction.create").source, "web")

    @time_machine.travel("2026-11-30 12:00Z")
    def test_the_confirmation_writes_the_amount_and_day_in_the_persons_language(self) -> None:
        response = self.client.post("/transactions/add/", self.form(amount="3200"), follow=True)
        self.assertContains(response, "Записано: 3\xa0200,00 ₽, Кафе и рестораны, 3 ноября.")
        self.alice.language = "en"
        self.alice.save(update_fields=["language"])
        response = self.client.post(
            "/transactions/add/", self.form(amount="3200", date="2025-11-24"), follow=True
        )
        self.assertContains(response, "Recorded: 3,200.00 RUB, ")
        self.assertContains(response, ", 24 November 2025.")

    def test_a_category_of_the_other_kind_is_a_form_error(self) -> None:
        salary = self.category(self.alice, "salary")
        response = self.client.post("/transactions/add/", self.form(category=str(salary.pk)))
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(errors.as_data()["category"][0].code, "category_kind_mismatch")
        self.assertFalse(Transaction.objects.exists())

    def test_bad_amounts_are_refused_and_nothing_is_written(self) -> None:
        for amount in ("0", "-5", "abc", "1.234", "1000000000000"):
            with self.subTest(amount=amount):
                response = self.client.post("/transactions/add/", self.form(amount=amount))
                self.assertIn("amount", response.context["form"].errors)
        response = self.client.post("/transactions/add/", self.form(amount="10.5", currency="JPY"))
        self.assertEqual(
            response.context["form"].errors.as_data()["amount"][0].code, "amount_precision"
        )
        self.assertFalse(Transaction.objects.exists())

    def test_another_users_category_is_refused(self) -> None:
        bobs = self.category(self.bob, "cafe")
        response = self.client.post("/transactions/add/", self.form(category=str(bobs.pk)))
        self.assertIn("category", response.context["form"].errors)
        self.assertFalse(Transaction.objects.exists())


class AddTransactionByTextTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_preview_shows_what_would_be_recorded_and_writes_nothing(self) -> None:
        response = self.client.post(
            "/transactions/add/text/", {"text": "кофе 250", "kind": "expense", "preview": "1"}
        )
        self.assertEqual(response.status_code, 200)
        preview = response.context["preview"]
        self.assertEqual((preview.amount, preview.category.slug), (Decimal(250), "cafe"))
        self.assertIsNone(preview.pk)
        self.assertContains(response, "Будет записано")
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(AuditLog.objects.filter(action="transaction.create").exists())

    def test_record_saves_as_web_with_the_original_text(self) -> None:
        response = self.client.post(
            "/transactions/add/text/", {"text": "кофе 250", "kind": "expense", "save": "1"}
        )
        self.assertRedirects(response, "/transactions/add/")
        tx = Transaction.objects.get(created_by=self.alice)
        self.assertEqual((tx.amount, tx.text, tx.source), (Decimal(250), "кофе 250", "web"))
        self.assertEqual(tx.category.slug, "cafe")

    def test_text_without_an_amount_is_an_error_on_the_text(self) -> None:
        response = self.client.post(
            "/transactions/add/text/", {"text": "просто кофе", "kind": "expense"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("text", response.context["text_form"].errors)
        self.assertFalse(Transaction.objects.exists())

    def test_it_needs_a_post(self) -> None:
        self.assertEqual(self.client.get("/transactions/add/text/").status_code, 405)
