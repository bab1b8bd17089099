from datetime import date
from decimal import Decimal

from config.testing import BaseTestCase
from finance.models import Transaction
from finance.selectors.transactions import transaction_list
from finance.services.transactions import transaction_create


class TransactionsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)
        self.cafe = self.category(self.alice, "cafe")
        self.salary = self.category(self.alice, "salary")

    def record(self, category_slug: str, day: date, source: str = "web") -> Transaction:
        category = self.category(self.alice, category_slug)
        return transaction_create(
            user=self.alice,
            kind=category.kind,
            amount=Decimal("100"),
            currency="RUB",
            category=category,
            date=day,
            source=source,
        )

    def test_filters_narrow_the_list(self) -> None:
        coffee = self.record("cafe", date(2026, 11, 2), source="bot")
        self.record("cafe", date(2026, 10, 2))
        pay = self.record("salary", date(2026, 11, 5))
        cases = [
            ({"month": "2026-11"}, {coffee.pk, pay.pk}),
            ({"month": "2026-11", "kind": "income"}, {pay.pk}),
            ({"category": str(self.cafe.pk), "source": "bot"}, {coffee.pk}),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                response = self.client.get("/transactions/", query)
                self.assertEqual({tx.pk for tx in response.context["page"]}, expected)

    def test_a_bad_filter_is_shown_on_the_form_not_a_crash(self) -> None:
        response = self.client.get("/transactions/", {"month": "11/2026", "kind": "gift"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"month", "kind"})

    def test_another_users_category_is_not_a_filter(self) -> None:
        bobs = self.category(self.bob, "cafe")
        response = self.client.get("/transactions/", {"category": str(bobs.pk)})
        self.assertIn("category", response.context["form"].errors)

    def test_pages_of_fifty_keep_the_filters(self) -> None:
        Transaction.objects.bulk_create(
            Transaction(
                ledger=self.ledger(self.alice),
                created_by=self.alice,
                paid_by=self.alice,
                kind="expense",
                amount=Decimal(1),
                currency="RUB",
                category=self.cafe,
                date=date(2026, 11, 1 + i % 28),
                source="web",
            )
            for i in range(60)
        )
        response = self.client.get("/transactions/", {"month": "2026-11"})
        self.assertEqual(len(response.context["page"].object_list), 50)
        self.assertContains(response, "?month=2026-11&amp;page=2")
        response = self.client.get("/transactions/", {"month": "2026-11", "page": "2"})
        self.assertEqual(len(response.context["page"].object_list), 10)

    def test_it_lists_only_the_users_own(self) -> None:
        transaction_create(
            user=self.bob,
            kind="expense",
            amount=Decimal("5"),
            currency="USD",
            category=self.category(self.bob, "cafe"),
            date=date(2026, 11, 2),
            source="web",
        )
        mine = self.record("cafe", date(2026, 11, 2))
        response = self.client.get("/transactions/")
        self.assertEqual([tx.pk for tx in response.context["page"]], [mine.pk])


class TransactionListSelectorTestCase(BaseTestCase):
    def test_newest_first_and_month_bounds_are_inclusive(self) -> None:
        cafe = self.category(self.alice, "cafe")
        days = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1)]
        for day in days:
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(1),
                currency="RUB",
                category=cafe,
                date=day,
                source="web",
            )
        rows = transaction_list(user=self.alice, month=date(2026, 11, 1))
        self.assertEqual([tx.date for tx in rows], [date(2026, 11, 30), date(2026, 11, 1)])
