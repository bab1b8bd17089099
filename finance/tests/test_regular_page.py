"""The cabinet's Regular payments page, and the dashboard's forecast."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import RecurringRule, SuggestionDismissal, Transaction
from finance.services.budget import budget_item_set
from finance.services.recurring import When, recurring_create
from finance.services.transactions import transaction_create
from ledgers.models import Membership
from notifications.tests.helpers import tick_at

NOW = "2026-11-20 09:00Z"


class RegularPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.client.force_login(self.alice)

    def rule(self, note: str = "аренда", **when: object) -> RecurringRule:
        return recurring_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(45000),
            currency="RUB",
            category=self.category(self.alice, "housing"),
            when=When(**{"frequency": "monthly", "day": 1, **when}),  # type: ignore[arg-type]
            note=note,
            source="web",
        )

    def gym_history(self) -> None:
        for month in (8, 9, 10, 11):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(2500),
                currency="RUB",
                category=self.category(self.alice, "sport"),
                date=date(2026, month, 3),
                note="FitLife",
                source="web",
            )

    def test_it_lists_the_rules_and_the_suggestions(self) -> None:
        self.rule()
        self.gym_history()
        response = self.client.get("/regular/")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("аренда", page)
        self.assertIn("ежемесячно, 1-го числа", page)
        self.assertIn("FitLife", page)
        (suggestion, _schedule) = response.context["suggestions"][0]
        self.assertIn(f"/regular/suggestions/{suggestion.id}/add/", page)

    def test_it_adds_one_in_words(self) -> None:
        response = self.client.post("/regular/add/text/", {"text": "every friday piano lesson 40"})
        self.assertRedirects(response, "/regular/")
        rule = RecurringRule.objects.get()
        self.assertEqual((rule.frequency, rule.weekday, rule.amount), ("weekly", 4, Decimal(40)))
        self.assertEqual(AuditLog.objects.get(action="recurring.create").source, "web")

    def test_a_rule_added_here_records_its_dates_once(self) -> None:
        response = self.client.post(
            "/regular/add/text/", {"text": "каждые 2 недели по пятницам уборка 3000"}
        )
        self.assertRedirects(response, "/regular/")
        # Two weeks on (10:00 in Moscow), the tick twice over: this Friday and the one two
        # weeks later, each once; not the Friday between.
        for _ in range(2):
            tick_at(datetime(2026, 12, 4, 7, 0, tzinfo=UTC))
        posted = Transaction.objects.filter(source="recurring").order_by("date")
        self.assertEqual(
            [(t.date, t.amount, t.note) for t in posted],
            [
                (date(2026, 11, 20), Decimal("3000.00"), "уборка"),
                (date(2026, 12, 4), Decimal("3000.00"), "уборка"),
            ],
        )
        self.assertEqual(RecurringRule.objects.get().next_date, date(2026, 12, 18))

    def test_words_without_an_amount_are_a_form_error(self) -> None:
        response = self.client.post("/regular/add/text/", {"text": "каждый месяц аренда"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["text_form"].errors.as_data()["text"][0].code, "amount_not_found"
        )
        self.assertFalse(RecurringRule.objects.exists())

    def test_it_adds_one_by_its_fields_and_refuses_an_end_before_the_start(self) -> None:
        fields = {
            "kind": "expense",
            "amount": "600",
            "currency": "RUB",
            "category": self.category(self.alice, "communication").pk,
            "note": "интернет",
            "paid_by": self.alice.pk,
            "frequency": "monthly",
            "interval": "1",
            "day": "-1",
            "weekday": "",
            "start_date": "2026-11-20",
            "end_date": "2026-11-19",
            "count": "",
        }
        response = self.client.post("/regular/", fields)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors.as_data()["end_date"][0].code, "end_before_start"
        )
        response = self.client.post("/regular/", {**fields, "end_date": ""})
        self.assertRedirects(response, "/regular/")
        rule = RecurringRule.objects.get()
        self.assertEqual((rule.day, rule.next_date), (-1, date(2026, 11, 30)))

    def test_edit_pause_skip_and_delete(self) -> None:
        rule = self.rule()
        response = self.client.get(f"/regular/{rule.pk}/")
        self.assertEqual(response.context["form"].initial["amount"], Decimal(45000))
        data = {
            **response.context["form"].initial,
            "amount": "50000",
            "category": rule.category_id,
            "paid_by": self.alice.pk,
            "start_date": "2026-11-20",
            "end_date": "",
            "count": "",
            "weekday": "",
        }
        response = self.client.post(f"/regular/{rule.pk}/", data)
        self.assertRedirects(response, "/regular/")
        rule.refresh_from_db()
        self.assertEqual((rule.amount, rule.next_date), (Decimal(50000), date(2026, 12, 1)))
        self.client.post(f"/regular/{rule.pk}/skip/")
        rule.refresh_from_db()
        self.assertEqual(rule.next_date, date(2027, 1, 1))
        self.client.post(f"/regular/{rule.pk}/pause/", {"paused": "1"})
        rule.refresh_from_db()
        self.assertTrue(rule.paused)
        self.client.post(f"/regular/{rule.pk}/pause/", {"paused": "0"})
        rule.refresh_from_db()
        self.assertFalse(rule.paused)
        response = self.client.post(f"/regular/{rule.pk}/delete/")
        self.assertRedirects(response, "/regular/")
        self.assertFalse(RecurringRule.objects.exists())

    def test_add_and_dismiss_suggestions(self) -> None:
        self.gym_history()
        (suggestion, _schedule) = self.client.get("/regular/").context["suggestions"][0]
        self.client.post(f"/regular/suggestions/{suggestion.id}/add/")
        rule = RecurringRule.objects.get()
        self.assertEqual((rule.note, rule.next_date, rule.day), ("FitLife", date(2026, 12, 3), 3))
        self.assertEqual(self.client.get("/regular/").context["suggestions"], [])
        rule.delete()
        self.client.post(f"/regular/suggestions/{suggestion.id}/dismiss/")
        self.assertTrue(SuggestionDismissal.objects.exists())
        self.assertEqual(self.client.get("/regular/").context["suggestions"], [])
        gone = self.client.post(f"/regular/suggestions/{suggestion.id}/dismiss/")
        self.assertEqual(gone.status_code, 404)

    def test_another_ledgers_rule_is_not_found_and_a_reader_may_not_write(self) -> None:
        rule = self.rule()
        self.client.force_login(self.bob)
        for url in (f"/regular/{rule.pk}/", f"/regular/{rule.pk}/delete/"):
            self.assertEqual(self.client.post(url).status_code, 404)
        Membership.objects.create(
            ledger=self.ledger(self.alice), user=self.bob, role=Membership.Role.READONLY
        )
        self.bob.active_ledger = self.ledger(self.alice)
        self.bob.save()
        response = self.client.get("/regular/")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(f"/regular/{rule.pk}/delete/", response.content.decode())
        self.assertEqual(self.client.post(f"/regular/{rule.pk}/delete/").status_code, 403)
        self.assertTrue(RecurringRule.objects.exists())


class DashboardForecastTestCase(BaseTestCase):
    def setUp(self) -> None:
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.client.force_login(self.alice)

    def test_this_month_shows_where_it_is_heading(self) -> None:
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "groceries"),
            planned_amount=Decimal(11000),
            source="web",
        )
        recurring_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(600),
            currency="RUB",
            category=self.category(self.alice, "communication"),
            when=When(frequency="monthly", day=25),
            note="интернет",
            source="web",
        )
        response = self.client.get("/")
        forecast = response.context["forecast"]
        self.assertEqual(
            (forecast.forecast, forecast.safe_to_spend_today), (Decimal(600), Decimal("945.45"))
        )
        page = response.content.decode()
        self.assertIn("945,45", page)
        self.assertIn("интернет", page)
        self.assertIsNone(self.client.get("/?month=2026-10").context["forecast"])

    def test_its_queries_do_not_grow_with_the_rules(self) -> None:
        for day in (5, 10, 15, 20, 25):
            recurring_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(100),
                currency="RUB",
                category=self.category(self.alice, "cafe"),
                when=When(frequency="monthly", day=day),
                note=f"r{day}",
                source="web",
            )
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(100),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 10, 5),
            note="r5",
            source="web",
        )
        self.client.get("/")  # the summary's statement is prepared once
        # The dashboard's six, then the forecast's: the rules, the ledger's first day,
        # the three months' totals, the window's records the rules may cover.
        with self.assertNumQueries(10):
            self.client.get("/")
