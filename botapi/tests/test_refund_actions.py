"""A refund through the bot API: expenses:write, an expense category, "kind": "refund"."""

from datetime import date
from decimal import Decimal

from accounts.models import Scope
from accounts.services import api_token_create
from botapi.openapi import TRANSACTION
from botapi.tests.helpers import BotTestCase
from finance.models import Transaction
from finance.services.transactions import transaction_create


class RefundActionsTestCase(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.refund = transaction_create(
            user=self.alice,
            kind="refund",
            amount=Decimal("450"),
            currency="RUB",
            category=self.category(self.alice, "groceries"),
            date=date(2026, 11, 20),
            source="web",
        )

    def token(self, *scopes: str) -> str:
        return api_token_create(user=self.alice, name="x", scopes=list(scopes), source="cli").raw

    def test_moving_a_refund_keeps_it_one_among_the_expense_categories(self) -> None:
        response = self.act(
            "update_transaction", {"transaction_id": self.refund.pk, "category": "кафе"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual((result["kind"], result["category"]["slug"]), ("refund", "cafe"))
        refused = self.act(
            "update_transaction", {"transaction_id": self.refund.pk, "category": "salary"}
        )
        self.assert_error(
            refused, 400, "validation_error", [("payload.category", "category_kind_mismatch")]
        )

    def test_a_refund_is_written_with_the_expenses_scope(self) -> None:
        incomes = self.token(Scope.INCOMES_WRITE)
        response = self.act("delete_transaction", {"transaction_id": self.refund.pk}, token=incomes)
        self.assert_error(response, 403, "insufficient_scope")
        expenses = self.token(Scope.EXPENSES_WRITE)
        response = self.act(
            "delete_transaction", {"transaction_id": self.refund.pk}, token=expenses
        )
        self.assertEqual(response.status_code, 200, response.content)
        deleted = response.json()["result"]["transaction"]
        self.assertEqual((deleted["kind"], deleted["amount"]), ("refund", "450.00"))
        self.assertFalse(Transaction.objects.filter(pk=self.refund.pk).exists())

    def test_the_summary_counts_it_against_its_category(self) -> None:
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("1250"),
            currency="RUB",
            category=self.category(self.alice, "groceries"),
            date=date(2026, 11, 2),
            source="web",
        )
        response = self.act("get_summary", {"month": "2026-11"})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual(result["expense"], "800.00")
        (line,) = [c for c in result["categories"] if c["category"]["slug"] == "groceries"]
        self.assertEqual((line["kind"], line["spent"]), ("expense", "800.00"))

    def test_the_schema_names_the_kind(self) -> None:
        self.assertIn("refund", TRANSACTION["properties"]["kind"]["enum"])
