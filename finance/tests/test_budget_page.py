from datetime import date
from decimal import Decimal

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import BudgetItem, ExchangeRate
from finance.services.budget import budget_copy_previous_month, budget_item_set
from finance.services.categories import category_archive
from finance.services.transactions import transaction_create

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)


class BudgetPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.cafe = self.category(self.alice, "cafe")
        self.groceries = self.category(self.alice, "groceries")

    def plan(self, category_slug: str, month: date, amount: str, currency: str = "RUB") -> None:
        budget_item_set(
            user=self.alice,
            month=month,
            category=self.category(self.alice, category_slug),
            planned_amount=Decimal(amount),
            currency=currency,
            source="web",
        )

    def test_it_shows_this_and_last_months_plans(self) -> None:
        self.plan("cafe", NOV, "8000")
        self.plan("cafe", OCT, "7000")
        response = self.client.get("/budget/?month=2026-11")
        row = next(r for r in response.context["page"].rows if r.category == self.cafe)
        self.assertEqual(row.item.planned_amount, Decimal(8000))
        self.assertEqual(row.previous.planned_amount, Decimal(7000))
        self.assertContains(response, 'value="8000,00"')

    def test_overspending_stands_out_whatever_the_plans_currency(self) -> None:
        ExchangeRate.objects.create(date=NOV, base="USD", quote="RUB", rate=90)
        self.plan("cafe", NOV, "10", "USD")  # 900 RUB
        self.plan("groceries", NOV, "2000")
        for slug in ("cafe", "groceries"):
            category = self.category(self.alice, slug)
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(1000),
                currency="RUB",
                category=category,
                date=date(2026, 11, 3),
                source="web",
            )
        page = self.client.get("/budget/?month=2026-11").context["page"]
        over = {r.category.slug: r.over_budget for r in page.rows}
        self.assertEqual((over["cafe"], over["groceries"], over["transport"]), (True, False, False))
        self.assertContains(self.client.get("/budget/?month=2026-11"), 'class="over"', count=1)

    def test_saving_sets_changes_and_drops_only_the_changed_rows(self) -> None:
        self.plan("cafe", NOV, "8000")
        self.plan("transport", NOV, "5000")
        transport = self.category(self.alice, "transport")
        response = self.client.post(
            "/budget/",
            {
                "month": "2026-11",
                f"plan_{self.cafe.pk}": "",  # dropped
                f"plan_{self.groceries.pk}": "25000,50",  # new
                f"plan_{transport.pk}": "5000,00",  # unchanged
            },
        )
        self.assertRedirects(response, "/budget/?month=2026-11", fetch_redirect_response=False)
        plans = dict(
            BudgetItem.objects.filter(ledger__personal_for=self.alice, month=NOV).values_list(
                "category__slug", "planned_amount"
            )
        )
        self.assertEqual(plans, {"groceries": Decimal("25000.50"), "transport": Decimal(5000)})
        self.assertEqual(AuditLog.objects.filter(action="budget_item.delete").count(), 1)
        # Two plans made in setUp, one new: the unchanged transport row wrote nothing.
        self.assertEqual(AuditLog.objects.filter(action="budget_item.set").count(), 3)

    def test_a_bad_amount_writes_nothing_at_all(self) -> None:
        response = self.client.post(
            "/budget/",
            {
                "month": "2026-11",
                f"plan_{self.cafe.pk}": "100",
                f"plan_{self.groceries.pk}": "-1",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"plan_{self.groceries.pk}", response.context["form"].errors)
        self.assertFalse(BudgetItem.objects.filter(ledger__personal_for=self.alice).exists())

    def test_an_existing_plan_keeps_its_currency_and_precision_rules(self) -> None:
        self.plan("cafe", NOV, "100", currency="JPY")
        response = self.client.post(
            "/budget/", {"month": "2026-11", f"plan_{self.cafe.pk}": "150,50"}
        )
        self.assertIn(f"plan_{self.cafe.pk}", response.context["form"].errors)
        self.client.post("/budget/", {"month": "2026-11", f"plan_{self.cafe.pk}": "150"})
        item = BudgetItem.objects.get(ledger__personal_for=self.alice, category=self.cafe)
        self.assertEqual((item.planned_amount, item.currency), (Decimal(150), "JPY"))

    def test_copy_fills_only_the_gaps_from_last_month(self) -> None:
        self.plan("cafe", OCT, "7000")
        self.plan("groceries", OCT, "20000")
        self.plan("groceries", NOV, "25000")
        response = self.client.post("/budget/copy/", {"month": "2026-11"})
        self.assertRedirects(response, "/budget/?month=2026-11", fetch_redirect_response=False)
        plans = dict(
            BudgetItem.objects.filter(ledger__personal_for=self.alice, month=NOV).values_list(
                "category__slug", "planned_amount"
            )
        )
        self.assertEqual(plans, {"cafe": Decimal(7000), "groceries": Decimal(25000)})

    def test_copy_refuses_a_bad_month(self) -> None:
        response = self.client.post("/budget/copy/", {"month": "soon"})
        self.assertRedirects(response, "/budget/", fetch_redirect_response=False)
        self.assertFalse(BudgetItem.objects.exists())

    def test_copy_needs_a_post(self) -> None:
        self.assertEqual(self.client.get("/budget/copy/").status_code, 405)


class BudgetCopyServiceTestCase(BaseTestCase):
    def test_it_skips_archived_categories_and_other_users(self) -> None:
        cafe = self.category(self.alice, "cafe")
        gifts = self.category(self.alice, "gifts")
        for category, user in ((cafe, self.alice), (gifts, self.alice)):
            budget_item_set(
                user=user, month=OCT, category=category, planned_amount=Decimal(1), source="web"
            )
        budget_item_set(
            user=self.bob,
            month=OCT,
            category=self.category(self.bob, "cafe"),
            planned_amount=Decimal(9),
            source="web",
        )
        category_archive(user=self.alice, category=gifts, source="web")
        created = budget_copy_previous_month(user=self.alice, month=NOV, source="api")
        self.assertEqual([item.category for item in created], [cafe])
        self.assertEqual(BudgetItem.objects.filter(month=NOV).count(), 1)
        self.assertEqual(
            AuditLog.objects.get(action="budget_item.set", source="api").details["month"],
            "2026-11-01",
        )

    def test_january_copies_from_december(self) -> None:
        cafe = self.category(self.alice, "cafe")
        budget_item_set(
            user=self.alice,
            month=date(2025, 12, 1),
            category=cafe,
            planned_amount=Decimal(3),
            source="web",
        )
        created = budget_copy_previous_month(user=self.alice, month=date(2026, 1, 1), source="web")
        self.assertEqual(len(created), 1)


class BudgetPageMissingRateTestCase(BaseTestCase):
    def test_a_missing_rate_is_a_notice_and_the_rest_still_counts(self) -> None:
        for amount, currency in (("300", "RUB"), ("12", "GEL")):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(amount),
                currency=currency,
                category=self.category(self.alice, "cafe"),
                date=date(2026, 11, 3),
                source="web",
            )
        self.client.force_login(self.alice)
        response = self.client.get("/budget/?month=2026-11")
        self.assertEqual(response.status_code, 200)
        row = next(r for r in response.context["page"].rows if r.category.slug == "cafe")
        self.assertEqual(row.spent, Decimal("300.00"))
        self.assertContains(response, 'id="unconverted"')
        self.assertContains(response, "12,00 GEL")
