"""Refunds: money back for a purchase, filed under an expense category, lowering that
category's spending in the refund's month wherever spending is counted."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from config.testing import PASSWORD
from finance import charts
from finance.data import exports, imports
from finance.models import Category, Kind, Transaction
from finance.selectors.budget import budget_page
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals
from finance.services.budget import budget_item_set
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_delete, transaction_update
from finance.tests.apitest import ApiTestCase
from notifications.tests.helpers import queued

NOV = date(2026, 11, 1)


class RefundsTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.groceries = self.category(self.alice, "groceries")

    def write(
        self,
        kind: str,
        amount: str,
        day: date = date(2026, 11, 10),
        category: Category | None = None,
    ) -> Transaction:
        return transaction_create(
            user=self.alice,
            kind=kind,
            amount=Decimal(amount),
            currency="RUB",
            category=category or self.groceries,
            date=day,
            source="web",
        )

    def spent(self, slug: str, month: date = NOV) -> Decimal:
        summary = monthly_summary(user=self.alice, month=month)
        return next(x.spent for x in summary.categories if x.category.slug == slug)

    def test_a_purchase_and_its_refund_in_one_month(self) -> None:
        self.write("expense", "1250")
        self.write("expense", "300", category=self.category(self.alice, "cafe"))
        self.write("refund", "450", day=date(2026, 11, 20))
        self.write("income", "90000", category=self.category(self.alice, "salary"))

        summary = monthly_summary(user=self.alice, month=NOV)
        self.assertEqual(self.spent("groceries"), Decimal("800.00"))
        self.assertEqual(summary.expense, Decimal("1100.00"))
        self.assertEqual(summary.income, Decimal("90000.00"))
        self.assertEqual(summary.balance, Decimal("88900.00"))
        # The category line is the expense category's: a refund makes no line of its own.
        self.assertEqual({x.kind for x in summary.categories}, {"expense", "income"})
        (member,) = summary.members
        self.assertEqual(member.expense, Decimal("1100.00"))

        (totals,) = monthly_totals(user=self.alice, last_month=NOV, months=1)
        self.assertEqual((totals.expense, totals.income), (Decimal("1100.00"), Decimal("90000.00")))

        row = next(
            r
            for r in budget_page(user=self.alice, month=NOV).rows
            if r.category.slug == "groceries"
        )
        self.assertEqual(row.spent, Decimal("800.00"))

    def test_a_refund_alone_in_its_month(self) -> None:
        # Bought in October, returned in November: October keeps its spending, November
        # spent less than nothing in that category.
        self.write("expense", "1000", day=date(2026, 10, 28))
        self.write("refund", "1000", day=date(2026, 11, 2))
        self.assertEqual(self.spent("groceries", date(2026, 10, 1)), Decimal("1000.00"))
        self.assertEqual(self.spent("groceries"), Decimal("-1000.00"))
        self.assertEqual(monthly_summary(user=self.alice, month=NOV).expense, Decimal("-1000.00"))

        october, november = monthly_totals(user=self.alice, last_month=NOV, months=2)
        self.assertEqual(october.expense, Decimal("1000.00"))
        self.assertEqual(november.expense, Decimal("-1000.00"))

        chart = charts.month_chart([october, november], current=NOV)
        self.assertEqual(chart.columns[1].expense_height, 0.0)
        self.assertEqual(chart.columns[1].expense_y, chart.baseline)
        self.assertEqual(chart.columns[0].expense_height, charts.COLUMNS_HEIGHT)
        bars = charts.category_chart(monthly_summary(user=self.alice, month=NOV).categories)
        self.assertEqual(bars.bars, [])

        response = self.client_for_alice().get(reverse("finance:dashboard") + "?month=2026-11")
        self.assertEqual(response.status_code, 200)

    def test_a_planned_category_with_a_refund_is_less_spent_on_the_budget(self) -> None:
        budget_item_set(
            user=self.alice,
            month=NOV,
            category=self.groceries,
            planned_amount=Decimal("1000"),
            source="web",
        )
        self.write("expense", "1200")
        self.assertEqual(self.spent("groceries"), Decimal("1200.00"))
        self.write("refund", "300")
        summary = monthly_summary(user=self.alice, month=NOV)
        line = next(x for x in summary.categories if x.category.slug == "groceries")
        self.assertEqual(
            (line.spent, line.remaining, line.over_budget),
            (Decimal("900.00"), Decimal("100.00"), False),
        )

    def test_a_refund_is_filed_under_an_expense_category_only(self) -> None:
        salary = self.category(self.alice, "salary")
        with self.assertRaises(ValidationError) as caught:
            self.write("refund", "100", category=salary)
        self.assertEqual(caught.exception.code, "category_kind_mismatch")
        with translation.override("en"):
            self.assertIn("not an expense one", caught.exception.messages[0])
        refund = self.write("refund", "100")
        moved = transaction_update(
            tx=refund, user=self.alice, category=self.category(self.alice, "cafe"), source="web"
        )
        self.assertEqual((moved.kind, moved.category.slug), ("refund", "cafe"))
        with self.assertRaises(ValidationError):
            transaction_update(tx=refund, user=self.alice, category=salary, source="web")
        self.assertFalse(Category.objects.filter(kind="refund").exists())

    def test_a_category_is_never_of_the_refund_kind(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Category.objects.create(ledger=self.groceries.ledger, kind="refund", slug="r", name="R")

    def test_a_typed_refund_finds_its_category_among_the_expenses(self) -> None:
        tx = record_from_text(
            user=self.alice, kind="refund", text="возврат молоко 120", source="web"
        )
        self.assertEqual(
            (tx.kind, tx.category.slug, tx.amount), ("refund", "groceries", Decimal("120.00"))
        )

    def test_deleting_a_refund_looks_at_the_budget_again(self) -> None:
        budget_item_set(
            user=self.alice,
            month=NOV,
            category=self.groceries,
            planned_amount=Decimal("1000"),
            source="web",
        )
        refund = self.write("refund", "100")
        before = len(queued("notifications.check_budget"))
        transaction_delete(tx=refund, user=self.alice, source="web")
        self.assertEqual(len(queued("notifications.check_budget")), before + 1)

    def test_the_api_records_and_lists_a_refund_with_its_category(self) -> None:
        response = self.api.post(
            "/api/transactions/",
            {
                "kind": "refund",
                "amount": "450.00",
                "category": self.groceries.pk,
                "date": "2026-11-20",
            },
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["kind"], "refund")
        self.assertEqual(body["category"]["slug"], "groceries")
        listed = self.api.get("/api/transactions/", {"kind": "refund"}).json()["results"]
        self.assertEqual([(r["kind"], r["amount"]) for r in listed], [("refund", "450.00")])
        salary = self.category(self.alice, "salary")
        refused = self.api.post(
            "/api/transactions/",
            {"kind": "refund", "amount": "1", "category": salary.pk},
            format="json",
        )
        self.assertEqual(refused.status_code, 400)
        categories = self.api.get("/api/categories/", {"kind": "refund"})
        self.assertEqual(categories.status_code, 400)  # categories are expense or income

    def test_the_cabinet_shows_a_refund_as_one(self) -> None:
        self.write("expense", "1250")
        self.write("refund", "450")
        client = self.client_for_alice()
        page = client.get(reverse("finance:transactions"), {"kind": "refund"})
        self.assertContains(page, "+450,00")
        self.assertNotContains(page, "1 250,00")
        self.assertContains(page, 'class="badge ok">возврат</span>', html=False)
        added = client.post(
            reverse("finance:add_transaction"),
            {
                "kind": "refund",
                "amount": "99",
                "currency": "RUB",
                "category": self.groceries.pk,
                "date": "2026-11-21",
                "note": "",
            },
        )
        self.assertEqual(added.status_code, 302)
        self.assertTrue(Transaction.objects.filter(kind="refund", amount=Decimal(99)).exists())

    def test_export_and_import_read_a_refund_back(self) -> None:
        self.write("expense", "1250")
        self.write("refund", "450", day=date(2026, 11, 20))
        exported = "".join(exports.transactions_csv(user=self.alice, start=None, end=None))
        rows = list(csv.DictReader(io.StringIO(exported)))
        self.assertEqual(
            [(r["kind"], r["amount"], r["category"]) for r in rows],
            [("expense", "1250.00", "Продукты"), ("refund", "450.00", "Продукты")],
        )
        document = exports.account_export(user=self.alice)
        self.assertEqual(
            [(t["kind"], t["category"]) for t in document["transactions"]],
            [("expense", "groceries"), ("refund", "groceries")],
        )

        table = imports.read_table(exported.encode())
        options = imports.Options(mapping=imports.guess_mapping(table.header))
        preview = imports.preview(user=self.bob, table=table, options=options)
        self.assertEqual(preview.problems, [])
        self.assertEqual(
            [(r.kind, r.amount, r.category and r.category.slug) for r in preview.rows],
            [
                ("expense", Decimal("1250.00"), "groceries"),
                ("refund", Decimal("450.00"), "groceries"),
            ],
        )
        imports.transactions_import(user=self.bob, table=table, options=options)
        summary = monthly_summary(user=self.bob, month=NOV, currency="RUB")
        self.assertEqual(summary.expense, Decimal("800.00"))
        self.assertEqual(
            Transaction.objects.filter(created_by=self.bob, kind=Kind.REFUND).count(), 1
        )

    def client_for_alice(self) -> Client:
        self.client.login(username="alice", password=PASSWORD)
        return self.client
