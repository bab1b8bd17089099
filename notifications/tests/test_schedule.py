from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.core import mail
from django.utils import timezone

from accounts.services import api_token_create, user_create
from config.testing import BaseTestCase
from finance.models import Category
from finance.services.books import ledger_create
from finance.services.budget import budget_item_set
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create
from ledgers import services as ledgers
from ledgers.models import Membership
from notifications import schedule
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import queued, run_queued

Status = Notification.Status


def at(utc: str) -> datetime:
    return datetime.fromisoformat(utc).replace(tzinfo=UTC)


class DailyReminderTestCase(BaseTestCase):
    def setUp(self) -> None:
        # 21:00 in Vladivostok (UTC+10) is 11:00 UTC; 21:00 in London (winter) is 21:00 UTC.
        self.vlad = user_create(
            username="vlad",
            password=None,
            email="vlad@example.org",
            timezone_name="Asia/Vladivostok",
            source="cli",
        )
        self.london = user_create(
            username="london",
            password=None,
            email="london@example.org",
            language="en",
            timezone_name="Europe/London",
            source="cli",
        )
        for user in (self.vlad, self.london):
            NotificationSettings.objects.create(
                user=user, daily_reminder=True, reminder_time=time(21, 0)
            )

    def tick(self, now: datetime) -> int:
        with time_machine.travel(now, tick=False):
            count = schedule.schedule_due(now=now)
            run_queued()
        return count

    def reminders(self) -> list[tuple[str, str, str]]:
        return [
            (n.user.username, n.period, n.status)
            for n in Notification.objects.filter(kind=Kind.DAILY_REMINDER).order_by("id")
        ]

    def test_each_at_their_own_nine_in_the_evening(self) -> None:
        self.assertEqual(self.tick(at("2026-12-03 10:59")), 0)
        self.assertEqual(self.tick(at("2026-12-03 11:00")), 1)
        self.assertEqual(self.reminders(), [("vlad", "2026-12-03", "sent")])
        self.assertEqual(mail.outbox[0].to, ["vlad@example.org"])
        self.assertEqual(
            mail.outbox[0].body, "Сегодня ничего не записано. Ответьте, на что вы потратили."
        )
        self.assertEqual(self.tick(at("2026-12-03 11:01")), 0)  # claimed already
        self.assertEqual(self.tick(at("2026-12-03 21:00")), 1)
        self.assertEqual(self.reminders()[1], ("london", "2026-12-03", "sent"))
        self.assertEqual(mail.outbox[1].body, "Nothing recorded today. Reply with what you spent.")
        self.assertEqual(len(mail.outbox), 2)

    def test_a_late_worker_still_reminds_within_the_hour(self) -> None:
        self.assertEqual(self.tick(at("2026-12-03 11:59")), 1)
        self.assertEqual(self.tick(at("2026-12-03 12:00")), 0)

    def test_a_reminder_past_midnight_belongs_to_the_day_it_was_due(self) -> None:
        NotificationSettings.objects.filter(user=self.london).update(reminder_time=time(23, 30))
        self.assertEqual(self.tick(at("2026-12-04 00:10")), 1)
        self.assertEqual(self.reminders(), [("london", "2026-12-03", "sent")])

    def test_skipped_on_a_day_with_a_record(self) -> None:
        with time_machine.travel(at("2026-12-03 09:00"), tick=False):
            record_from_text(user=self.vlad, kind="expense", text="кофе 250", source="web")
            run_queued()
        self.tick(at("2026-12-03 11:00"))
        self.assertEqual(self.reminders(), [("vlad", "2026-12-03", "skipped")])
        self.assertEqual(mail.outbox, [])

    def test_a_record_in_the_active_shared_ledger_counts(self) -> None:
        home = ledger_create(user=self.london, name="Home", source="cli")
        Membership.objects.create(ledger=home, user=self.vlad, role=Membership.Role.MEMBER)
        ledgers.ledger_activate(user=self.vlad, ledger=home, source="web")
        with time_machine.travel(at("2026-12-03 09:00"), tick=False):
            # Recorded by another member, into the books Vlad keeps now.
            record_from_text(
                user=self.london, ledger=home, kind="expense", text="кофе 250", source="web"
            )
            run_queued()
        self.tick(at("2026-12-03 11:00"))
        self.assertEqual(self.reminders(), [("vlad", "2026-12-03", "skipped")])
        # London recorded it, but into Home, not the books he keeps (his personal ones).
        self.london.refresh_from_db()
        self.assertEqual(self.london.active_ledger, self.ledger(self.london))
        self.tick(at("2026-12-03 21:00"))
        self.assertEqual(self.reminders()[1], ("london", "2026-12-03", "sent"))

    def test_off_by_default(self) -> None:
        self.tick(at("2026-12-03 18:00"))  # 21:00 in Moscow
        self.assertFalse(Notification.objects.filter(user=self.alice).exists())
        self.assertFalse(NotificationSettings.objects.get(user=self.alice).daily_reminder)


class MonthlyReportTestCase(BaseTestCase):
    def setUp(self) -> None:
        cafe, taxi = self.category(self.alice, "cafe"), self.category(self.alice, "transport")
        salary = self.category(self.alice, "salary")
        with time_machine.travel(at("2026-11-15 09:00"), tick=False):
            budget_item_set(
                user=self.alice,
                month=date(2026, 11, 1),
                category=cafe,
                planned_amount=Decimal("10000"),
                source="web",
            )
            for category, amount, day in [
                (salary, "100000", date(2026, 11, 5)),
                (cafe, "8200", date(2026, 11, 10)),
                (taxi, "3000", date(2026, 11, 12)),
                (cafe, "1000", date(2026, 10, 10)),
                (taxi, "500", date(2026, 10, 12)),
            ]:
                transaction_create(
                    user=self.alice,
                    kind=category.kind,
                    amount=Decimal(amount),
                    currency="RUB",
                    category=category,
                    date=day,
                    source="web",
                )
            run_queued(include_later=True)  # the first plan's second look too
        Notification.objects.all().delete()
        mail.outbox.clear()

    def test_on_the_first_at_the_chosen_time(self) -> None:
        # Alice is in Moscow (UTC+3): 10:00 on the 1st is 07:00 UTC.
        for now, expected in [
            (at("2026-11-30 07:00"), 0),
            (at("2026-12-01 06:59"), 0),
            (at("2026-12-01 07:00"), 1),
            (at("2026-12-01 15:00"), 1),  # 10:00 in New York: Bob's
        ]:
            with self.subTest(now=now), time_machine.travel(now, tick=False):
                self.assertEqual(schedule.schedule_due(now=now), expected)
                run_queued()
        (report,) = Notification.objects.filter(kind=Kind.MONTHLY_REPORT, user=self.alice)
        self.assertEqual((report.period, report.status), ("2026-11", "sent"))
        self.assertEqual(
            report.text.replace("\xa0", " "),
            "\n".join(
                [
                    "Копилка: ноябрь 2026",
                    "Доходы: 100 000 ₽",
                    "Расходы: 11 200 ₽",
                    "Баланс: 88 800 ₽",
                    "",
                    "По плану:",
                    "• Кафе и рестораны: 8 200 ₽ из 10 000 ₽ (82 %)",
                    "",
                    "Больше всего изменилось с месяца «октябрь 2026»:",
                    "• Кафе и рестораны: +7 200 ₽",
                    "• Транспорт: +2 500 ₽",
                ]
            ),
        )
        self.assertEqual(mail.outbox[0].subject, "Копилка: отчёт за месяц")

    def test_the_report_is_of_the_active_ledger(self) -> None:
        home = ledger_create(user=self.alice, name="Home", source="cli")
        with time_machine.travel(at("2026-11-20 09:00"), tick=False):
            transaction_create(
                user=self.alice,
                ledger=home,
                kind="expense",
                amount=Decimal("777"),
                currency="RUB",
                category=Category.objects.get(ledger=home, slug="cafe"),
                date=date(2026, 11, 20),
                source="web",
            )
        ledgers.ledger_activate(user=self.alice, ledger=home, source="web")
        now = at("2026-12-01 07:00")
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
            run_queued()
        (report,) = Notification.objects.filter(kind=Kind.MONTHLY_REPORT, user=self.alice)
        self.assertIn("Расходы: 777 ₽", report.text.replace("\xa0", " "))
        self.assertNotIn("Доходы: 100 000 ₽", report.text.replace("\xa0", " "))


@time_machine.travel(at("2026-12-10 12:00"), tick=False)
class TokenExpiryTestCase(BaseTestCase):
    def test_seven_days_before_once_with_a_link(self) -> None:
        now = timezone.now()
        soon = api_token_create(
            user=self.alice,
            name="gemini",
            scopes=["summaries:read"],
            expires_at=now + timedelta(days=6),
            source="cli",
        )
        api_token_create(
            user=self.alice,
            name="later",
            scopes=["summaries:read"],
            expires_at=now + timedelta(days=30),
            source="cli",
        )
        self.assertEqual(schedule.schedule_due(now=now), 1)
        self.assertEqual(schedule.schedule_due(now=now + timedelta(minutes=1)), 0)
        run_queued()
        (notice,) = Notification.objects.filter(kind=Kind.TOKEN_EXPIRY)
        self.assertEqual((notice.subject, notice.status), (f"token:{soon.token.pk}", "sent"))
        self.assertIn("Токен бота «gemini» истекает", notice.text)
        self.assertIn("/tokens/", notice.text)

    def test_none_for_a_rotated_token(self) -> None:
        from accounts.services import api_token_rotate

        now = timezone.now()
        old = api_token_create(
            user=self.alice,
            name="gemini",
            scopes=["summaries:read"],
            expires_at=now + timedelta(days=6),
            source="cli",
        )
        api_token_rotate(token=old.token, expires_at=now + timedelta(days=90), source="cli")
        self.assertEqual(schedule.schedule_due(now=now), 0)
        self.assertEqual(queued("notifications.deliver"), [])


class ReportSuggestionsTestCase(BaseTestCase):
    def test_the_report_offers_what_the_history_repeats(self) -> None:
        subscriptions = self.category(self.alice, "subscriptions")
        for month in (9, 10, 11):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("799"),
                currency="RUB",
                category=subscriptions,
                date=date(2026, month, 14),
                note="Netflix",
                source="web",
            )
        now = at("2026-12-01 07:00")
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
            run_queued()
        report = Notification.objects.get(kind=Kind.MONTHLY_REPORT, user=self.alice)
        self.assertTrue(
            report.text.replace("\xa0", " ").endswith(
                "\n\nРегулярные платежи, найденные в истории (добавьте их в кабинете, в разделе"
                " «Регулярные платежи»):\n• Netflix · 799 ₽ · ежемесячно, 14-го числа"
            ),
            report.text,
        )
