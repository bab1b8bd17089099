from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import BudgetItem
from finance.services.budget import budget_item_set


class BudgetItemSetTestCase(BaseTestCase):
    def test_setting_twice_updates_the_one_item(self) -> None:
        cafe = self.category(self.alice, "cafe")
        first, created = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 17),
            category=cafe,
            planned_amount=Decimal("8000"),
            source="web",
        )
        self.assertTrue(created)
        self.assertEqual(first.month, date(2026, 11, 1))
        self.assertEqual(first.currency, "RUB")

        second, created = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=cafe,
            planned_amount=Decimal("9500.50"),
            currency="usd",
            source="bot",
        )
        self.assertFalse(created)
        self.assertEqual(second.pk, first.pk)
        item = BudgetItem.objects.get()
        self.assertEqual(item.planned_amount, Decimal("9500.50"))
        self.assertEqual(item.currency, "USD")
        self.assertEqual(AuditLog.objects.filter(action="budget_item.set").count(), 2)

    def test_months_are_separate(self) -> None:
        cafe = self.category(self.alice, "cafe")
        for month in (date(2026, 10, 1), date(2026, 11, 1)):
            budget_item_set(
                user=self.alice,
                month=month,
                category=cafe,
                planned_amount=Decimal(1),
                source="web",
            )
        self.assertEqual(BudgetItem.objects.count(), 2)

    def test_zero_is_a_plan_and_negative_is_not(self) -> None:
        cafe = self.category(self.alice, "cafe")
        item, _ = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=cafe,
            planned_amount=Decimal(0),
            source="web",
        )
        self.assertEqual(item.planned_amount, Decimal(0))
        with self.assertRaises(ValidationError) as cm:
            budget_item_set(
                user=self.alice,
                month=date(2026, 11, 1),
                category=cafe,
                planned_amount=Decimal(-5),
                source="web",
            )
        self.assertEqual(cm.exception.code, "amount_out_of_range")

    def test_it_hides_other_users_categories(self) -> None:
        with self.assertRaises(ValidationError) as cm:
            budget_item_set(
                user=self.alice,
                month=date(2026, 11, 1),
                category=self.category(self.bob, "cafe"),
                planned_amount=Decimal(1),
                source="web",
            )
        self.assertEqual(cm.exception.code, "category_not_found")
        self.assertFalse(BudgetItem.objects.exists())

    def test_without_a_currency_an_existing_plan_keeps_its_own(self) -> None:
        cafe = self.category(self.alice, "cafe")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=cafe,
            planned_amount=Decimal(100),
            currency="USD",
            source="web",
        )
        item, created = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=cafe,
            planned_amount=Decimal(200),
            source="bot",
        )
        self.assertFalse(created)
        self.assertEqual((item.planned_amount, item.currency), (Decimal(200), "USD"))
