from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Transaction
from finance.services.categories import category_archive
from finance.services.transactions import transaction_create


class TransactionCreateTestCase(BaseTestCase):
    def create(self, **overrides: object) -> Transaction:
        values: dict[str, object] = {
            "user": self.alice,
            "kind": "expense",
            "amount": Decimal("250"),
            "currency": "rub",
            "category": self.category(self.alice, "cafe"),
            "date": date(2026, 11, 24),
            "note": "  кофе ",
            "text": "кофе 250",
            "source": "web",
        }
        values.update(overrides)
        return transaction_create(**values)  # type: ignore[arg-type]

    def test_it_works(self) -> None:
        tx = self.create()
        tx.refresh_from_db()
        self.assertEqual(tx.amount, Decimal("250.00"))
        self.assertEqual(tx.currency, "RUB")
        self.assertEqual(tx.note, "кофе")
        self.assertEqual(tx.text, "кофе 250")
        self.assertEqual(tx.source, "web")

    def test_it_writes_an_audit_row(self) -> None:
        tx = self.create()
        row = AuditLog.objects.get(action="transaction.create")
        self.assertEqual(row.user_id, self.alice.pk)
        self.assertEqual(row.object_id, str(tx.pk))
        self.assertEqual(row.source, "web")
        self.assertEqual(row.details["amount"], "250.00")

    def assertRefused(self, code: str, **overrides: object) -> None:
        with self.assertRaises(ValidationError) as cm:
            self.create(**overrides)
        self.assertEqual(cm.exception.code, code)
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(AuditLog.objects.filter(action="transaction.create").exists())

    def test_it_refuses_bad_amounts(self) -> None:
        for amount in ["0", "-1", "1000000000000", "NaN", "Infinity"]:
            with self.subTest(amount=amount):
                self.assertRefused("amount_out_of_range", amount=Decimal(amount))

    def test_it_refuses_more_decimals_than_the_currency_has(self) -> None:
        self.assertRefused("amount_precision", amount=Decimal("1.005"))
        self.assertRefused("amount_precision", amount=Decimal("1500.5"), currency="JPY")

    def test_it_accepts_whole_yen(self) -> None:
        tx = self.create(amount=Decimal("1500"), currency="JPY")
        self.assertEqual(tx.amount, Decimal("1500.00"))

    def test_it_refuses_unknown_currency(self) -> None:
        self.assertRefused("unknown_currency", currency="XYZ")

    def test_it_hides_other_users_categories(self) -> None:
        self.assertRefused("category_not_found", category=self.category(self.bob, "cafe"))

    def test_it_refuses_a_category_of_the_other_kind(self) -> None:
        self.assertRefused("category_kind_mismatch", category=self.category(self.alice, "salary"))

    def test_it_refuses_an_archived_category(self) -> None:
        cafe = self.category(self.alice, "cafe")
        category_archive(user=self.alice, category=cafe, source="web")
        self.assertRefused("category_archived", category=cafe)
