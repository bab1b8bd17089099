from datetime import date
from decimal import Decimal

import time_machine

from config.testing import BaseTestCase
from finance.models import Category, Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create


class DashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def spend(self, slug: str, amount: str, day: date, currency: str = "RUB") -> Transaction:
        category = self.category(self.alice, slug)
        return transaction_create(
            user=self.alice,
            kind=category.kind,
            amount=Decimal(amount),
            currency=currency,
            category=category,
            date=day,
            source="web",
        )

    def test_it_shows_the_months_totals_and_flags_overspending(self) -> None:
        self.spend("cafe", "1200", date(2026, 11, 3))
        self.spend("groceries", "300", date(2026, 11, 4))
        self.spend("salary", "50000", date(2026, 11, 5))
        self.spend("cafe", "999", date(2026, 10, 31))  # another month
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal("1000"),
            source="web",
        )
        response = self.client.get("/?month=2026-11")
        self.assertEqual(response.status_code, 200)
        summary = response.context["summary"]
        self.assertEqual((summary.income, summary.expense), (Decimal(50000), Decimal(1500)))
        self.assertEqual([x.category.slug for x in response.context["over_budget"]], ["cafe"])
        self.assertContains(response, '<tr class="over">')
        self.assertContains(response, "48\xa0500,00 RUB")  # balance, grouped the Russian way
        chart = response.context["category_chart"]
        self.assertEqual([b.name for b in chart.bars], ["Кафе и рестораны", "Продукты"])
        months = response.context["month_chart"].columns
        self.assertEqual(len(months), 12)
        self.assertEqual(months[-2].expense, Decimal(999))

    def test_a_salary_shows_as_received_not_spent(self) -> None:
        self.spend("cafe", "1200", date(2026, 11, 3))
        self.spend("salary", "50000", date(2026, 11, 5))
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "salary"),
            planned_amount=Decimal("60000"),
            source="web",
        )
        response = self.client.get("/?month=2026-11")
        self.assertEqual([x.category.slug for x in response.context["expenses"]], ["cafe"])
        self.assertEqual([x.category.slug for x in response.context["incomes"]], ["salary"])
        html = response.content.decode()
        spent = html[html.index("Потрачено") : html.index("<caption>Доход</caption>")]
        self.assertNotIn("Зарплата", spent)
        received = html[html.index("<caption>Доход</caption>") :]
        self.assertIn('data-label="Получено">50\xa0000,00', received)
        self.assertNotIn("-10\xa0000", html)  # no "remaining" of an income

    def test_it_defaults_to_the_users_month_and_links_its_neighbours(self) -> None:
        # 23:30 UTC on Nov 30 is already December in Moscow.
        with time_machine.travel("2026-11-30 23:30Z", tick=False):
            response = self.client.get("/")
        self.assertEqual(response.context["month"], date(2026, 12, 1))
        self.assertContains(response, 'href="?month=2026-11"')
        self.assertContains(response, 'href="?month=2027-01"')

    def test_a_bad_month_falls_back_to_this_one_with_a_warning(self) -> None:
        # 9999-12 has no next month to link to; 1899 is before any money was recorded.
        for month in ("2026-13", "9999-12", "1899-12"):
            with self.subTest(month=month), time_machine.travel("2026-11-15 12:00Z"):
                response = self.client.get("/", {"month": month})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["month"], date(2026, 11, 1))
                self.assertContains(response, "ГГГГ-ММ")
        for path in ("/budget/", "/transactions/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path, {"month": "9999-12"}).status_code, 200)

    def test_a_missing_exchange_rate_leaves_a_notice_not_an_empty_page(self) -> None:
        self.spend("cafe", "10", date(2026, 11, 3), currency="GEL")
        self.spend("cafe", "45.20", date(2026, 11, 24), currency="EUR")
        self.spend("cafe", "300", date(2026, 11, 5))
        response = self.client.get("/?month=2026-11")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["summary"].expense, Decimal("300.00"))
        notice = response.content.decode().split('id="unconverted"')[1].split("</div>")[0]
        self.assertIn("45,20 EUR", notice)
        self.assertIn("10,00 GEL", notice)
        self.assertIn("GEL→RUB 03.11.2026", notice)
        self.assertNotIn("error", response.context)
        # It speaks to the person: what it means, not what an operator would run.
        self.assertIn("их курс пока неизвестен", notice)
        self.assertNotIn("fetch_rates", notice)

    def test_a_plan_without_a_rate_is_listed_and_the_month_still_shows(self) -> None:
        # Issue 20 item 4: a USD ledger shown in RUB, with a plan and no rates at all.
        self.client.force_login(self.bob)
        budget_item_set(
            user=self.bob,
            month=date(2026, 11, 1),
            category=Category.objects.get(ledger__personal_for=self.bob, slug="cafe"),
            planned_amount=Decimal("100"),
            currency="USD",
            source="web",
        )
        response = self.client.get("/?month=2026-11&currency=RUB", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("error", response.context)
        self.assertEqual(response.context["summary"].currency, "RUB")
        self.assertContains(response, "Plan and spending")
        notice = response.content.decode().split('id="unconverted"')[1].split("</div>")[0]
        self.assertIn("Left out of the plan:", notice)
        self.assertIn("100.00 USD", notice)
        self.assertIn("USD→RUB", notice)
        self.assertNotIn("fetch_rates", notice)

    def test_it_shows_only_the_users_own_money(self) -> None:
        category = self.category(self.bob, "cafe")
        transaction_create(
            user=self.bob,
            kind="expense",
            amount=Decimal("77"),
            currency="USD",
            category=category,
            date=date(2026, 11, 3),
            source="web",
        )
        response = self.client.get("/?month=2026-11")
        self.assertEqual(response.context["summary"].expense, Decimal(0))

    def test_its_queries_do_not_grow_with_the_data(self) -> None:
        for day in range(1, 20):
            self.spend("cafe" if day % 2 else "transport", "100", date(2026, 11, day))
        self.client.get("/?month=2026-10")  # the summary's statement is prepared once
        # session, user, membership of the active ledger, summary, 12-month totals, the
        # person's ledgers (the header shows a switch when there are several)
        with self.assertNumQueries(6):
            self.client.get("/?month=2026-11")


class DashboardCurrencyTestCase(BaseTestCase):
    def test_it_converts_into_the_chosen_currency(self) -> None:
        from finance.models import ExchangeRate

        self.client.force_login(self.alice)
        cafe = self.category(self.alice, "cafe")
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("920"),
            currency="RUB",
            category=cafe,
            date=date(2026, 11, 3),
            source="web",
        )
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=92)
        response = self.client.get("/?month=2026-11&currency=usd")
        self.assertEqual(response.context["summary"].expense, Decimal("10.00"))
        self.assertContains(response, "10,00 USD")
        # Earlier months have no rate: the 12-month chart names the gap instead of guessing.
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("1"),
            currency="RUB",
            category=cafe,
            date=date(2026, 5, 3),
            source="web",
        )
        response = self.client.get("/?month=2026-11&currency=USD")
        # Earlier months have no rate: the chart leaves that out, the month still shows.
        self.assertEqual(response.context["summary"].expense, Decimal("10.00"))
        may = next(c for c in response.context["month_chart"].columns if c.month.month == 5)
        self.assertEqual(may.expense, Decimal(0))

    def test_an_unknown_currency_is_named(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get("/?currency=XQZ")
        self.assertEqual(response.status_code, 200)
        self.assertIn("XQZ", response.context["error"])
