"""Every action through the dispatcher, as a channel without a bot token calls it."""

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import time_machine

from accounts.models import Scope
from audit.models import AuditLog, Source
from botapi import dispatch
from botapi.caller import Caller
from botapi.models import IdempotencyKey
from config.testing import BaseTestCase
from core.errors import ActionError
from finance.models import BudgetItem, Kind, Transaction

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
QUOTED = re.compile("“[^”]*”|«[^»]*»")  # examples of what to type may be in any language


def english(text: str) -> bool:
    return not CYRILLIC.search(QUOTED.sub("", text))


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class DispatchTestCase(BaseTestCase):
    def caller(self, *scopes: str, language: str = "", user: Any = None) -> Caller:
        return Caller(
            user=user or self.alice,
            scopes=frozenset(scopes or Scope.values),
            source=Source.TELEGRAM,
            channel_ref="chat:4242",
            language=language,
        )

    def perform(
        self, action: Any, payload: Any, *, caller: Caller | None = None, key: Any = None, **kw: Any
    ) -> dispatch.Performed:
        return dispatch.perform(
            caller=caller or self.caller(),
            action=action,
            payload=payload,
            key=key or f"telegram:{uuid.uuid4()}",
            **kw,
        )

    def refusal(self, *args: Any, **kwargs: Any) -> ActionError:
        with self.assertRaises(ActionError) as cm:
            self.perform(*args, **kwargs)
        return cm.exception

    def request_row(self) -> AuditLog:
        return AuditLog.objects.filter(status_code__isnull=False).latest("id")

    def test_a_messenger_records_with_its_own_source(self) -> None:
        performed = self.perform("create_expense", {"text": "кофе 250"}, key="telegram:1001")
        self.assertTrue(performed.created)
        tx = Transaction.objects.get()
        self.assertEqual((tx.source, tx.category.slug), ("telegram", "cafe"))
        self.assertEqual(performed.result["id"], tx.pk)
        self.assertEqual(performed.obj, tx)
        write = AuditLog.objects.get(action="transaction.create")
        self.assertEqual((write.source, write.object_id), ("telegram", str(tx.pk)))
        row = self.request_row()
        self.assertEqual(
            (row.source, row.action, row.status_code, row.token_id, row.idempotency_key),
            ("telegram", "create_expense", 201, None, "telegram:1001"),
        )
        self.assertEqual((row.object_id, row.details["channel"]), (str(tx.pk), "chat:4242"))

    def test_every_action_works_without_a_token(self) -> None:
        income = self.perform("create_income", {"text": "зарплата 120000"})
        self.assertEqual(income.result["category"]["slug"], "salary")
        budget = self.perform(
            "set_budget_item", {"month": "2026-11", "category": "кофе", "planned_amount": "9000"}
        )
        self.assertEqual(budget.result["category"]["slug"], "cafe")
        self.assertEqual(BudgetItem.objects.get().planned_amount, Decimal("9000"))
        expense = self.perform("create_expense", {"text": "кофе 250"})
        summary = self.perform("get_summary", {"month": "2026-11"})
        self.assertEqual(
            (summary.result["income"], summary.result["expense"]), ("120000.00", "250.00")
        )
        listed = self.perform("list_categories", {"kind": "income"})
        self.assertEqual({c["kind"] for c in listed.result["categories"]}, {"income"})
        deleted = self.perform("delete_transaction", {"transaction_id": expense.result["id"]})
        self.assertIs(deleted.result["deleted"], True)
        self.assertEqual(list(Transaction.objects.values_list("kind", flat=True)), [Kind.INCOME])
        self.assertEqual(
            set(
                AuditLog.objects.filter(status_code__isnull=False).values_list("source", flat=True)
            ),
            {"telegram"},
        )

    def test_scopes_are_the_callers(self) -> None:
        reader = self.caller(Scope.SUMMARIES_READ)
        refused = self.refusal("create_expense", {"text": "кофе 250"}, caller=reader)
        self.assertEqual((refused.status, refused.error), (403, "insufficient_scope"))
        self.assertIn("expenses:write", refused.message)
        self.assertFalse(Transaction.objects.exists())
        self.assertEqual(self.request_row().error_code, "insufficient_scope")
        # Deleting an income needs incomes:write, whatever the other scopes.
        income = self.perform("create_income", {"text": "зарплата 100"})
        spender = self.caller(Scope.EXPENSES_WRITE)
        refused = self.refusal(
            "delete_transaction", {"transaction_id": income.result["id"]}, caller=spender
        )
        self.assertEqual(refused.status, 403)
        self.assertTrue(Transaction.objects.exists())

    def test_a_repeated_key_replays_and_records_once(self) -> None:
        first = self.perform("create_expense", {"text": "такси 480"}, key="telegram:77")
        again = self.perform("create_expense", {"text": "такси 480"}, key="telegram:77")
        self.assertFalse(first.replayed)
        self.assertTrue(again.replayed)
        self.assertTrue(again.created)
        self.assertEqual(again.body, first.body)
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertIs(self.request_row().details["replayed"], True)
        other = self.refusal("create_expense", {"text": "такси 999"}, key="telegram:77")
        self.assertEqual((other.status, other.error), (400, "idempotency_key_reused"))
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(IdempotencyKey.objects.get().key, "telegram:77")

    def test_a_twins_delete_replays_instead_of_failing(self) -> None:
        tx = self.perform("create_expense", {"text": "кофе 250"}).result["id"]
        first = self.perform("delete_transaction", {"transaction_id": tx}, key="telegram:del-1")
        again = self.perform("delete_transaction", {"transaction_id": tx}, key="telegram:del-1")
        self.assertTrue(again.replayed)
        self.assertEqual(again.body, first.body)
        refused = self.refusal("delete_transaction", {"transaction_id": tx})
        self.assertEqual(refused.details[0]["code"], "transaction_not_found")

    def test_bad_arguments_of_any_type_list_every_problem(self) -> None:
        refused = self.refusal("create_expense", {"text": "", "tip": 1}, key="short")
        self.assertEqual(refused.status, 400)
        self.assertEqual(
            sorted((d["path"], d["code"]) for d in refused.details),
            [
                ("idempotency_key", "invalid_format"),
                ("payload.text", "blank"),
                ("payload.tip", "unknown_field"),
            ],
        )
        for action, payload, key in [
            ("no_such_action", {}, "telegram:1"),
            ("get_summary", ["not", "an", "object"], "telegram:1"),
            ("get_summary", {}, 12345678),
            (None, None, None),
        ]:
            with self.subTest(action=action, payload=payload, key=key):
                with self.assertRaises(ActionError) as cm:
                    dispatch.perform(caller=self.caller(), action=action, payload=payload, key=key)
                self.assertEqual(cm.exception.error, "validation_error")
        self.assertFalse(Transaction.objects.exists())

    def test_a_dry_run_writes_nothing_and_only_where_offered(self) -> None:
        dry = self.perform("create_expense", {"text": "кофе 250"}, dry_run=True)
        self.assertIsNone(dry.result["id"])
        self.assertIs(dry.body["dry_run"], True)
        refused = self.refusal("get_summary", {}, dry_run=True)
        self.assertEqual(refused.details[0]["code"], "dry_run_unsupported")
        self.assertFalse(Transaction.objects.exists())

    def test_errors_speak_the_callers_language_throughout(self) -> None:
        cases = [
            ("create_expense", {"text": "кофе"}),  # a service's refusal
            ("create_expense", {"text": "", "tip": 1}),  # the schema's
            ("get_summary", {"month": "2026-13"}),
        ]
        for action, payload in cases:
            with self.subTest(action=action, payload=payload, language="ru"):
                refused = self.refusal(action, payload, caller=self.caller(language="ru"))
                texts = [refused.message, *(d["message"] for d in refused.details)]
                self.assertTrue(all(CYRILLIC.search(t) for t in texts), texts)
            with self.subTest(action=action, payload=payload, language="en"):
                refused = self.refusal(action, payload, caller=self.caller(language="en"))
                texts = [refused.message, *(d["message"] for d in refused.details)]
                self.assertTrue(all(english(t) for t in texts), texts)
        # Without a language of its own, a caller speaks its user's.
        scope = self.refusal(
            "create_expense", {"text": "кофе 250"}, caller=self.caller(Scope.SUMMARIES_READ)
        )
        self.assertTrue(CYRILLIC.search(scope.message), scope.message)
        bobs = self.refusal("create_expense", {"text": "coffee"}, caller=self.caller(user=self.bob))
        self.assertTrue(english(bobs.body()["message"]))

    def test_an_agent_may_name_the_category_and_it_teaches_the_parser(self) -> None:
        named = self.perform("create_expense", {"text": "кофе 250", "category": "groceries"})
        self.assertEqual(named.result["category"]["slug"], "groceries")
        # The person's (or agent's) choice is learned: the next coffee goes there too.
        later = self.perform("create_expense", {"text": "кофе 300"})
        self.assertEqual(later.result["category"]["slug"], "groceries")
        by_name = self.perform("create_income", {"text": "+5000", "category": "Подработка"})
        self.assertEqual(by_name.result["category"]["slug"], "freelance")

    def test_a_named_category_must_be_the_callers_own_kind_and_active(self) -> None:
        from finance.services.categories import category_archive

        category_archive(category=self.category(self.alice, "pets"), user=self.alice, source="web")
        for category, code in [
            ("nonsense", "category_not_found"),
            ("salary", "category_kind_mismatch"),
            ("pets", "category_archived"),
        ]:
            with self.subTest(category=category):
                refused = self.refusal("create_expense", {"text": "кофе 250", "category": category})
                self.assertEqual(
                    [(d["path"], d["code"]) for d in refused.details],
                    [("payload.category", code)],
                )
        # Bob's category is as unknown to alice as a missing one.
        bobs = self.category(self.bob, "cafe")
        refused = self.refusal("create_expense", {"text": "кофе 250", "category": str(bobs.pk)})
        self.assertEqual(refused.details[0]["code"], "category_not_found")
        self.assertFalse(Transaction.objects.exists())

    def test_income_words_sent_as_an_expense_are_recorded_with_a_warning(self) -> None:
        performed = self.perform("create_expense", {"text": "зарплата 120000"})
        self.assertEqual(performed.result["kind"], "expense")
        self.assertEqual([w["code"] for w in performed.result["warnings"]], ["looks_like_income"])
        self.assertTrue(Transaction.objects.filter(kind=Kind.EXPENSE).exists())
        salary_en = self.perform("create_expense", {"text": "salary 3200 usd"})
        self.assertIn("warnings", salary_en.result)
        plain = self.perform("create_expense", {"text": "кофе 250"})
        self.assertNotIn("warnings", plain.result)
