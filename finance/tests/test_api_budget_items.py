from datetime import date
from decimal import Decimal

from audit.models import AuditLog
from finance.models import BudgetItem
from finance.tests.apitest import ApiTestCase


class BudgetItemsApiTestCase(ApiTestCase):
    def test_set_creates_then_replaces(self) -> None:
        cafe = self.category(self.alice, "cafe")
        data = {"month": "2026-11", "category": cafe.pk, "planned_amount": "8000"}
        response = self.api.post("/api/budget-items/", data, format="json")
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual((body["month"], body["planned_amount"]), ("2026-11", "8000.00"))
        response = self.api.post(
            "/api/budget-items/", {**data, "planned_amount": "9000"}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(BudgetItem.objects.get().planned_amount, Decimal(9000))
        self.assertEqual(AuditLog.objects.filter(action="budget_item.set", source="api").count(), 2)

    def test_list_by_month_patch_and_delete(self) -> None:
        cafe = self.category(self.alice, "cafe")
        for month in (date(2026, 10, 1), date(2026, 11, 1)):
            self.api.post(
                "/api/budget-items/",
                {"month": f"{month:%Y-%m}", "category": cafe.pk, "planned_amount": "1"},
                format="json",
            )
        results = self.api.get("/api/budget-items/", {"month": "2026-11"}).json()["results"]
        self.assertEqual(len(results), 1)
        url = f"/api/budget-items/{results[0]['id']}/"
        response = self.api.patch(url, {"planned_amount": "5.5"}, format="json")
        self.assertEqual(response.json()["planned_amount"], "5.50")
        self.assertEqual(self.api.delete(url).status_code, 204)
        self.assertEqual(BudgetItem.objects.count(), 1)
        self.assertEqual(AuditLog.objects.get(action="budget_item.delete").source, "api")

    def test_bad_input_names_its_field(self) -> None:
        cafe = self.category(self.alice, "cafe")
        cases = [
            ({"month": "Nov", "category": cafe.pk, "planned_amount": "1"}, "month"),
            ({"month": "2026-11", "category": cafe.pk, "planned_amount": "-1"}, "planned_amount"),
            (
                {
                    "month": "2026-11",
                    "category": cafe.pk,
                    "planned_amount": "1.5",
                    "currency": "JPY",
                },
                "planned_amount",
            ),
        ]
        for data, path in cases:
            with self.subTest(data=data):
                response = self.api.post("/api/budget-items/", data, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["details"][0]["path"], path)
        self.assertFalse(BudgetItem.objects.exists())
