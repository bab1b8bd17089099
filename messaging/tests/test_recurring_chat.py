"""Regular payments in the chat: a line that says how often makes a rule, /recurring's
buttons, /today ("сколько можно потратить"), and the undo under a rule's notice."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import responses
import time_machine
from django.test import override_settings

from audit.models import AuditLog
from finance.models import RecurringRule, SuggestionDismissal, Transaction
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create
from messaging.tests.helpers import TelegramTestCase, callback_update
from messaging.tests.whatsapp import MESSAGES_URL, WhatsAppTestCase, replies, twilio_message
from notifications import schedule
from notifications.models import Kind, Notification, NotificationSettings
from notifications.tests.helpers import run_queued

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class RecurringChatTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.link(self.alice)

    def press(self, data: str) -> dict[str, Any]:
        response = self.post(callback_update(data, message_id=self.last_message_id()))
        self.assertEqual(response.status_code, 200)
        answer: dict[str, Any] = json.loads(self.answer_route.calls.last.request.content)
        return answer

    def test_a_line_that_says_how_often_makes_a_rule(self) -> None:
        reply = self.say("каждый месяц 1-го аренда 45000")
        rule = RecurringRule.objects.get()
        self.assertEqual(
            (rule.frequency, rule.day, rule.amount, rule.note, rule.next_date),
            ("monthly", 1, Decimal(45000), "аренда", date(2026, 12, 1)),
        )
        self.assertEqual(
            reply["text"],
            "Регулярный платёж сохранён: аренда · 45\xa0000,00 ₽ · ежемесячно, 1-го числа"
            " · следующий 01.12.2026",
        )
        self.assertEqual(
            [data for _text, data in self.buttons(reply)],
            [f"r:s:{rule.pk}", f"r:p:{rule.pk}", f"r:d:{rule.pk}"],
        )
        self.assertFalse(Transaction.objects.exists())
        row = AuditLog.objects.get(action="create_recurring")
        self.assertEqual((row.source, row.status_code), ("telegram", 201))

    def test_the_other_examples_and_what_stays_a_record(self) -> None:
        self.say("every friday piano lesson 40")
        self.say("ежегодно 15 марта страховка 12000")
        rules = {r.note: r for r in RecurringRule.objects.all()}
        self.assertEqual(
            (rules["piano lesson"].weekday, rules["piano lesson"].amount), (4, Decimal(40))
        )
        self.assertEqual(rules["страховка"].next_date, date(2027, 3, 15))
        self.say("monthly pass 2900")
        self.assertEqual(Transaction.objects.get().amount, Decimal(2900))
        self.assertEqual(RecurringRule.objects.count(), 2)

    def test_a_rule_without_an_amount_is_refused_kindly(self) -> None:
        reply = self.say("каждый месяц аренда")
        self.assertIn("Не понял", reply["text"])
        self.assertFalse(RecurringRule.objects.exists())

    def test_a_day_no_month_has_is_refused_not_read_as_the_amount(self) -> None:
        reply = self.say("каждый месяц 40-го аренда 45000")
        self.assertEqual(
            reply["text"],
            "Не понял: Такого числа в месяце нет: напишите от 1-го до 31-го или «в последний день».",
        )
        self.assertFalse(RecurringRule.objects.exists())
        self.assertFalse(Transaction.objects.exists())

    def test_recurring_lists_with_buttons_that_skip_pause_and_delete(self) -> None:
        self.say("каждый месяц 1-го аренда 45000")
        rule = RecurringRule.objects.get()
        reply = self.say("/recurring")
        self.assertIn("1. аренда · 45\xa0000,00 ₽ · ежемесячно, 1-го числа", reply["text"])
        self.assertEqual(
            [data for _text, data in self.buttons(reply)],
            [f"r:s:{rule.pk}", f"r:p:{rule.pk}", f"r:d:{rule.pk}"],
        )
        self.press(f"r:s:{rule.pk}")
        rule.refresh_from_db()
        self.assertEqual(rule.next_date, date(2027, 1, 1))
        self.press(f"r:p:{rule.pk}")
        rule.refresh_from_db()
        self.assertTrue(rule.paused)
        self.assertEqual(
            self.buttons(self.say("/recurring"))[0], ("1 · Возобновить", f"r:g:{rule.pk}")
        )
        self.press(f"r:g:{rule.pk}")
        rule.refresh_from_db()
        self.assertFalse(rule.paused)
        # Delete asks first.
        self.press(f"r:d:{rule.pk}")
        self.assertEqual(self.buttons(self.last_sent()), [("Да, удалить", f"r:D:{rule.pk}")])
        self.assertTrue(RecurringRule.objects.exists())
        self.press(f"r:D:{rule.pk}")
        self.assertFalse(RecurringRule.objects.exists())
        answer = self.press(f"r:D:{rule.pk}")
        self.assertEqual(answer["text"], "Эта кнопка больше не работает.")

    def test_a_suggestion_is_added_or_dismissed_by_a_button(self) -> None:
        for month in (8, 9, 10, 11):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal(799),
                currency="RUB",
                category=self.category(self.alice, "subscriptions"),
                date=date(2026, month, 14),
                note="Netflix",
                source="web",
            )
        reply = self.say("/recurring")
        self.assertIn("Нашлось в истории", reply["text"])
        self.assertIn("Netflix · 799,00 ₽ · ежемесячно, 14-го числа", reply["text"])
        (add, no) = self.buttons(reply)
        self.assertEqual(add[0], "Добавить «Netflix»")
        self.press(add[1])
        rule = RecurringRule.objects.get()
        self.assertEqual((rule.note, rule.next_date), ("Netflix", date(2026, 12, 14)))
        rule.delete()
        self.press(no[1])
        self.assertTrue(SuggestionDismissal.objects.exists())
        self.assertNotIn("Netflix", self.say("/recurring")["text"])

    def test_today_and_the_question_in_words(self) -> None:
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "groceries"),
            planned_amount=Decimal(11000),
            source="web",
        )
        self.say("каждый месяц 25-го интернет 600")
        for text in ("/today", "сколько можно потратить?", "How much can I spend today"):
            with self.subTest(text=text):
                reply = self.say(text)
                self.assertTrue(
                    reply["text"].startswith(
                        "Сегодня можно потратить 945,45 ₽ и остаться в плане.\n"
                        "Месяц идёт к 600,00 ₽ при плане 11\xa0000,00 ₽; потрачено пока 0,00 ₽."
                    ),
                    reply["text"],
                )
                self.assertIn("25.11.2026 · интернет · 600,00 ₽", reply["text"])

    def test_today_without_a_plan_says_so(self) -> None:
        reply = self.say("/today")
        self.assertTrue(reply["text"].startswith("На этот месяц нет плана"), reply["text"])


class NoticeUndoTestCase(TelegramTestCase):
    """The notice of a date recorded, sent to Telegram, and its "Undo" button pressed."""

    def test_the_notices_button_undoes_the_record(self) -> None:
        self.link(self.alice)
        NotificationSettings.objects.create(user=self.alice, monthly_report=False)
        with time_machine.travel(NOW, tick=False):
            self.say("каждый день обед 300")
            now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
            run_queued()
            # Made on the 20th after nine: the 20th and the 21st.
            notices = Notification.objects.filter(kind=Kind.RECURRING, status="sent")
            self.assertEqual(notices.count(), 2)
            sent = self.last_sent()
            self.assertTrue(sent["text"].startswith("Регулярный платёж записан: обед · 300 ₽"))
            ((label, data),) = self.buttons(sent)
            tx = Transaction.objects.get(date=date(2026, 11, 21))
            self.assertEqual((label, data), ("Отменить", f"u:{tx.pk}"))
            response = self.post(callback_update(data, message_id=self.last_message_id()))
            self.assertEqual(response.status_code, 200)
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())
        self.assertEqual(Transaction.objects.count(), 1)
        # Undone, the date stays claimed: never recorded again.
        with time_machine.travel(now, tick=False):
            schedule.schedule_due(now=now)
        self.assertEqual(Transaction.objects.count(), 1)


@override_settings(TWILIO_TEMPLATES={})
class WhatsAppNoticeUndoTestCase(WhatsAppTestCase):
    @responses.activate
    def test_undo_in_words_takes_back_the_date_told_of(self) -> None:
        sids = iter(f"SM{n:032x}" for n in range(1, 10))

        def created(request: Any) -> tuple[int, dict[str, str], str]:
            form = {k: v[0] for k, v in parse_qs(str(request.body)).items()}
            return 201, {}, json.dumps(twilio_message(next(sids), form["To"], form.get("Body", "")))

        responses.add_callback(responses.POST, MESSAGES_URL, callback=created)
        self.link_alice()
        NotificationSettings.objects.create(user=self.alice, monthly_report=False)
        with time_machine.travel(NOW, tick=False):
            # Inside the 24-hour window: what Alice writes opens it.
            self.say("каждый месяц 20-го связь 500")
            schedule.schedule_due(now=NOW)
            run_queued()
            tx = Transaction.objects.get()
            notice = [c for c in responses.calls if "Body=" in str(c.request.body)][-1]
            body = parse_qs(str(notice.request.body))["Body"][0]
            self.assertIn("Ответьте «отмена», чтобы удалить запись.", body)
            (answer,) = replies(self.say("отмена"))
        self.assertIn("Отменил: 500,00 ₽", answer)
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())
