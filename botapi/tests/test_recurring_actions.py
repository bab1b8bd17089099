"""create_recurring, list_recurring, update_recurring and delete_recurring, in-process."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from accounts.models import Scope
from accounts.services import api_token_create
from audit.models import AuditLog
from botapi.tests.helpers import BotTestCase, envelope
from finance.models import Category, RecurringRule, SuggestionDismissal, Transaction
from finance.services.recurring import When, recurring_create
from finance.services.transactions import transaction_create
from notifications.tests.helpers import tick_at

# Friday 20 November 2026, midday in Moscow (alice's zone).
NOW = "2026-11-20 09:00Z"


class RecurringActionsTestCase(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def netflix_history(self) -> None:
        subscriptions = self.category(self.alice, "subscriptions")
        for day in (date(2026, 8, 14), date(2026, 9, 14), date(2026, 10, 14), date(2026, 11, 14)):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("799"),
                currency="RUB",
                category=subscriptions,
                date=day,
                note="Netflix",
                source="web",
            )

    def test_create_from_the_persons_words(self) -> None:
        response = self.act("create_recurring", {"text": "каждый месяц 1-го аренда 45000"})
        self.assertEqual(response.status_code, 201, response.content)
        rule = RecurringRule.objects.get()
        housing = self.category(self.alice, "housing")
        self.assertEqual(
            response.json()["result"],
            {
                "id": rule.pk,
                "kind": "expense",
                "amount": "45000.00",
                "currency": "RUB",
                "category": {"id": housing.pk, "slug": "housing", "name": housing.name},
                "note": "аренда",
                "text": "каждый месяц 1-го аренда 45000",
                "paid_by": self.alice.pk,
                "frequency": "monthly",
                "interval": 1,
                "day": 1,
                "weekday": None,
                "start_date": "2026-11-20",
                "end_date": None,
                "count": None,
                "next_date": "2026-12-01",
                "paused": False,
            },
        )
        self.assertEqual((rule.ledger, rule.created_by), (self.ledger(self.alice), self.alice))
        self.assertTrue(AuditLog.objects.filter(action="recurring.create", object_id=str(rule.pk)))
        row = self.request_row()
        self.assertEqual((row.action, row.status_code), ("create_recurring", 201))

    def test_the_issues_other_examples(self) -> None:
        cases = {
            "every friday piano lesson 40": ("weekly", None, "friday", "2026-11-20", "2026-11-20"),
            "ежегодно 15 марта страховка 12000": ("yearly", None, None, "2027-03-15", "2027-03-15"),
        }
        for text, (frequency, day, weekday, start, following) in cases.items():
            with self.subTest(text=text):
                response = self.act("create_recurring", {"text": text})
                self.assertEqual(response.status_code, 201, response.content)
                result = response.json()["result"]
                self.assertEqual(
                    (result["frequency"], result["day"], result["weekday"]),
                    (frequency, day, weekday),
                )
                self.assertEqual((result["start_date"], result["next_date"]), (start, following))

    def test_an_income_by_its_words(self) -> None:
        response = self.act("create_recurring", {"text": "каждый месяц 5-го зарплата 90000"})
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual((result["kind"], result["category"]["slug"]), ("income", "salary"))

    def test_create_from_fields(self) -> None:
        payload = {
            "amount": "30000",
            "category": "housing",
            "frequency": "monthly",
            "day": "last",
            "start_date": "2026-12-01",
            "count": 12,
            "note": "ипотека",
            "currency": "usd",
        }
        response = self.act("create_recurring", payload)
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertEqual(
            (result["day"], result["next_date"], result["count"], result["currency"]),
            ("last", "2026-12-31", 12, "USD"),
        )
        response = self.act(
            "create_recurring",
            {
                "amount": 40,
                "category": "education",
                "frequency": "weekly",
                "weekday": "friday",
                "interval": 2,
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["result"]["next_date"], "2026-11-20")

    def test_a_rule_made_here_records_its_dates_once_in_its_currency(self) -> None:
        response = self.act(
            "create_recurring",
            {
                "amount": "40",
                "currency": "EUR",
                "category": "education",
                "frequency": "weekly",
                "weekday": "friday",
                "note": "piano",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        # A week on (10:00 in Moscow), the tick twice over: both Fridays, each once, in euros.
        for _ in range(2):
            tick_at(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
        posted = Transaction.objects.filter(source="recurring").order_by("date")
        self.assertEqual(
            [(t.date, t.amount, t.currency, t.category.slug, t.note) for t in posted],
            [
                (date(2026, 11, 20), Decimal("40.00"), "EUR", "education", "piano"),
                (date(2026, 11, 27), Decimal("40.00"), "EUR", "education", "piano"),
            ],
        )
        self.assertEqual(
            self.act("list_recurring", {}).json()["result"]["recurring"][0]["next_date"],
            "2026-12-04",
        )

    def test_refusals_name_the_field_and_write_nothing(self) -> None:
        fields = {"amount": "100", "category": "housing"}
        cases = [
            ({"text": "каждый месяц аренда"}, "payload.text", "amount_not_found"),
            ({"text": "аренда 45000"}, "payload.text", "schedule_not_found"),
            # A day no month has is refused, not read as the amount (40 a month).
            ({"text": "каждый месяц 40-го аренда 45000"}, "payload.text", "invalid_day"),
            (
                {"text": "каждый месяц 40-го аренда 45000", "frequency": "monthly"},
                "payload.text",
                "invalid_day",
            ),
            ({"text": "ежегодно 30 февраля страховка 12000"}, "payload.text", "invalid_day"),
            ({"text": "every 0 days coffee 5"}, "payload.text", "invalid_interval"),
            (
                {"text": "каждый вторник и четверг теннис 1500"},
                "payload.text",
                "several_weekdays",
            ),
            (
                {
                    **fields,
                    "frequency": "monthly",
                    "start_date": "2026-12-01",
                    "end_date": "2026-11-30",
                },
                "payload.end_date",
                "end_before_start",
            ),
            (
                # Fridays from a Monday to the Wednesday after: it could never fall due.
                {
                    **fields,
                    "frequency": "weekly",
                    "weekday": "friday",
                    "start_date": "2026-11-23",
                    "end_date": "2026-11-25",
                },
                "payload.end_date",
                "never_fires",
            ),
            (
                {**fields, "frequency": "daily", "start_date": "2026-01-01", "count": 3},
                "payload.count",
                "never_fires",
            ),
            (
                {**fields, "frequency": "daily", "end_date": "2027-01-01", "count": 3},
                "payload.count",
                "end_or_count",
            ),
            ({**fields, "frequency": "weekly", "day": 5}, "payload.day", "day_needs_monthly"),
            (
                {**fields, "frequency": "monthly", "weekday": "monday"},
                "payload.weekday",
                "weekday_needs_weekly",
            ),
            ({**fields, "frequency": "monthly", "day": 32}, "payload.day", "invalid"),
            ({"amount": "100", "frequency": "monthly"}, "payload.category", "required"),
            ({"amount": "100", "category": "housing"}, "payload.frequency", "required"),
            (
                {**fields, "frequency": "monthly", "category": "salary", "kind": "expense"},
                "payload.category",
                "category_kind_mismatch",
            ),
            ({"text": "каждый месяц аренда 1", "amount": "1"}, "payload", "one_of"),
            ({"suggestion_id": "s000000000000"}, "payload.suggestion_id", "suggestion_not_found"),
        ]
        for payload, path, code in cases:
            with self.subTest(payload=payload):
                response = self.act("create_recurring", payload)
                self.assert_error(response, 400, "validation_error", [(path, code)])
        body = json.dumps(
            envelope(
                "create_recurring", {"amount": 1.5, "category": "housing", "frequency": "monthly"}
            )
        )
        response = self.post(body, raw=True)
        self.assert_error(
            response, 400, "validation_error", [("payload.amount", "float_not_allowed")]
        )
        self.assertFalse(RecurringRule.objects.exists())

    def test_it_needs_the_write_scope_of_its_kind(self) -> None:
        incomes = api_token_create(
            user=self.alice, name="incomes", scopes=[Scope.INCOMES_WRITE], source="cli"
        )
        response = self.act(
            "create_recurring", {"text": "каждый месяц аренда 45000"}, token=incomes.raw
        )
        self.assert_error(response, 403, "insufficient_scope")
        response = self.act(
            "create_recurring",
            {"text": "каждый месяц аренда 45000"},
            token=self.alice_readonly_token.raw,
        )
        self.assert_error(response, 403, "insufficient_scope")
        self.assertFalse(RecurringRule.objects.exists())
        response = self.act(
            "create_recurring", {"text": "каждый месяц 5-го зарплата 90000"}, token=incomes.raw
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_a_retry_with_the_same_key_makes_one_rule(self) -> None:
        key = str(uuid.uuid4())
        first = self.act("create_recurring", {"text": "каждый месяц 1-го аренда 45000"}, key=key)
        again = self.act("create_recurring", {"text": "каждый месяц 1-го аренда 45000"}, key=key)
        self.assertEqual((first.status_code, again.status_code), (201, 201))
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertEqual(first.json()["result"], again.json()["result"])
        self.assertEqual(RecurringRule.objects.count(), 1)

    def test_list_with_suggestions_and_accept_one_by_its_id(self) -> None:
        self.netflix_history()
        self.act("create_recurring", {"text": "каждый месяц 1-го аренда 45000"})
        response = self.act("list_recurring", {}, token=self.alice_readonly_token.raw)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()["result"]
        self.assertEqual([r["note"] for r in body["recurring"]], ["аренда"])
        (suggested,) = body["suggested"]
        self.assertEqual(
            {
                k: suggested[k]
                for k in ("kind", "amount", "currency", "note", "frequency", "day", "times")
            },
            {
                "kind": "expense",
                "amount": "799.00",
                "currency": "RUB",
                "note": "Netflix",
                "frequency": "monthly",
                "day": 14,
                "times": 4,
            },
        )
        self.assertEqual(
            (suggested["last_date"], suggested["next_date"]), ("2026-11-14", "2026-12-14")
        )
        self.assertEqual(suggested["category"]["slug"], "subscriptions")

        accepted = self.act("create_recurring", {"suggestion_id": suggested["id"]})
        self.assertEqual(accepted.status_code, 201, accepted.content)
        result = accepted.json()["result"]
        self.assertEqual(
            (result["amount"], result["day"], result["next_date"], result["note"]),
            ("799.00", 14, "2026-12-14", "Netflix"),
        )
        # Covered now: no longer suggested.
        self.assertEqual(self.act("list_recurring", {}).json()["result"]["suggested"], [])

    def test_a_dismissed_suggestion_does_not_come_back(self) -> None:
        self.netflix_history()
        (suggested,) = self.act("list_recurring", {}).json()["result"]["suggested"]
        response = self.act("delete_recurring", {"id": suggested["id"]})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["result"], {"deleted": True, "suggestion": suggested})
        self.assertTrue(SuggestionDismissal.objects.filter(suggestion_id=suggested["id"]).exists())
        # Another month of it: still the same series, still dismissed.
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("799"),
            currency="RUB",
            category=self.category(self.alice, "subscriptions"),
            date=date(2026, 11, 20),
            note="Netflix",
            source="web",
        )
        self.assertEqual(self.act("list_recurring", {}).json()["result"]["suggested"], [])
        response = self.act("delete_recurring", {"id": suggested["id"]})
        self.assert_error(
            response, 400, "validation_error", [("payload.id", "suggestion_not_found")]
        )

    def test_delete_stops_it_and_keeps_what_it_recorded(self) -> None:
        rule_id = self.act("create_recurring", {"text": "каждый день кофе 200"}).json()["result"][
            "id"
        ]
        Transaction.objects.create(
            ledger=self.ledger(self.alice),
            created_by=self.alice,
            paid_by=self.alice,
            kind="expense",
            amount=Decimal(200),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 11, 20),
            source="recurring",
        )
        response = self.act("delete_recurring", {"id": rule_id})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["result"]["recurring"]["id"], rule_id)
        self.assertFalse(RecurringRule.objects.exists())
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertTrue(AuditLog.objects.filter(action="recurring.delete", object_id=str(rule_id)))
        response = self.act("delete_recurring", {"id": rule_id})
        self.assert_error(
            response, 400, "validation_error", [("payload.id", "recurring_not_found")]
        )

    def test_another_persons_rule_is_unknown(self) -> None:
        bobs = recurring_create(
            user=self.bob,
            kind="expense",
            amount=Decimal(10),
            currency="USD",
            category=Category.objects.get(ledger__personal_for=self.bob, slug="cafe"),
            when=When(frequency="daily"),
            source="web",
        )
        for action, payload in (
            ("delete_recurring", {"id": bobs.pk}),
            ("update_recurring", {"id": bobs.pk, "paused": True}),
        ):
            with self.subTest(action=action):
                response = self.act(action, payload)
                self.assert_error(
                    response, 400, "validation_error", [("payload.id", "recurring_not_found")]
                )
        self.assertTrue(RecurringRule.objects.filter(pk=bobs.pk, paused_at__isnull=True).exists())
        self.assertEqual(self.act("list_recurring", {}).json()["result"]["recurring"], [])

    def test_update_skips_pauses_and_changes(self) -> None:
        rule_id = self.act("create_recurring", {"text": "каждый месяц 1-го аренда 45000"}).json()[
            "result"
        ]["id"]
        response = self.act("update_recurring", {"id": rule_id, "skip_next": True})
        self.assertEqual(response.json()["result"]["next_date"], "2027-01-01")
        response = self.act("update_recurring", {"id": rule_id, "paused": True, "amount": "50000"})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertEqual((result["paused"], result["amount"]), (True, "50000.00"))
        response = self.act("update_recurring", {"id": rule_id, "end_date": "2026-01-01"})
        self.assert_error(
            response, 400, "validation_error", [("payload.end_date", "end_before_start")]
        )
        response = self.act("update_recurring", {"id": rule_id})
        self.assert_error(response, 400, "validation_error", [("payload", "nothing_to_change")])
        self.assertEqual(RecurringRule.objects.get().amount, Decimal(50000))


class SummaryForecastTestCase(BotTestCase):
    def test_the_current_month_has_its_forecast_and_another_has_none(self) -> None:
        with time_machine.travel("2026-11-20 09:00Z", tick=False):
            self.act("create_recurring", {"text": "каждый месяц 28-го интернет 600"})
            current = self.act("get_summary", {}).json()["result"]
            other = self.act("get_summary", {"month": "2026-10"}).json()["result"]
        self.assertEqual(current["forecast"], "600.00")
        self.assertEqual(
            [(d["date"], d["amount"], d["amount_converted"]) for d in current["recurring_due"]],
            [("2026-11-28", "600.00", "600.00")],
        )
        self.assertEqual(
            current["forecast_basis"],
            {
                "spent": "0.00",
                "recurring_due": "600.00",
                "average_daily": "0.00",
                "days_left": 11,
                "plan": None,
            },
        )
        self.assertNotIn("safe_to_spend_today", current)
        for name in ("forecast", "recurring_due", "forecast_basis", "safe_to_spend_today"):
            self.assertNotIn(name, other)
