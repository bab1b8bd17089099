"""Budget alerts of a shared ledger: every member who wants them hears, each once."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from accounts.models import User
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create
from ledgers import services as ledgers
from ledgers.tests.household import HouseholdTestCase
from notifications import alerts
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import queued, run_queued

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
NOV = date(2026, 11, 1)


@time_machine.travel(NOW, tick=False)
class SharedLedgerAlertsTestCase(HouseholdTestCase):
    def setUp(self) -> None:
        User.objects.filter(pk=self.carol.pk).update(email="carol@example.org", language="en")
        User.objects.filter(pk=self.dave.pk).update(email="dave@example.org")
        User.objects.filter(pk=self.bob.pk).update(email="bob@example.org")
        self.cafe = self.home_category("cafe")
        budget_item_set(
            user=self.alice,
            ledger=self.home,
            month=NOV,
            category=self.cafe,
            planned_amount=Decimal("10000"),
            source="web",
        )
        run_queued(include_later=True)  # the first plan's second look too

    def subject(self, threshold: int) -> str:
        return f"ledger:{self.home.pk}:category:{self.cafe.pk}:{threshold}"

    def alerts(self) -> list[tuple[str, str, str]]:
        return [
            (n.user.username, n.subject, n.status)
            for n in Notification.objects.filter(kind=Kind.BUDGET_ALERT)
            .select_related("user")
            .order_by("user__username", "subject")
        ]

    def test_a_members_write_alerts_every_member_once(self) -> None:
        self.spend(self.carol, "8200")
        (job,) = queued("notifications.check_budget")
        self.assertEqual(job["args"], {"ledger_id": self.home.pk, "month": "2026-11-01"})
        run_queued()
        self.spend(self.alice, "300")  # past 80 % still, no new threshold
        run_queued()
        self.assertEqual(
            self.alerts(),
            [
                ("alice", self.subject(80), "sent"),
                ("carol", self.subject(80), "sent"),
                ("dave", self.subject(80), "sent"),  # a read-only member reads the budget too
            ],
        )

    def test_each_member_reads_it_in_their_own_language(self) -> None:
        self.spend(self.carol, "8200")
        run_queued()
        texts = {
            n.user.username: n.text.replace("\xa0", " ")
            for n in Notification.objects.filter(kind=Kind.BUDGET_ALERT).select_related("user")
        }
        # Each keeps a personal ledger too: the alert says whose budget it is.
        self.assertEqual(
            texts["alice"],
            "Home · Кафе и рестораны: 8 200 ₽ из 10 000 ₽ (82 %), осталось 1 800 ₽ на 9 дней",
        )
        self.assertEqual(
            texts["carol"],
            "Home · Кафе и рестораны: 8,200 RUB of 10,000 RUB (82%), 1,800 RUB left for 9 days",
        )

    def test_someone_with_one_ledger_is_not_told_its_name(self) -> None:
        ledger = self.ledger(self.bob)
        cafe = self.category(self.bob, "cafe")
        budget_item_set(
            user=self.bob, month=NOV, category=cafe, planned_amount=Decimal(1000), source="web"
        )
        transaction_create(
            user=self.bob,
            kind="expense",
            amount=Decimal(900),
            currency=ledger.default_currency,
            category=cafe,
            date=date(2026, 11, 20),
            source="web",
        )
        run_queued()
        (alert,) = Notification.objects.filter(kind=Kind.BUDGET_ALERT, user=self.bob)
        self.assertTrue(alert.text.startswith(cafe.name + ":"), alert.text)

    def test_each_member_has_their_own_thresholds_and_switch(self) -> None:
        for user in (self.alice, self.carol, self.dave):
            NotificationSettings.objects.get_or_create(user=user)
        NotificationSettings.objects.filter(user=self.carol).update(thresholds=[50])
        NotificationSettings.objects.filter(user=self.dave).update(budget_alerts=False)
        self.spend(self.alice, "5100")
        run_queued()
        self.assertEqual(self.alerts(), [("carol", self.subject(50), "sent")])
        self.spend(self.alice, "5000")
        run_queued()
        self.assertEqual(
            self.alerts(),
            [
                ("alice", self.subject(100), "sent"),
                ("alice", self.subject(80), "skipped"),
                ("carol", self.subject(50), "sent"),
            ],
        )

    def test_strangers_and_former_members_hear_nothing(self) -> None:
        ledgers.member_remove(
            user=self.alice, ledger=self.home, member_user=self.dave, source="web"
        )
        self.spend(self.carol, "9000")
        run_queued()
        self.assertEqual(
            [(u, s) for u, s, _status in self.alerts()],
            [("alice", self.subject(80)), ("carol", self.subject(80))],
        )

    def test_the_personal_ledger_alerts_apart_from_the_shared_one(self) -> None:
        personal = self.category(self.alice, "cafe")
        budget_item_set(
            user=self.alice,
            month=NOV,
            category=personal,
            planned_amount=Decimal(1000),
            source="web",
        )
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(900),
            currency="RUB",
            category=personal,
            date=date(2026, 11, 20),
            source="web",
        )
        self.spend(self.carol, "8500")
        run_queued()
        own = f"ledger:{personal.ledger_id}:category:{personal.pk}:80"
        self.assertEqual(
            sorted(self.alerts()),
            sorted(
                [
                    ("alice", own, "sent"),
                    ("alice", self.subject(80), "sent"),
                    ("carol", self.subject(80), "sent"),
                    ("dave", self.subject(80), "sent"),
                ]
            ),
        )

    def test_a_job_run_twice_claims_nothing_more(self) -> None:
        self.spend(self.carol, "8200")
        self.assertEqual(len(queued("notifications.check_budget")), 1)
        run_queued()
        self.assertEqual(alerts.budget_check(ledger=self.home.pk, month=NOV), [])
        self.assertEqual(len(self.alerts()), 3)
