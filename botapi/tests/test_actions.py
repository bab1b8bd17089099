"""Every action of the registry, in-process."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Scope, User
from accounts.services import api_token_create
from audit.models import AuditLog
from botapi.models import IdempotencyKey
from botapi.tests.helpers import BotTestCase
from finance.models import BudgetItem, Category, ExchangeRate, Kind, Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create


class CreateExpenseTestCase(BotTestCase):
    def test_it_says_when_the_text_names_no_category(self) -> None:
        response = self.act("create_expense", {"text": "qwerty 250"})
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual(result["category"]["slug"], "other")
        self.assertIs(result["category_guessed"], False)

    def test_it_works(self) -> None:
        response = self.act("create_expense", {"text": "кофе 250"})
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(set(body), {"ok", "action", "idempotency_key", "result"})
        self.assertIs(body["ok"], True)
        self.assertEqual(body["action"], "create_expense")
        tx = Transaction.objects.get(created_by=self.alice)
        cafe = self.category(self.alice, "cafe")
        self.assertEqual(
            body["result"],
            {
                "id": tx.pk,
                "kind": "expense",
                "amount": "250.00",
                "currency": "RUB",
                "date": self.alice.today().isoformat(),
                "category": {"id": cafe.pk, "slug": "cafe", "name": cafe.name},
                "note": tx.note,
                "text": "кофе 250",
                "category_guessed": True,
            },
        )
        self.assertEqual((tx.source, tx.amount), ("bot", Decimal("250.00")))
        self.assertTrue(
            AuditLog.objects.filter(action="transaction.create", object_id=str(tx.pk)).exists()
        )
        row = self.request_row()
        self.assertEqual(
            (row.action, row.status_code, row.object_id), ("create_expense", 201, str(tx.pk))
        )

    def test_the_payloads_date_and_currency_win(self) -> None:
        response = self.act(
            "create_expense", {"text": "такси 12.50", "date": "2026-11-02", "currency": "usd"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual((result["date"], result["currency"]), ("2026-11-02", "USD"))

    def test_text_without_an_amount_writes_nothing(self) -> None:
        response = self.act("create_expense", {"text": "кофе"})
        self.assert_error(response, 400, "validation_error", [("payload.text", "amount_not_found")])
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(IdempotencyKey.objects.exists())

    def test_an_unknown_currency_is_the_currency_fields_problem(self) -> None:
        response = self.act("create_expense", {"text": "кофе 250", "currency": "XYZ"})
        self.assert_error(
            response, 400, "validation_error", [("payload.currency", "unknown_currency")]
        )
        self.assertFalse(Transaction.objects.exists())

    def test_a_dry_run_shows_what_would_be_recorded_and_writes_nothing(self) -> None:
        audit_rows = AuditLog.objects.count()
        response = self.act("create_expense", {"text": "кофе 250"}, dry_run=True, key="dry-run-1")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertIs(body["dry_run"], True)
        self.assertIsNone(body["result"]["id"])
        self.assertEqual(body["result"]["category"]["slug"], "cafe")
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(IdempotencyKey.objects.exists())
        self.assertEqual(AuditLog.objects.count(), audit_rows + 1)  # the request's own row
        self.assertIs(self.request_row().details["dry_run"], True)
        # The key was not used up: the real request with it records.
        self.assertEqual(
            self.act("create_expense", {"text": "кофе 250"}, key="dry-run-1").status_code, 201
        )


class CreateIncomeTestCase(BotTestCase):
    def test_it_works(self) -> None:
        response = self.act("create_income", {"text": "зарплата 120000"})
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual((result["kind"], result["amount"]), ("income", "120000.00"))
        self.assertEqual(result["category"]["slug"], "salary")
        self.assertEqual(Transaction.objects.get().kind, Kind.INCOME)

    def test_it_needs_incomes_write(self) -> None:
        expenses_only = api_token_create(
            user=self.alice, name="e", scopes=[Scope.EXPENSES_WRITE], source="cli"
        )
        response = self.act("create_income", {"text": "зарплата 1"}, token=expenses_only.raw)
        self.assert_error(response, 403, "insufficient_scope")
        self.assertFalse(Transaction.objects.exists())


class SetBudgetItemTestCase(BotTestCase):
    def test_it_creates_then_updates(self) -> None:
        groceries = self.category(self.alice, "groceries")
        payload = {"month": "2026-11", "category_id": groceries.pk, "planned_amount": "25000"}
        response = self.act("set_budget_item", payload)
        self.assertEqual(response.status_code, 201, response.content)
        item = BudgetItem.objects.get()
        self.assertEqual(
            response.json()["result"],
            {
                "id": item.pk,
                "month": "2026-11",
                "category": {"id": groceries.pk, "slug": "groceries", "name": groceries.name},
                "planned_amount": "25000.00",
                "currency": "RUB",
            },
        )
        response = self.act("set_budget_item", {**payload, "planned_amount": 30000})
        self.assertEqual(response.status_code, 200)
        item.refresh_from_db()
        self.assertEqual(item.planned_amount, Decimal("30000.00"))
        self.assertEqual(item.month, date(2026, 11, 1))

    def test_the_category_by_slug_name_or_keyword(self) -> None:
        cafe = self.category(self.alice, "cafe")
        for reference in ["cafe", "CAFE", cafe.name, cafe.name.upper(), "кофе", "  Кофе "]:
            with self.subTest(reference=reference):
                response = self.act(
                    "set_budget_item",
                    {"month": "2026-11", "category": reference, "planned_amount": "8000"},
                )
                self.assertIn(response.status_code, (200, 201), response.content)
                self.assertEqual(response.json()["result"]["category"]["id"], cafe.pk)

    def test_a_name_shared_by_both_kinds_means_the_expense(self) -> None:
        # "Подарки" names both gifts (expense) and gifts_received (income).
        response = self.act(
            "set_budget_item", {"month": "2026-11", "category": "подарки", "planned_amount": "1"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["result"]["category"]["slug"], "gifts")

    def test_another_users_category_is_not_found(self) -> None:
        bobs = self.category(self.bob, "groceries")
        for payload in ({"category_id": bobs.pk}, {"category_id": 10**15}, {"category": "nope"}):
            with self.subTest(payload=payload):
                response = self.act(
                    "set_budget_item", {"month": "2026-11", "planned_amount": "1", **payload}
                )
                field = next(iter(payload))
                body = self.assert_error(
                    response, 400, "validation_error", [(f"payload.{field}", "category_not_found")]
                )
                self.assertNotIn("bob", body["details"][0]["message"])
        self.assertFalse(BudgetItem.objects.exists())

    def test_bad_amounts_months_and_currencies(self) -> None:
        base = {"month": "2026-11", "category": "cafe", "planned_amount": "1"}
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"planned_amount": 1.5}, "payload.planned_amount", "float_not_allowed"),
            (
                {"planned_amount": "1.5", "currency": "JPY"},
                "payload.planned_amount",
                "amount_precision",
            ),
            ({"month": "2026-13"}, "payload.month", "invalid_format"),
            ({"month": "1800-01"}, "payload.month", "invalid_month"),
            ({"currency": "QQQ"}, "payload.currency", "unknown_currency"),
        ]
        for change, path, code in cases:
            with self.subTest(change=change):
                # json.dumps sends 1.5 as a JSON float, as a careless agent would.
                response = self.act("set_budget_item", {**base, **change})
                self.assert_error(response, 400, "validation_error", [(path, code)])
        self.assertFalse(BudgetItem.objects.exists())


class GetSummaryTestCase(BotTestCase):
    def test_it_defaults_to_this_month_in_the_users_currency(self) -> None:
        today = self.alice.today()
        cafe = self.category(self.alice, "cafe")
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("250"),
            currency="RUB",
            category=cafe,
            date=today,
            source="web",
        )
        budget_item_set(
            user=self.alice,
            month=today,
            category=cafe,
            planned_amount=Decimal("1000"),
            source="web",
        )
        response = self.act("get_summary", {})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual(
            {k: result[k] for k in ("month", "currency", "income", "expense", "balance")},
            {
                "month": f"{today:%Y-%m}",
                "currency": "RUB",
                "income": "0.00",
                "expense": "250.00",
                "balance": "-250.00",
            },
        )
        self.assertEqual(
            result["categories"],
            [
                {
                    "category": {"id": cafe.pk, "slug": "cafe", "name": cafe.name},
                    "kind": "expense",
                    "planned": "1000.00",
                    "spent": "250.00",
                    "remaining": "750.00",
                    "over_budget": False,
                }
            ],
        )
        self.assertFalse(IdempotencyKey.objects.exists())  # reads are not stored

    def test_another_month_and_currency(self) -> None:
        cafe = self.category(self.alice, "cafe")
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("1000"),
            currency="RUB",
            category=cafe,
            date=date(2026, 10, 5),
            source="web",
        )
        ExchangeRate.objects.create(
            date=date(2026, 10, 1), base="USD", quote="RUB", rate=Decimal("100")
        )
        response = self.act("get_summary", {"month": "2026-10", "currency": "USD"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["result"]["expense"], "10.00")
        # No rate reaches EUR: the summary is partial, never refused (issue 20).
        response = self.act("get_summary", {"month": "2026-10", "currency": "EUR"})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual(result["expense"], "0.00")
        self.assertEqual(
            result["unconverted"], [{"currency": "RUB", "amount": "1000.00", "kind": "expense"}]
        )
        self.assertEqual(
            result["missing_rates"], [{"from": "RUB", "to": "EUR", "date": "2026-10-05"}]
        )
        response = self.act("get_summary", {"currency": "QQQ"})
        self.assert_error(
            response, 400, "validation_error", [("payload.currency", "unknown_currency")]
        )


class ListCategoriesTestCase(BotTestCase):
    def test_it_lists_only_the_callers_categories(self) -> None:
        response = self.act("list_categories", {"kind": "income"})
        self.assertEqual(response.status_code, 200)
        categories = response.json()["result"]["categories"]
        salary = self.category(self.alice, "salary")
        self.assertIn(
            {"id": salary.pk, "slug": "salary", "name": salary.name, "kind": "income"}, categories
        )
        self.assertEqual({c["kind"] for c in categories}, {"income"})
        bobs = set(
            Category.objects.filter(ledger__personal_for=self.bob).values_list("pk", flat=True)
        )
        self.assertFalse(bobs & {c["id"] for c in categories})
        everything = self.act("list_categories", {}, token=self.alice_readonly_token.raw).json()
        self.assertEqual(
            len(everything["result"]["categories"]),
            Category.objects.filter(ledger__personal_for=self.alice).count(),
        )


class DeleteTransactionTestCase(BotTestCase):
    def expense(self, user: User) -> Transaction:
        category = self.category(user, "cafe")
        return transaction_create(
            user=user,
            kind="expense",
            amount=Decimal("250"),
            currency="RUB",
            category=category,
            date=date(2026, 11, 1),
            source="web",
        )

    def test_it_works(self) -> None:
        tx = self.expense(self.alice)
        response = self.act("delete_transaction", {"transaction_id": tx.pk})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual((result["deleted"], result["transaction"]["id"]), (True, tx.pk))
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())
        self.assertTrue(
            AuditLog.objects.filter(action="transaction.delete", object_id=str(tx.pk)).exists()
        )
        again = self.act("delete_transaction", {"transaction_id": tx.pk})
        self.assert_error(
            again, 400, "validation_error", [("payload.transaction_id", "transaction_not_found")]
        )

    def test_it_hides_other_users_rows(self) -> None:
        bobs = self.expense(self.bob)
        response = self.act("delete_transaction", {"transaction_id": bobs.pk})
        self.assert_error(
            response, 400, "validation_error", [("payload.transaction_id", "transaction_not_found")]
        )
        self.assertTrue(Transaction.objects.filter(pk=bobs.pk).exists())

    def test_it_needs_the_write_scope_of_the_transactions_kind(self) -> None:
        tx = self.expense(self.alice)
        incomes_only = api_token_create(
            user=self.alice, name="i", scopes=[Scope.INCOMES_WRITE], source="cli"
        )
        response = self.act("delete_transaction", {"transaction_id": tx.pk}, token=incomes_only.raw)
        body = self.assert_error(response, 403, "insufficient_scope")
        self.assertIn("expenses:write", body["message"])
        response = self.act(
            "delete_transaction", {"transaction_id": tx.pk}, token=self.alice_readonly_token.raw
        )
        self.assert_error(response, 403, "insufficient_scope")
        self.assertTrue(Transaction.objects.filter(pk=tx.pk).exists())


class IdempotencyTestCase(BotTestCase):
    payload = {"month": "2026-11", "category": "cafe", "planned_amount": "8000"}

    def test_a_repeat_replays_the_stored_answer_and_writes_nothing(self) -> None:
        first = self.act("set_budget_item", self.payload, key="same-key-1")
        audit_rows = AuditLog.objects.count()
        again = self.act("set_budget_item", self.payload, key="same-key-1")
        self.assertEqual((first.status_code, again.status_code), (201, 201))
        self.assertFalse(first.has_header("Idempotent-Replayed"))
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(BudgetItem.objects.count(), 1)
        self.assertEqual(AuditLog.objects.count(), audit_rows + 1)  # only the request's row
        self.assertIs(self.request_row().details["replayed"], True)

    def test_a_key_reused_for_another_request_is_refused(self) -> None:
        self.act("set_budget_item", self.payload, key="same-key-2")
        for action, payload in [
            ("set_budget_item", {**self.payload, "planned_amount": "9000"}),
            ("create_expense", {"text": "кофе 250"}),
        ]:
            with self.subTest(action=action):
                response = self.act(action, payload, key="same-key-2")
                self.assert_error(response, 400, "idempotency_key_reused")
        self.assertEqual(BudgetItem.objects.get().planned_amount, Decimal("8000"))
        self.assertFalse(Transaction.objects.exists())

    def test_keys_are_per_user(self) -> None:
        bobs_token = api_token_create(user=self.bob, name="b", scopes=Scope.values, source="cli")
        self.act("set_budget_item", self.payload, key="shared-key")
        response = self.act("set_budget_item", self.payload, key="shared-key", token=bobs_token.raw)
        self.assertEqual(response.status_code, 201)
        self.assertFalse(response.has_header("Idempotent-Replayed"))
        self.assertEqual(BudgetItem.objects.filter(ledger__personal_for=self.bob).count(), 1)

    def test_a_key_past_its_retention_is_new_again_and_purged(self) -> None:
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            self.act("set_budget_item", self.payload, key="old-key-1")
            self.act("set_budget_item", self.payload, key="old-key-2")
        with time_machine.travel(now + timedelta(hours=23)):
            replay = self.act(
                "set_budget_item", {**self.payload, "planned_amount": "1"}, key="old-key-1"
            )
            self.assert_error(replay, 400, "idempotency_key_reused")
        with time_machine.travel(now + timedelta(hours=24, seconds=1)):
            fresh = self.act(
                "set_budget_item", {**self.payload, "planned_amount": "1"}, key="old-key-1"
            )
            self.assertEqual(fresh.status_code, 200, fresh.content)
            self.assertFalse(fresh.has_header("Idempotent-Replayed"))
            out = StringIO()
            call_command("purge_idempotency_keys", stdout=out)
        self.assertIn("Purged 1 ", out.getvalue())
        self.assertEqual(list(IdempotencyKey.objects.values_list("key", flat=True)), ["old-key-1"])
