"""Recurring rules' dates recorded by the minute's tick, with the clock moved: once each,
on their dates in the creator's zone, caught up after an outage, told of with an undo."""

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.core import mail
from django.test import TransactionTestCase

from accounts.services import account_delete, user_create
from audit.models import AuditLog
from config.testing import PASSWORD, BaseTestCase, at_once
from finance.models import Category, RecurringOccurrence, RecurringRule, Transaction
from finance.services.books import ledger_create
from finance.services.categories import category_archive
from finance.services.recurring import (
    When,
    recurring_create,
    recurring_delete,
    recurring_skip_next,
    recurring_update,
)
from finance.services.transactions import transaction_delete
from ledgers.models import Membership
from ledgers.services import member_remove
from notifications import schedule
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import run_queued


def utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


class PostingCase:
    def make_rule(self, *, on: str, amount: str = "45000", **when: object) -> RecurringRule:
        """A rule of alice's, made at the UTC moment `on`."""
        with time_machine.travel(utc(on), tick=False):
            return recurring_create(
                user=self.alice,  # type: ignore[attr-defined]
                kind="expense",
                amount=Decimal(amount),
                currency="RUB",
                category=Category.objects.get(ledger__personal_for=self.alice, slug="housing"),  # type: ignore[attr-defined]
                note="аренда",
                when=When(**when),  # type: ignore[arg-type]
                source="web",
            )

    def tick(self, moment: str) -> int:
        now = utc(moment)
        with time_machine.travel(now, tick=False):
            count = schedule.schedule_due(now=now)
            run_queued()
        return count


class RecurringPostingTestCase(PostingCase, BaseTestCase):
    def setUp(self) -> None:
        # The 1st's monthly report would come with the ticks: only the rules' notices here.
        NotificationSettings.objects.create(user=self.alice, monthly_report=False)

    def posted(self) -> list[tuple[date, Decimal]]:
        rows = Transaction.objects.filter(source="recurring").order_by("date", "id")
        return [(t.date, t.amount) for t in rows]

    def test_a_date_is_recorded_from_nine_in_the_creators_morning_and_told_once(self) -> None:
        rule = self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        self.assertEqual(rule.next_date, date(2026, 12, 1))
        # Alice is in Moscow (UTC+3): 09:00 there is 06:00 UTC.
        self.assertEqual(self.tick("2026-12-01 05:59"), 0)
        self.assertEqual(self.tick("2026-12-01 06:00"), 1)
        (tx,) = Transaction.objects.filter(source="recurring")
        self.assertEqual(
            (tx.date, tx.amount, tx.currency, tx.category.slug, tx.note, tx.kind),
            (date(2026, 12, 1), Decimal("45000.00"), "RUB", "housing", "аренда", "expense"),
        )
        self.assertEqual((tx.created_by, tx.paid_by), (self.alice, self.alice))
        self.assertTrue(
            AuditLog.objects.filter(
                action="transaction.create", source="recurring", object_id=str(tx.pk)
            ).exists()
        )
        occurrence = RecurringOccurrence.objects.get()
        self.assertEqual(
            (occurrence.date, occurrence.status, occurrence.transaction), (tx.date, "posted", tx)
        )
        rule.refresh_from_db()
        self.assertEqual(rule.next_date, date(2027, 1, 1))

        (notice,) = Notification.objects.filter(kind=Kind.RECURRING)
        self.assertEqual(
            (notice.status, notice.channel, notice.period), ("sent", "email", "2026-12-01")
        )
        (message,) = mail.outbox
        self.assertIn(
            "Регулярный платёж записан: аренда · 45\xa0000 ₽ · Жильё, 1 декабря 2026\u202fг.",
            message.body,
        )
        self.assertIn(f"/transactions/{tx.pk}/delete/", message.body)
        self.assertEqual(self.tick("2026-12-01 06:01"), 0)
        self.assertEqual(self.tick("2026-12-02 06:00"), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_each_creator_in_their_own_zone(self) -> None:
        vlad = user_create(
            username="vlad", password=None, timezone_name="Asia/Vladivostok", source="cli"
        )
        NotificationSettings.objects.create(user=vlad, monthly_report=False)
        with time_machine.travel(utc("2026-11-20 00:00"), tick=False):
            recurring_create(
                user=vlad,
                kind="expense",
                amount=Decimal(600),
                currency="RUB",
                category=Category.objects.get(ledger__personal_for=vlad, slug="communication"),
                when=When(frequency="monthly", day=1),
                source="web",
            )
        self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        # 09:00 on 1 December in Vladivostok (UTC+10) is 23:00 UTC on 30 November.
        self.assertEqual(self.tick("2026-11-30 23:00"), 1)
        self.assertEqual(Transaction.objects.get(created_by=vlad).date, date(2026, 12, 1))
        self.assertFalse(Transaction.objects.filter(created_by=self.alice).exists())
        self.assertEqual(self.tick("2026-12-01 06:00"), 1)

    def test_dates_missed_while_no_worker_ran_are_each_recorded_once(self) -> None:
        self.make_rule(on="2026-11-30 10:00", amount="300", frequency="daily")
        self.assertEqual(self.tick("2026-11-30 10:00"), 1)
        # No tick for three days, then one: each day once, on its own date.
        self.assertEqual(self.tick("2026-12-03 10:00"), 3)
        self.assertEqual(
            [d for d, _a in self.posted()],
            [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)],
        )
        self.assertEqual(self.tick("2026-12-03 10:00"), 0)
        self.assertEqual(Notification.objects.filter(kind=Kind.RECURRING, status="sent").count(), 4)

    def test_a_rule_does_not_record_the_days_before_it_was_made(self) -> None:
        rule = self.make_rule(
            on="2026-11-20 10:00", frequency="daily", start_date=date(2026, 11, 1)
        )
        self.assertEqual(rule.next_date, date(2026, 11, 20))
        self.assertEqual(self.tick("2026-11-20 10:00"), 1)
        self.assertEqual(self.posted(), [(date(2026, 11, 20), Decimal("45000.00"))])

    def test_monthly_on_the_31st_records_on_the_last_day_of_shorter_months(self) -> None:
        self.make_rule(on="2027-01-05 10:00", frequency="monthly", day=31)
        for moment in (
            "2027-01-31 10:00",
            "2027-02-28 10:00",
            "2027-03-31 10:00",
            "2027-04-30 10:00",
        ):
            self.assertEqual(self.tick(moment), 1, moment)
        self.assertEqual(
            [d for d, _a in self.posted()],
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)],
        )

    def test_editing_changes_only_what_is_still_to_come(self) -> None:
        rule = self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        self.tick("2026-12-01 10:00")
        with time_machine.travel(utc("2026-12-10 10:00"), tick=False):
            recurring_update(rule=rule, user=self.alice, amount=Decimal(50000), source="web")
        self.tick("2027-01-01 10:00")
        self.assertEqual(
            self.posted(),
            [(date(2026, 12, 1), Decimal("45000.00")), (date(2027, 1, 1), Decimal("50000.00"))],
        )
        # A new schedule goes on from today: the 15th of this month is still to come.
        with time_machine.travel(utc("2027-01-10 10:00"), tick=False):
            rule = recurring_update(rule=rule, user=self.alice, day=15, source="web")
        self.assertEqual(rule.next_date, date(2027, 1, 15))
        self.tick("2027-01-15 10:00")
        self.assertEqual(self.posted()[-1], (date(2027, 1, 15), Decimal("50000.00")))
        self.assertEqual(len(self.posted()), 3)

    def test_a_change_on_the_day_already_recorded_does_not_record_it_again(self) -> None:
        rule = self.make_rule(on="2026-11-20 10:00", frequency="daily", amount="100")
        self.tick("2026-11-20 10:00")
        with time_machine.travel(utc("2026-11-20 12:00"), tick=False):
            rule = recurring_update(rule=rule, user=self.alice, interval=2, source="web")
        self.assertEqual(rule.next_date, date(2026, 11, 20))
        self.assertEqual(self.tick("2026-11-20 12:00"), 0)
        self.assertEqual(self.tick("2026-11-22 12:00"), 1)
        self.assertEqual([d for d, _a in self.posted()], [date(2026, 11, 20), date(2026, 11, 22)])

    def test_deleting_stops_it_and_keeps_what_was_recorded(self) -> None:
        rule = self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        self.tick("2026-12-01 10:00")
        with time_machine.travel(utc("2026-12-05 10:00"), tick=False):
            self.assertTrue(recurring_delete(rule=rule, user=self.alice, source="web"))
        self.assertEqual(self.tick("2027-01-01 10:00"), 0)
        self.assertEqual(self.posted(), [(date(2026, 12, 1), Decimal("45000.00"))])
        self.assertFalse(RecurringRule.objects.exists())

    def test_skipping_the_next_date_and_pausing(self) -> None:
        rule = self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        with time_machine.travel(utc("2026-11-25 10:00"), tick=False):
            self.assertEqual(
                recurring_skip_next(rule=rule, user=self.alice, source="web"), date(2026, 12, 1)
            )
        self.assertEqual(self.tick("2026-12-01 10:00"), 0)
        self.assertEqual(
            list(RecurringOccurrence.objects.values_list("date", "status")),
            [(date(2026, 12, 1), "skipped")],
        )
        with time_machine.travel(utc("2026-12-20 10:00"), tick=False):
            recurring_update(rule=rule, user=self.alice, paused=True, source="web")
        self.assertEqual(self.tick("2027-01-01 10:00"), 0)
        self.assertEqual(self.tick("2027-02-01 10:00"), 0)
        # Resumed, it goes on from today: what fell due while paused is not recorded.
        with time_machine.travel(utc("2027-02-10 10:00"), tick=False):
            rule = recurring_update(rule=rule, user=self.alice, paused=False, source="web")
        self.assertEqual(rule.next_date, date(2027, 3, 1))
        self.assertEqual(self.tick("2027-03-01 10:00"), 1)
        self.assertEqual([d for d, _a in self.posted()], [date(2027, 3, 1)])

    def test_a_count_ends_it(self) -> None:
        self.make_rule(on="2026-11-20 10:00", frequency="daily", count=2, amount="10")
        self.assertEqual(self.tick("2026-11-25 10:00"), 2)
        self.assertEqual(RecurringRule.objects.get().next_date, None)
        self.assertEqual(self.tick("2026-11-26 10:00"), 0)

    def test_a_record_undone_before_its_notice_goes_out_is_not_told(self) -> None:
        self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        now = utc("2026-12-01 10:00")
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
            tx = Transaction.objects.get(source="recurring")
            transaction_delete(tx=tx, user=self.alice, source="web")
            run_queued()
        notice = Notification.objects.get(kind=Kind.RECURRING)
        self.assertEqual(notice.status, "skipped")
        self.assertEqual(mail.outbox, [])
        # Claimed all the same: never recorded again.
        self.assertEqual(self.tick("2026-12-01 11:00"), 0)
        self.assertEqual(RecurringOccurrence.objects.get().transaction, None)

    def test_a_date_that_cannot_be_recorded_says_why(self) -> None:
        self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        housing = Category.objects.get(ledger__personal_for=self.alice, slug="housing")
        category_archive(category=housing, user=self.alice, archived=True, source="web")
        self.assertEqual(self.tick("2026-12-01 10:00"), 1)
        occurrence = RecurringOccurrence.objects.get()
        self.assertEqual(occurrence.status, "failed")
        self.assertIn("в архиве", occurrence.error)  # in alice's language, as her notice
        self.assertFalse(Transaction.objects.exists())
        (message,) = mail.outbox
        self.assertIn("не записан", message.body)
        self.assertNotIn("/delete/", message.body)
        self.assertEqual(self.tick("2026-12-01 11:00"), 0)


class ConcurrentTicksTestCase(PostingCase, TransactionTestCase):
    def setUp(self) -> None:
        self.alice = user_create(
            username="alice", password=None, email="a@example.org", source="cli"
        )

    def test_ticks_at_once_record_each_date_once(self) -> None:
        NotificationSettings.objects.create(user=self.alice, monthly_report=False)
        self.make_rule(on="2026-11-27 10:00", frequency="daily", amount="100")
        now = utc("2026-12-03 10:00")

        def tick(_n: int) -> int:
            with time_machine.travel(now, tick=False):
                return schedule.schedule_due(now=now)

        results = at_once(4, tick)
        self.assertEqual(sum(r for r in results if isinstance(r, int)), 7, results)
        self.assertEqual(Transaction.objects.count(), 7)
        self.assertEqual(
            sorted(Transaction.objects.values_list("date", flat=True)),
            [date(2026, 11, d) for d in range(27, 31)] + [date(2026, 12, d) for d in range(1, 4)],
        )
        self.assertEqual(Notification.objects.filter(kind=Kind.RECURRING).count(), 7)


class RulesAndMembersTestCase(PostingCase, BaseTestCase):
    def setUp(self) -> None:
        NotificationSettings.objects.create(user=self.alice, monthly_report=False)

    def test_a_creator_who_left_the_ledger_pauses_the_rule(self) -> None:
        home = ledger_create(user=self.bob, name="Home", source="cli")
        Membership.objects.create(ledger=home, user=self.alice, role=Membership.Role.MEMBER)
        with time_machine.travel(utc("2026-11-20 10:00"), tick=False):
            rule = recurring_create(
                user=self.alice,
                ledger=home,
                kind="expense",
                amount=Decimal(600),
                currency="RUB",
                category=Category.objects.get(ledger=home, slug="communication"),
                when=When(frequency="monthly", day=1),
                source="web",
            )
        member_remove(user=self.bob, ledger=home, member_user=self.alice, source="web")
        self.assertEqual(self.tick("2026-12-01 10:00"), 1)
        occurrence = RecurringOccurrence.objects.get()
        self.assertEqual(occurrence.status, "failed")
        rule.refresh_from_db()
        self.assertTrue(rule.paused)
        self.assertEqual(self.tick("2027-01-01 10:00"), 0)
        self.assertFalse(Transaction.objects.exists())

    def test_deleting_an_account_takes_its_rules(self) -> None:
        self.make_rule(on="2026-11-20 10:00", frequency="monthly", day=1)
        self.tick("2026-12-01 10:00")
        account_delete(user=self.alice, password=PASSWORD, source="web")
        self.assertFalse(RecurringRule.objects.exists())
        self.assertFalse(RecurringOccurrence.objects.exists())
