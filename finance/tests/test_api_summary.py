from datetime import date
from decimal import Decimal

from django.test import Client

from finance.models import ExchangeRate
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create
from finance.tests.apitest import ApiTestCase


class SummaryApiTestCase(ApiTestCase):
    def test_it_sums_the_month_with_string_amounts(self) -> None:
        self.record(self.alice, "cafe", "1200")
        self.record(self.alice, "salary", "50000")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(1000),
            source="web",
        )
        body = self.api.get("/api/summary/", {"month": "2026-11"}).json()
        self.assertEqual(
            (body["month"], body["currency"], body["income"], body["expense"], body["balance"]),
            ("2026-11", "RUB", "50000.00", "1200.00", "48800.00"),
        )
        cafe = next(c for c in body["categories"] if c["category"]["slug"] == "cafe")
        self.assertEqual(
            (cafe["planned"], cafe["spent"], cafe["remaining"], cafe["over_budget"]),
            ("1000.00", "1200.00", "-200.00", True),
        )

    def test_an_income_category_has_no_remaining(self) -> None:
        self.record(self.alice, "salary", "150000")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "salary"),
            planned_amount=Decimal(100000),
            source="web",
        )
        body = self.api.get("/api/summary/", {"month": "2026-11"}).json()
        salary = next(c for c in body["categories"] if c["category"]["slug"] == "salary")
        self.assertEqual((salary["kind"], salary["spent"]), ("income", "150000.00"))
        self.assertIsNone(salary["remaining"])
        self.assertFalse(salary["over_budget"])

    def test_another_currency_converts_or_names_the_missing_rate(self) -> None:
        self.record(self.alice, "cafe", "920")
        response = self.api.get("/api/summary/", {"month": "2026-11", "currency": "USD"})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["currency"], body["expense"]), ("USD", "0.00"))
        self.assertEqual(
            body["unconverted"], [{"currency": "RUB", "amount": "920.00", "kind": "expense"}]
        )
        self.assertEqual([m["from"] + m["to"] for m in body["missing_rates"]], ["RUBUSD"])
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=92)
        body = self.api.get("/api/summary/", {"month": "2026-11", "currency": "usd"}).json()
        self.assertEqual((body["currency"], body["expense"]), ("USD", "10.00"))

    def test_a_plan_without_a_rate_is_listed_not_refused(self) -> None:
        # Issue 20 item 4: a summary in another currency with a plan in the ledger's.
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(1000),
            source="web",
        )
        response = self.api.get("/api/summary/", {"month": "2026-11", "currency": "USD"})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["unconverted"], [])
        self.assertEqual(body["unconverted_plans"], [{"currency": "RUB", "amount": "1000.00"}])
        self.assertEqual(
            body["missing_rates"], [{"from": "RUB", "to": "USD", "date": "2026-11-30"}]
        )
        cafe = next(c for c in body["categories"] if c["category"]["slug"] == "cafe")
        self.assertEqual((cafe["planned"], cafe["spent"]), ("0.00", "0.00"))

    def test_the_bot_and_the_api_answer_the_same_summary(self) -> None:
        self.record(self.alice, "cafe", "920")
        self.record(self.alice, "salary", "6000")  # no remaining in either
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="JPY", quote="RUB", rate="0.6")
        api = self.api.get("/api/summary/", {"month": "2026-11", "currency": "JPY"}).json()
        bot = (
            Client()
            .post(
                "/api/bot/actions",
                {
                    "action": "get_summary",
                    "payload": {"month": "2026-11", "currency": "JPY"},
                    "idempotency_key": "same-summary-1",
                },
                content_type="application/json",
                HTTP_X_BOT_TOKEN=self.alice_token.raw,
            )
            .json()["result"]
        )
        self.assertEqual(api, bot)
        remaining = {c["category"]["slug"]: c["remaining"] for c in api["categories"]}
        self.assertEqual(remaining, {"cafe": "-1533.00", "salary": None})
        self.assertEqual(api["expense"], "1533.00")  # whole yen, written like every amount

    def test_bad_parameters_are_a_400(self) -> None:
        for query, path in (({"month": "11-2026"}, "month"), ({"currency": "ZZZ"}, "currency")):
            with self.subTest(query=query):
                response = self.api.get("/api/summary/", query)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["details"][0]["path"], path)

    def test_a_missing_rate_is_reported_not_refused_by_both_doors(self) -> None:
        self.record(self.alice, "cafe", "1200")
        for amount, currency, day in (("45.20", "EUR", 24), ("10", "GEL", 3), ("4.80", "EUR", 25)):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(amount),
                currency=currency,
                category=self.category(self.alice, "groceries"),
                date=date(2026, 11, day),
                source="web",
            )
        response = self.api.get("/api/summary/", {"month": "2026-11"})
        self.assertEqual(response.status_code, 200)
        api = response.json()
        self.assertEqual((api["expense"], api["balance"]), ("1200.00", "-1200.00"))
        self.assertEqual(
            api["unconverted"],
            [
                {"currency": "EUR", "amount": "50.00", "kind": "expense"},
                {"currency": "GEL", "amount": "10.00", "kind": "expense"},
            ],
        )
        self.assertEqual(
            api["missing_rates"],
            [
                {"from": "EUR", "to": "RUB", "date": "2026-11-24"},
                {"from": "EUR", "to": "RUB", "date": "2026-11-25"},
                {"from": "GEL", "to": "RUB", "date": "2026-11-03"},
            ],
        )
        bot = Client().post(
            "/api/bot/actions",
            {
                "action": "get_summary",
                "payload": {"month": "2026-11"},
                "idempotency_key": "missing-rates-1",
            },
            content_type="application/json",
            HTTP_X_BOT_TOKEN=self.alice_token.raw,
        )
        self.assertEqual(bot.status_code, 200)
        self.assertEqual(bot.json()["result"], api)
