"""No endpoint of the clients' API shows or changes another user's data."""

from datetime import date
from decimal import Decimal

from finance.models import BudgetItem, Category, Transaction
from finance.services.budget import budget_item_set
from finance.tests.apitest import ApiTestCase


class ApiIsolationTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tx = self.record(self.alice, "cafe", "250")
        self.cafe = self.category(self.alice, "cafe")
        self.item, _ = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.cafe,
            planned_amount=Decimal(1000),
            source="web",
        )
        self.as_user(self.bob)

    def test_lists_show_only_the_callers_rows(self) -> None:
        self.assertEqual(self.api.get("/api/transactions/").json()["count"], 0)
        self.assertEqual(self.api.get("/api/budget-items/").json()["count"], 0)
        categories = self.api.get("/api/categories/?page_size=200&archived=1").json()["results"]
        bobs = set(
            Category.objects.filter(ledger__personal_for=self.bob).values_list("pk", flat=True)
        )
        self.assertEqual({c["id"] for c in categories}, bobs)
        summary = self.api.get("/api/summary/?month=2026-11").json()
        self.assertEqual((summary["expense"], summary["categories"]), ("0.00", []))

    def test_another_users_ids_are_404_for_every_method(self) -> None:
        urls = {
            f"/api/transactions/{self.tx.pk}/": ("get", "patch", "put", "delete"),
            f"/api/categories/{self.cafe.pk}/": ("get", "patch"),
            f"/api/budget-items/{self.item.pk}/": ("get", "patch", "delete"),
        }
        for url, methods in urls.items():
            for method in methods:
                with self.subTest(url=url, method=method):
                    response = getattr(self.api, method)(url, {"amount": "1"}, format="json")
                    self.assertEqual(response.status_code, 404)
                    self.assertEqual(response.json()["error"], "not_found")
        self.assertTrue(Transaction.objects.filter(pk=self.tx.pk, amount=250).exists())
        self.assertTrue(BudgetItem.objects.filter(pk=self.item.pk).exists())

    def test_another_users_category_cannot_be_used(self) -> None:
        response = self.api.post(
            "/api/transactions/",
            {"kind": "expense", "amount": "1", "category": self.cafe.pk},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["code"], "does_not_exist")
        response = self.api.post(
            "/api/budget-items/",
            {"month": "2026-11", "category": self.cafe.pk, "planned_amount": "1"},
            format="json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Transaction.objects.filter(created_by=self.bob).exists())
