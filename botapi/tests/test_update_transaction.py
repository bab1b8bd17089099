from datetime import date
from decimal import Decimal

from accounts.models import Scope
from accounts.services import api_token_create
from audit.models import AuditLog
from botapi.tests.helpers import BotTestCase
from finance.models import CategoryAlias, Transaction
from finance.services.text import record_from_text


class UpdateTransactionTestCase(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tx = record_from_text(user=self.alice, kind="expense", text="кофе 250", source="web")

    def test_it_moves_the_transaction_and_teaches_the_parser(self) -> None:
        response = self.act(
            "update_transaction", {"transaction_id": self.tx.pk, "category": "groceries"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual((result["id"], result["category"]["slug"]), (self.tx.pk, "groceries"))
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.category.slug, "groceries")
        self.assertTrue(
            CategoryAlias.objects.filter(category=self.tx.category, word="кофе", source="learned")
        )
        self.assertTrue(AuditLog.objects.filter(action="transaction.update", source="bot"))
        again = record_from_text(user=self.alice, kind="expense", text="кофе 90", source="web")
        self.assertEqual(again.category.slug, "groceries")

    def test_by_category_id_with_amount_and_date(self) -> None:
        groceries = self.category(self.alice, "groceries")
        response = self.act(
            "update_transaction",
            {
                "transaction_id": self.tx.pk,
                "category_id": groceries.pk,
                "amount": "300.50",
                "date": "2026-11-02",
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.tx.refresh_from_db()
        self.assertEqual(
            (self.tx.category, self.tx.amount, self.tx.date),
            (groceries, Decimal("300.50"), date(2026, 11, 2)),
        )

    def test_nothing_to_change_or_both_category_fields(self) -> None:
        response = self.act("update_transaction", {"transaction_id": self.tx.pk})
        self.assert_error(response, 400, "validation_error", [("payload", "nothing_to_change")])
        cafe = self.category(self.alice, "cafe")
        response = self.act(
            "update_transaction",
            {"transaction_id": self.tx.pk, "category_id": cafe.pk, "category": "cafe"},
        )
        self.assert_error(response, 400, "validation_error", [("payload", "nothing_to_change")])

    def test_an_income_category_or_a_bad_amount_is_refused_and_writes_nothing(self) -> None:
        response = self.act(
            "update_transaction", {"transaction_id": self.tx.pk, "category": "salary"}
        )
        self.assertEqual(response.status_code, 400, response.content)
        response = self.act("update_transaction", {"transaction_id": self.tx.pk, "amount": 0})
        self.assert_error(response, 400, "validation_error", [("payload.amount", "invalid")])
        response = self.act("update_transaction", {"transaction_id": self.tx.pk, "amount": "0.00"})
        self.assert_error(
            response, 400, "validation_error", [("payload.amount", "amount_out_of_range")]
        )
        self.tx.refresh_from_db()
        self.assertEqual((self.tx.category.slug, self.tx.amount), ("cafe", Decimal("250.00")))

    def test_it_hides_other_users_rows(self) -> None:
        bobs = record_from_text(user=self.bob, kind="expense", text="coffee 5", source="web")
        response = self.act("update_transaction", {"transaction_id": bobs.pk, "amount": "1"})
        self.assert_error(
            response, 400, "validation_error", [("payload.transaction_id", "transaction_not_found")]
        )
        bobs.refresh_from_db()
        self.assertEqual(bobs.amount, Decimal("5.00"))

    def test_it_requires_the_scope_of_the_kind(self) -> None:
        incomes_only = api_token_create(
            user=self.alice, name="incomes", scopes=[Scope.INCOMES_WRITE], source="cli"
        )
        response = self.act(
            "update_transaction",
            {"transaction_id": self.tx.pk, "amount": "1"},
            token=incomes_only.raw,
        )
        self.assert_error(response, 403, "insufficient_scope")
        self.assertEqual(Transaction.objects.get(pk=self.tx.pk).amount, Decimal("250.00"))
