from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Transaction
from finance.services.transactions import transaction_create, transaction_delete, transaction_update


class TransactionUpdateTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("480"),
            currency="RUB",
            category=self.category(self.alice, "transport"),
            date=date(2026, 11, 23),
            note="такси",
            source="bot",
        )

    def test_it_changes_fields_and_audits_the_difference(self) -> None:
        transaction_update(
            user=self.alice,
            tx=self.tx,
            amount=Decimal("500"),
            category=self.category(self.alice, "car"),
            source="web",
        )
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.amount, Decimal("500.00"))
        self.assertEqual(self.tx.category.slug, "car")
        row = AuditLog.objects.get(action="transaction.update")
        self.assertEqual(row.details["amount"], ["480.00", "500.00"])
        self.assertEqual(row.details["category"], ["transport", "car"])
        self.assertNotIn("date", row.details)

    def test_a_new_currency_rechecks_the_amount(self) -> None:
        self.tx.amount = Decimal("480.50")
        self.tx.save()
        with self.assertRaises(ValidationError) as cm:
            transaction_update(user=self.alice, tx=self.tx, currency="JPY", source="web")
        self.assertEqual(cm.exception.code, "amount_precision")

    def test_it_refuses_another_users_category(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            transaction_update(
                user=self.alice, tx=self.tx, category=self.category(self.bob, "car"), source="web"
            )
        self.assertEqual(cm.exception.code, "category_not_found")
        self.assertEqual(Transaction.objects.get().category.slug, "transport")

    def test_delete_audits_what_was_removed(self) -> None:
        pk = self.tx.pk
        transaction_delete(user=self.alice, tx=self.tx, source="web")
        self.assertFalse(Transaction.objects.filter(pk=pk).exists())
        row = AuditLog.objects.get(action="transaction.delete")
        self.assertEqual(row.object_id, str(pk))
        self.assertEqual(row.details["amount"], "480.00")

    def test_a_second_delete_of_the_same_row_changes_and_audits_nothing(self) -> None:
        stale = Transaction.objects.get(pk=self.tx.pk)  # a double submit's second request
        self.assertTrue(transaction_delete(user=self.alice, tx=self.tx, source="web"))
        self.assertFalse(transaction_delete(user=self.alice, tx=stale, source="web"))
        self.assertEqual(AuditLog.objects.filter(action="transaction.delete").count(), 1)
