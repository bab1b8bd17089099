"""/api/recurring/: rules and suggestions through the JWT API; the summary's forecast."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from finance.models import RecurringRule, SuggestionDismissal, Transaction
from finance.services.budget import budget_item_set
from finance.tests.apitest import ApiTestCase
from ledgers.models import Membership
from notifications.tests.helpers import tick_at

NOW = "2026-11-20 09:00Z"


class RecurringApiTestCase(ApiTestCase):
    def setUp(self) -> None:
        # Before the JWT is issued: it must be valid on the day the test lives in.
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        super().setUp()

    def create(self, data: dict[str, object]) -> dict[str, object]:
        response = self.api.post("/api/recurring/", data, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        body: dict[str, object] = response.json()
        return body

    def test_create_by_fields_text_and_read_them_back(self) -> None:
        housing = self.category(self.alice, "housing")
        rent = self.create(
            {
                "amount": "45000",
                "category": housing.pk,
                "frequency": "monthly",
                "day": 1,
                "note": "аренда",
            }
        )
        self.assertEqual(
            {k: rent[k] for k in ("kind", "amount", "currency", "day", "next_date", "paid_by")},
            {
                "kind": "expense",
                "amount": "45000.00",
                "currency": "RUB",
                "day": 1,
                "next_date": "2026-12-01",
                "paid_by": self.alice.pk,
            },
        )
        piano = self.create({"text": "every friday piano lesson 40"})
        self.assertEqual((piano["weekday"], piano["next_date"]), ("friday", "2026-11-20"))
        listed = self.api.get("/api/recurring/").json()
        self.assertEqual([r["id"] for r in listed], [piano["id"], rent["id"]])
        one = self.api.get(f"/api/recurring/{rent['id']}/")
        self.assertEqual(one.json(), rent)

    def test_a_rule_made_here_records_its_dates_once(self) -> None:
        rule = self.create(
            {
                "amount": "30000",
                "category": self.category(self.alice, "housing").pk,
                "frequency": "monthly",
                "day": 31,
                "note": "ипотека",
            }
        )
        self.assertEqual(rule["next_date"], "2026-11-30")
        # The clock moved to the 30th, then the 31st of December (10:00 in Moscow), the
        # tick twice each time: November's last day and December's 31st, each once.
        for moment in ("2026-11-30", "2026-11-30", "2026-12-31", "2026-12-31"):
            tick_at(datetime.fromisoformat(moment).replace(hour=7, tzinfo=UTC))
        posted = Transaction.objects.filter(source="recurring").order_by("date")
        self.assertEqual(
            [(t.date, t.amount, t.note) for t in posted],
            [
                (date(2026, 11, 30), Decimal("30000.00"), "ипотека"),
                (date(2026, 12, 31), Decimal("30000.00"), "ипотека"),
            ],
        )
        self.assertEqual(
            self.api.get(f"/api/recurring/{rule['id']}/").json()["next_date"], "2027-01-31"
        )

    def test_refusals_name_the_field_and_write_nothing(self) -> None:
        housing = self.category(self.alice, "housing").pk
        cases = [
            ({"text": "каждый месяц аренда"}, "text", "amount_not_found"),
            ({"text": "аренда 100"}, "text", "schedule_not_found"),
            (
                {
                    "amount": "1",
                    "category": housing,
                    "frequency": "daily",
                    "start_date": "2026-12-02",
                    "end_date": "2026-12-01",
                },
                "end_date",
                "end_before_start",
            ),
            (
                {
                    "amount": "1",
                    "category": housing,
                    "frequency": "weekly",
                    "weekday": "friday",
                    "start_date": "2026-11-23",
                    "end_date": "2026-11-25",
                },
                "end_date",
                "never_fires",
            ),
            (
                {"amount": "1", "category": housing, "frequency": "monthly", "day": 0},
                "day",
                "invalid",
            ),
            (
                {"amount": "1", "category": housing, "frequency": "monthly", "day": "first"},
                "day",
                "invalid",
            ),
            (
                {"amount": "1", "category": housing, "frequency": "hourly"},
                "frequency",
                "invalid_choice",
            ),
            (
                {"amount": "-1", "category": housing, "frequency": "daily"},
                "amount",
                "amount_out_of_range",
            ),
            (
                {"amount": "1", "category": housing, "frequency": "daily", "currency": "XYZ"},
                "currency",
                "unknown_currency",
            ),
            ({"suggestion_id": "s000000000000"}, "suggestion_id", "suggestion_not_found"),
        ]
        for data, field, code in cases:
            with self.subTest(data=data):
                response = self.api.post("/api/recurring/", data, format="json")
                self.assertEqual(response.status_code, 400, response.content)
                body = response.json()
                self.assertEqual(body["error"], "validation_error")
                self.assertIn((field, code), [(d["path"], d["code"]) for d in body["details"]])
        self.assertFalse(RecurringRule.objects.exists())

    def test_pause_skip_change_and_delete(self) -> None:
        rule = self.create({"text": "каждый месяц 1-го аренда 45000"})
        url = f"/api/recurring/{rule['id']}/"
        response = self.api.patch(url, {"skip_next": True}, format="json")
        self.assertEqual(response.json()["next_date"], "2027-01-01")
        response = self.api.patch(
            url, {"paused": True, "amount": "50000", "end_date": None}, format="json"
        )
        self.assertEqual((response.json()["paused"], response.json()["amount"]), (True, "50000.00"))
        response = self.api.patch(url, {"frequency": "weekly"}, format="json")
        self.assertEqual((response.json()["frequency"], response.json()["day"]), ("weekly", None))
        response = self.api.patch(url, {"day": 5}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["path"], "day")
        self.assertEqual(self.api.delete(url).status_code, 204)
        self.assertFalse(RecurringRule.objects.exists())
        self.assertEqual(self.api.get(url).status_code, 404)

    def test_another_ledgers_rule_is_not_found(self) -> None:
        rule = self.create({"text": "каждый день кофе 200"})
        self.as_user(self.bob)
        url = f"/api/recurring/{rule['id']}/"
        self.assertEqual(self.api.get(url).status_code, 404)
        self.assertEqual(self.api.patch(url, {"paused": True}, format="json").status_code, 404)
        self.assertEqual(self.api.delete(url).status_code, 404)
        self.assertEqual(self.api.get("/api/recurring/").json(), [])
        self.assertTrue(RecurringRule.objects.filter(paused_at__isnull=True).exists())

    def test_suggestions_accept_and_dismiss(self) -> None:
        for month in (8, 9, 10, 11):
            self.record(self.alice, "sport", "2500", date(2026, month, 3))
        for month in (6, 7, 8, 9):
            self.record(self.alice, "subscriptions", "299", date(2026, month, 9))
        # Notes to tell the series by.
        Transaction.objects.filter(category__slug="sport").update(note="FitLife gym")
        Transaction.objects.filter(category__slug="subscriptions").update(note="Yandex Plus")
        suggestions = self.api.get("/api/recurring/suggestions/").json()
        self.assertEqual(
            [x["note"] for x in suggestions], ["FitLife gym"]
        )  # Plus stopped in September
        gym = suggestions[0]
        self.assertEqual(
            (gym["amount"], gym["day"], gym["next_date"]), ("2500.00", 3, "2026-12-03")
        )
        rule = self.create({"suggestion_id": gym["id"]})
        self.assertEqual((rule["note"], rule["next_date"]), ("FitLife gym", "2026-12-03"))
        # The same tap twice makes one rule.
        again = self.create({"suggestion_id": gym["id"]})
        self.assertEqual(again["id"], rule["id"])
        self.assertEqual(self.api.get("/api/recurring/suggestions/").json(), [])
        self.api.delete(f"/api/recurring/{rule['id']}/")
        (back,) = self.api.get("/api/recurring/suggestions/").json()
        response = self.api.delete(f"/api/recurring/suggestions/{back['id']}/")
        self.assertEqual(response.status_code, 204)
        self.assertTrue(SuggestionDismissal.objects.filter(suggestion_id=back["id"]).exists())
        self.assertEqual(self.api.get("/api/recurring/suggestions/").json(), [])
        self.assertEqual(
            self.api.delete(f"/api/recurring/suggestions/{back['id']}/").status_code, 404
        )

    def test_a_read_only_member_may_not_write(self) -> None:
        rule = self.create({"text": "каждый день кофе 200"})
        ledger = self.ledger(self.alice)
        Membership.objects.create(ledger=ledger, user=self.bob, role=Membership.Role.READONLY)
        self.as_user(self.bob)
        url = f"/api/recurring/{rule['id']}/?ledger={ledger.pk}"
        self.assertEqual(self.api.get(url).status_code, 200)
        response = self.api.patch(url, {"paused": True}, format="json")
        self.assertEqual(
            (response.status_code, response.json()["error"]), (403, "ledger_read_only")
        )
        response = self.api.post(
            f"/api/recurring/?ledger={ledger.pk}", {"text": "каждый день чай 100"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(RecurringRule.objects.count(), 1)


class SummaryApiForecastTestCase(ApiTestCase):
    def test_the_current_month_carries_the_forecast(self) -> None:
        with time_machine.travel(NOW, tick=False):
            self.as_user(self.alice)
            budget_item_set(
                user=self.alice,
                month=date(2026, 11, 1),
                category=self.category(self.alice, "groceries"),
                planned_amount=Decimal(11000),
                source="web",
            )
            self.record(self.alice, "groceries", "1000", date(2026, 11, 3))
            self.api.post(
                "/api/recurring/", {"text": "каждый месяц 25-го интернет 600"}, format="json"
            )
            body = self.api.get("/api/summary/").json()
            october = self.api.get("/api/summary/?month=2026-10").json()
        self.assertEqual(body["forecast"], "1600.00")
        self.assertEqual(body["safe_to_spend_today"], "854.54")  # (11 000 - 1 000 - 600) / 11
        self.assertEqual([d["date"] for d in body["recurring_due"]], ["2026-11-25"])
        self.assertEqual(body["forecast_basis"]["days_left"], 11)
        self.assertNotIn("forecast", october)
