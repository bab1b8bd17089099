"""The dispatcher's typed results: the contract's JSON is rendered from them, and a
replayed write reads its stored JSON back into the same value."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import time_machine

from accounts.models import Scope
from audit.models import Source
from botapi import dispatch, results
from botapi.caller import Caller
from config.testing import BaseTestCase


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class TypedResultTestCase(BaseTestCase):
    def perform(self, action: str, payload: dict[str, Any], key: str) -> dispatch.Performed:
        caller = Caller(user=self.alice, scopes=frozenset(Scope.values), source=Source.TELEGRAM)
        return dispatch.perform(caller=caller, action=action, payload=payload, key=key)

    def twice(self, action: str, payload: dict[str, Any]) -> dispatch.Performed:
        """Perform `action`, then its replay; the replay's value must be the first's."""
        key = f"telegram:{uuid.uuid4()}"
        first = self.perform(action, payload, key)
        again = self.perform(action, payload, key)
        self.assertTrue(again.replayed)
        self.assertEqual(again.value, first.value)
        self.assertEqual(again.body, first.body)
        self.assertEqual(first.result, first.value.data())
        return first

    def test_a_recorded_expense_is_typed_and_replayed_as_it_was(self) -> None:
        recorded = self.twice("create_expense", {"text": "зарплата 250"}).value
        assert isinstance(recorded, results.TransactionResult)
        self.assertEqual(
            (recorded.amount, recorded.currency, recorded.date, recorded.kind),
            (Decimal("250"), "RUB", date(2026, 11, 24), "expense"),
        )
        self.assertEqual([w.code for w in recorded.warnings], ["looks_like_income"])

    def test_a_plan_a_change_and_a_deletion_are_replayed_as_they_were(self) -> None:
        plan = {"category": "cafe", "month": "2026-11", "planned_amount": "5000"}
        item = self.twice("set_budget_item", plan).value
        assert isinstance(item, results.BudgetItemResult)
        self.assertEqual((item.month, item.planned_amount), (date(2026, 11, 1), Decimal(5000)))
        tx = self.perform("create_expense", {"text": "кофе 250"}, "telegram:1").value
        assert isinstance(tx, results.TransactionResult) and tx.id is not None
        changed = self.twice("update_transaction", {"transaction_id": tx.id, "amount": "300"})
        assert isinstance(changed.value, results.TransactionResult)
        self.assertEqual(changed.value.amount, Decimal("300.00"))
        deleted = self.twice("delete_transaction", {"transaction_id": tx.id}).value
        assert isinstance(deleted, results.DeletedResult)
        self.assertEqual(deleted.transaction.id, tx.id)

    def test_reads_are_typed_too(self) -> None:
        listed = self.perform("list_categories", {"kind": "income"}, "telegram:2").value
        assert isinstance(listed, results.CategoriesResult)
        self.assertEqual({c.kind for c in listed.categories}, {"income"})
        summary = self.perform("get_summary", {}, "telegram:3").value
        assert isinstance(summary, results.SummaryResult)
        self.assertEqual(summary.summary.month, date(2026, 11, 1))
