from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import InternalError, ProgrammingError, transaction
from django.test import override_settings

from accounts import services as account_services
from accounts.models import ApiToken, User
from audit.models import AuditLog
from audit.services import audit_record, audit_redact_user
from config.testing import PASSWORD, BaseTestCase, clear_cache
from finance.models import BudgetItem, Category, Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create


class DeleteAccountTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()  # the password throttle counts in the shared cache
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("250"),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 11, 3),
            note="кофе с Машей",
            source="web",
        )
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(8000),
            source="web",
        )
        transaction_create(
            user=self.bob,
            kind="expense",
            amount=Decimal("7"),
            currency="USD",
            category=self.category(self.bob, "cafe"),
            date=date(2026, 11, 3),
            source="web",
        )
        self.client.force_login(self.alice)

    def test_it_deletes_everything_the_person_owns_and_keeps_anonymous_audit_rows(self) -> None:
        alice_id = self.alice.pk
        rows_before = AuditLog.objects.filter(user_id=alice_id).count()
        self.assertGreater(rows_before, 0)
        response = self.client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})
        self.assertRedirects(response, "/login/", fetch_redirect_response=False)
        self.assertFalse(User.objects.filter(pk=alice_id).exists())
        self.assertFalse(Transaction.objects.filter(created_by_id=alice_id).exists())
        for model in (Category, BudgetItem):
            self.assertFalse(model.objects.filter(ledger__personal_for_id=alice_id).exists(), model)
        self.assertFalse(ApiToken.objects.filter(user_id=alice_id).exists())
        # Bob's are untouched.
        self.assertEqual(Transaction.objects.filter(created_by=self.bob).count(), 1)
        # Her audit rows stay, with what happened and when, and nothing personal.
        rows = AuditLog.objects.filter(user_id=alice_id)
        self.assertEqual(rows.count(), rows_before)
        for row in rows:
            self.assertEqual(row.details, {"redacted": True})
            self.assertIsNone(row.client_ip)
            self.assertEqual(row.idempotency_key, "")
        self.assertIn("transaction.create", set(rows.values_list("action", flat=True)))
        last = AuditLog.objects.filter(action="account.delete").get()
        self.assertEqual(last.details, {"user_id": alice_id, "ledgers_kept": []})
        self.assertTrue(
            AuditLog.objects.filter(user=self.bob).exclude(details={"redacted": True}).exists()
        )
        # Logged out.
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_a_wrong_password_deletes_nothing(self) -> None:
        response = self.client.post("/settings/delete/", {"password": "guess", "confirm": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("password", response.context["form"].errors)
        self.assertTrue(User.objects.filter(pk=self.alice.pk).exists())
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 1)
        response = self.client.post("/settings/delete/", {"password": PASSWORD})
        self.assertEqual(response.status_code, 200)  # not confirmed: the form asks again
        self.assertTrue(User.objects.filter(pk=self.alice.pk).exists())

    @override_settings(LOGIN_RATE_PER_USERNAME="3/10m", LOGIN_RATE_PER_IP="100/10m")
    def test_password_guesses_are_throttled_even_the_right_one(self) -> None:
        for i in range(3):
            self.client.post("/settings/delete/", {"password": f"guess{i}", "confirm": "on"})
        response = self.client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})
        self.assertEqual(response.status_code, 429)
        self.assertTrue(User.objects.filter(pk=self.alice.pk).exists())

    def test_the_service_refuses_an_empty_password(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            account_services.account_delete(user=self.alice, password="", source="cli")
        self.assertEqual(cm.exception.code, "password_incorrect")


class AuditStillAppendOnlyTestCase(BaseTestCase):
    def test_only_the_redaction_gets_through_the_trigger(self) -> None:
        row = audit_record(source="web", action="x", user=self.alice, details={"name": "Маша"})
        with self.assertRaises((InternalError, ProgrammingError)), transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).update(details={"redacted": True})
        with self.assertRaises((InternalError, ProgrammingError)), transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).delete()
        self.assertEqual(
            audit_redact_user(user_id=self.alice.pk),
            AuditLog.objects.filter(user=self.alice).count(),
        )
        # Once redacted, nothing else changes, even with the switch off again.
        with self.assertRaises((InternalError, ProgrammingError)), transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).update(action="y")
        row.refresh_from_db()
        self.assertEqual((row.action, row.details), ("x", {"redacted": True}))
