from datetime import date
from decimal import Decimal

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Transaction
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create


class EditTransactionTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("480"),
            currency="RUB",
            category=self.category(self.alice, "transport"),
            date=date(2026, 11, 23),
            note="такси",
            text="такси 480",
            source="bot",
        )
        self.url = f"/transactions/{self.tx.pk}/"

    def post(self, **changes: str) -> dict[str, str]:
        return {
            "amount": "480,00",
            "currency": "RUB",
            "category": str(self.tx.category_id),
            "date": "2026-11-23",
            "note": "такси",
            **changes,
        }

    def test_it_moves_the_transaction_and_returns_to_the_filtered_list(self) -> None:
        car = self.category(self.alice, "car")
        response = self.client.post(
            self.url, {**self.post(category=str(car.pk)), "back": "/transactions/?month=2026-11"}
        )
        self.assertRedirects(
            response, "/transactions/?month=2026-11", fetch_redirect_response=False
        )
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.category, car)
        row = AuditLog.objects.get(action="transaction.update")
        self.assertEqual((row.source, row.details["category"]), ("web", ["transport", "car"]))
        # The correction teaches the parser: the note's word now files under "car".
        self.assertEqual(row.details["learned_aliases"], ["такси"])

    def test_an_unchanged_form_changes_nothing(self) -> None:
        self.client.post(self.url, self.post())
        self.assertFalse(AuditLog.objects.filter(action="transaction.update").exists())

    def test_it_never_redirects_off_site(self) -> None:
        response = self.client.post(self.url, {**self.post(), "back": "https://evil.example/"})
        self.assertRedirects(response, "/transactions/", fetch_redirect_response=False)

    def test_only_categories_of_the_same_kind_are_offered(self) -> None:
        response = self.client.get(self.url)
        offered = set(response.context["form"].fields["category"].queryset)
        self.assertIn(self.category(self.alice, "car"), offered)
        self.assertNotIn(self.category(self.alice, "salary"), offered)
        salary = self.category(self.alice, "salary")
        response = self.client.post(self.url, self.post(category=str(salary.pk)))
        self.assertIn("category", response.context["form"].errors)
        self.assertEqual(Transaction.objects.get().category.slug, "transport")

    def test_another_users_transaction_is_a_404(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, self.post(amount="1")).status_code, 404)
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.amount, Decimal(480))


class DeleteTransactionTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("250"),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 11, 23),
            source="web",
        )
        self.url = f"/transactions/{self.tx.pk}/delete/"

    def test_get_asks_for_confirmation_and_deletes_nothing(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Удалить эту операцию?")
        self.assertTrue(Transaction.objects.filter(pk=self.tx.pk).exists())

    def test_post_deletes_and_audits(self) -> None:
        response = self.client.post(self.url)
        self.assertRedirects(response, "/transactions/", fetch_redirect_response=False)
        self.assertFalse(Transaction.objects.filter(pk=self.tx.pk).exists())
        row = AuditLog.objects.get(action="transaction.delete")
        self.assertEqual((row.source, row.object_id), ("web", str(self.tx.pk)))

    def test_another_users_transaction_is_a_404(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertTrue(Transaction.objects.filter(pk=self.tx.pk).exists())

    def test_a_body_that_cannot_be_read_is_a_400_that_deletes_nothing(self) -> None:
        # A multipart body without its boundary: Django cannot read the form.
        response = self.client.generic("POST", self.url, b"a=1", content_type="multipart/form-data")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(Transaction.objects.filter(pk=self.tx.pk).exists())
        self.assertFalse(AuditLog.objects.filter(action="transaction.delete").exists())


class CorrectionTeachesTheParserTestCase(BaseTestCase):
    def test_moving_a_transaction_sends_the_same_words_there_next_time(self) -> None:
        self.client.force_login(self.alice)
        tx = record_from_text(user=self.alice, kind="expense", text="рикша 300", source="bot")
        self.assertEqual(tx.category.slug, "other")
        transport = self.category(self.alice, "transport")
        self.client.post(
            f"/transactions/{tx.pk}/",
            {
                "amount": "300",
                "currency": "RUB",
                "category": str(transport.pk),
                "date": f"{tx.date:%Y-%m-%d}",
                "note": tx.note,
            },
        )
        response = self.client.post(
            "/transactions/add/text/", {"text": "рикша 120", "kind": "expense", "preview": "1"}
        )
        self.assertEqual(response.context["preview"].category, transport)
