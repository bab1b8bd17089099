"""The monthly report of a shared ledger says who owes whom; a personal one does not."""

from datetime import date
from decimal import Decimal

import time_machine

from finance.services.settlements import settlement_create
from ledgers import services as ledgers
from ledgers.tests.household import HouseholdTestCase
from notifications import schedule
from notifications.models import Kind, Notification
from notifications.tests.helpers import run_queued
from notifications.tests.test_schedule import at


class HouseholdReportTestCase(HouseholdTestCase):
    def report(self) -> str:
        now = at("2026-12-01 07:00")  # 10:00 in Moscow on the 1st
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
            run_queued()
        (report,) = Notification.objects.filter(kind=Kind.MONTHLY_REPORT, user=self.alice)
        return report.text.replace("\xa0", " ")

    def test_a_shared_ledgers_report_ends_with_the_balances(self) -> None:
        with time_machine.travel(at("2026-11-20 09:00"), tick=False):
            self.spend(self.alice, "3000", day=date(2026, 11, 3))
            settlement_create(
                user=self.carol,
                ledger=self.home,
                from_user_id=self.carol.pk,
                to_user_id=self.alice.pk,
                amount=Decimal(1000),
                source="web",
            )
        ledgers.ledger_activate(user=self.alice, ledger=self.home, source="web")
        text = self.report()
        # The settlement is no expense of the month.
        self.assertIn("Расходы: 3 000 ₽", text)
        self.assertTrue(
            text.endswith(
                "\n".join(
                    [
                        "",
                        "Кто кому должен в «Home»:",
                        "• alice: +1 000 ₽",
                        "• dave: −1 000 ₽",
                        "Чтобы рассчитаться:",
                        "• dave → alice: 1 000 ₽",
                    ]
                )
            ),
            text,
        )

    def test_a_personal_ledgers_report_has_none(self) -> None:
        self.spend(self.alice, "3000", day=date(2026, 11, 3))
        self.assertNotIn("Кто кому должен", self.report())
