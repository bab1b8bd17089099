"""Notifications on WhatsApp: the messenger linked last gets them, free-form text inside
the 24-hour window and the approved template outside it, a number that cannot get them
turns WhatsApp off. Twilio's REST API is faked at the HTTP boundary with `responses`
(the twilio package uses requests)."""

import json
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import responses
import respx
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.services import api_token_create
from finance.services.transactions import transaction_create
from messaging.inbox import conversation_touch
from messaging.models import Channel as MessagingChannel
from messaging.models import Message, UserContact
from messaging.tests.whatsapp import (
    MESSAGES_URL,
    WhatsAppTestCase,
    message_sid,
    twilio_error,
    twilio_message,
)
from notifications import outbox, preferences
from notifications.models import Kind, Notification, NotificationSettings
from notifications.outbox import Claim
from notifications.tests.helpers import clear_limits, queued, run_job, run_queued

TEMPLATES = {
    (purpose, language): f"HX{n:02d}{language}" + "0" * 28
    for n, purpose in enumerate(["reminder", "alert", "report", "token", "test"])
    for language in ("ru", "en")
}
TELEGRAM_API = "https://telegram.test"
URL = "/settings/notifications/"
Status = Notification.Status


def form_of(call: responses.Call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(str(call.request.body)).items()}


@override_settings(
    TWILIO_TEMPLATES=TEMPLATES,
    TELEGRAM_API_URL=TELEGRAM_API,
    TELEGRAM_BOT_TOKEN="123:secret",
    TELEGRAM_CHAT_INTERVAL_MS=20,
)
class WhatsAppNotificationsTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        clear_limits()
        self.contact = self.link_alice()

    def wrote(self, ago: timedelta) -> None:
        """Alice wrote to the WhatsApp number `ago`: the window is open for 24 hours."""
        conversation = conversation_touch(
            user=self.alice, channel=MessagingChannel.WHATSAPP, chat_id=self.contact.chat_id
        )
        Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.IN,
            text="кофе 250",
            created_at=timezone.now() - ago,
        )

    def accept(self) -> str:
        sid = message_sid()
        responses.add(
            responses.POST, MESSAGES_URL, json=twilio_message(sid, self.contact.chat_id), status=201
        )
        return sid

    def refuse(self, code: int, message: str, status: int = 400) -> None:
        responses.add(
            responses.POST, MESSAGES_URL, json=twilio_error(code, message, status), status=status
        )

    def deliver(self, kind: str, period: str, subject: str = "", text: str = "") -> Notification:
        (pk,) = outbox.claim_and_defer(
            kind=kind, claims=[Claim(self.alice.pk, period, subject, text)]
        )
        run_queued()
        return Notification.objects.get(pk=pk)

    def alert(self) -> Notification:
        return self.deliver(
            Kind.BUDGET_ALERT,
            "2026-12",
            "ledger:1:category:2:80",
            "Кафе и рестораны: 8 200 ₽ из 10 000 ₽ (82 %), осталось 1 800 ₽ на 9 дней",
        )

    @respx.mock
    @responses.activate
    def test_the_messenger_linked_last_gets_it_by_default(self) -> None:
        telegram = respx.post(f"{TELEGRAM_API}/bot123:secret/sendMessage")
        # Telegram was linked a day before WhatsApp.
        UserContact.objects.create(
            user=self.alice,
            channel=MessagingChannel.TELEGRAM,
            telegram_id=4242,
            chat_id="4242",
            linked_at=self.contact.linked_at - timedelta(days=1),
        )
        sid = self.accept()
        notification = self.alert()
        self.assertEqual((notification.status, notification.channel), ("sent", "whatsapp"))
        (call,) = responses.calls
        self.assertEqual(form_of(call)["To"], "whatsapp:+79161234567")
        self.assertFalse(telegram.called)
        self.assertEqual(mail.outbox, [])
        out = Message.objects.get(direction=Message.Direction.OUT)
        self.assertEqual((out.external_id, out.action), (sid, "notify_alert"))

    def test_a_telegram_linked_after_whatsapp_comes_first(self) -> None:
        UserContact.objects.create(
            user=self.alice,
            channel=MessagingChannel.TELEGRAM,
            telegram_id=4242,
            chat_id="4242",
            linked_at=self.contact.linked_at + timedelta(minutes=1),
        )
        prefs = preferences.settings_for(user=self.alice)
        self.assertEqual(preferences.available_channels(prefs), ["telegram", "whatsapp", "email"])
        self.assertEqual(preferences.contact_for(prefs), preferences.reachable(prefs)[0])
        self.assertEqual(preferences.reachable(prefs)[0].address, "4242")

    @responses.activate
    def test_inside_the_window_it_is_the_text(self) -> None:
        self.wrote(timedelta(hours=2))
        self.accept()
        notification = self.alert()
        self.assertEqual(notification.status, "sent")
        form = form_of(responses.calls[0])
        self.assertEqual(form["Body"], notification.text)
        self.assertNotIn("ContentSid", form)

    @responses.activate
    def test_outside_the_window_the_alert_is_its_template(self) -> None:
        self.wrote(timedelta(hours=25))
        self.accept()
        notification = self.alert()
        self.assertEqual(notification.status, "sent")
        form = form_of(responses.calls[0])
        self.assertNotIn("Body", form)
        self.assertEqual(form["ContentSid"], TEMPLATES[("alert", "ru")])
        self.assertEqual(json.loads(form["ContentVariables"]), {"1": notification.text})

    @responses.activate
    @time_machine.travel("2026-12-01 18:00Z", tick=False)
    def test_each_kind_has_its_template(self) -> None:
        self.alice.first_name = "Алиса"
        self.alice.save(update_fields=["first_name"])
        prefs = preferences.settings_for(user=self.alice)
        NotificationSettings.objects.filter(pk=prefs.pk).update(daily_reminder=True)
        with time_machine.travel("2026-11-05 12:00Z", tick=False):  # nothing recorded today
            transaction_create(
                user=self.alice,
                kind="income",
                amount=Decimal("100000"),
                currency="RUB",
                category=self.category(self.alice, "salary"),
                date=date(2026, 11, 5),
                source="web",
            )
            run_queued()
        token = api_token_create(
            user=self.alice,
            name="gemini",
            scopes=["summaries:read"],
            expires_at=timezone.now() + timedelta(days=6),
            source="cli",
        ).token
        for _ in range(4):
            self.accept()
        sent = [
            self.deliver(Kind.DAILY_REMINDER, "2026-12-01"),
            self.deliver(Kind.MONTHLY_REPORT, "2026-11"),
            self.deliver(Kind.TOKEN_EXPIRY, "2026-12-07", f"token:{token.pk}"),
            outbox.send_test(user=self.alice),
        ]
        run_queued()
        for notification in sent:
            notification.refresh_from_db()
            self.assertEqual((notification.status, notification.channel), ("sent", "whatsapp"))
        forms = [form_of(c) for c in responses.calls]
        self.assertEqual(
            [f["ContentSid"] for f in forms],
            [TEMPLATES[(p, "ru")] for p in ["reminder", "report", "token", "test"]],
        )
        variables = [json.loads(f.get("ContentVariables", "{}")) for f in forms]
        self.assertEqual(variables[0], {"1": "Алиса"})
        self.assertEqual(
            {k: v.replace("\xa0", " ") for k, v in variables[1].items()},
            {"1": "ноябрь 2026", "2": "доходы 100 000 ₽, расходы 0 ₽, баланс 100 000 ₽"},
        )
        self.assertEqual(variables[2]["1"], "gemini")
        self.assertEqual(variables[2]["2"], "7 декабря 2026\u202fг.")
        self.assertTrue(variables[2]["3"].endswith("/tokens/"))
        self.assertEqual(variables[3], {})
        for value in [v for vs in variables for v in vs.values()]:
            self.assertNotIn("\n", value)

    @responses.activate
    def test_a_number_that_cannot_get_it_turns_whatsapp_off(self) -> None:
        self.wrote(timedelta(hours=1))
        self.refuse(63024, "Invalid message recipient")
        notification = self.alert()
        self.assertEqual((notification.status, notification.channel), ("failed", "whatsapp"))
        self.assertEqual(
            notification.error, "WhatsApp: 63024 Unable to create record: Invalid message recipient"
        )
        prefs = NotificationSettings.objects.get(user=self.alice)
        self.assertEqual(
            prefs.whatsapp_disabled,
            "WhatsApp: 63024 Unable to create record: Invalid message recipient",
        )
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)
        self.assertEqual(queued(), [])
        # The cabinet says why; the next message goes by e-mail.
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(URL),
            "WhatsApp отключён: WhatsApp: 63024 Unable to create record: Invalid message recipient",
        )
        again = outbox.send_test(user=self.alice)
        run_queued()
        again.refresh_from_db()
        self.assertEqual((again.status, again.channel), ("sent", "email"))
        self.assertEqual(len(responses.calls), 1)

    @responses.activate
    def test_a_temporary_failure_is_retried(self) -> None:
        self.wrote(timedelta(hours=1))
        self.refuse(20500, "Internal Server Error", 500)
        before = timezone.now()
        notification = self.alert()
        self.assertEqual((notification.status, notification.attempts), ("retry", 1))
        self.assertEqual(
            notification.error, "WhatsApp: 20500 Unable to create record: Internal Server Error"
        )
        (job,) = queued("notifications.deliver")
        self.assertGreaterEqual(job["scheduled_at"] - before, timedelta(seconds=15))
        self.accept()
        run_job(job)
        notification.refresh_from_db()
        self.assertEqual((notification.status, notification.attempts), ("sent", 2))
        self.assertEqual(len(responses.calls), 2)
        self.assertEqual(NotificationSettings.objects.get(user=self.alice).whatsapp_disabled, "")

    @responses.activate
    def test_this_servers_setup_errors_do_not_turn_it_off(self) -> None:
        self.wrote(timedelta(hours=1))
        self.refuse(20003, "Authenticate", 401)
        notification = self.alert()
        self.assertEqual(notification.status, "retry")
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)
        self.assertEqual(NotificationSettings.objects.get(user=self.alice).whatsapp_disabled, "")

    @responses.activate
    @override_settings(TWILIO_TEMPLATES={})
    def test_outside_the_window_without_a_template_it_waits_for_the_person(self) -> None:
        notification = self.alert()
        self.assertEqual(notification.status, "retry")
        self.assertIn("TWILIO_TEMPLATE_ALERT_* is not set", notification.error)
        self.assertEqual(len(responses.calls), 0)
        # The person writes within the hour: the retry goes as text.
        self.wrote(timedelta(minutes=1))
        self.accept()
        run_queued(include_later=True)
        notification.refresh_from_db()
        self.assertEqual(notification.status, "sent")
        self.assertEqual(form_of(responses.calls[0])["Body"], notification.text)

    @responses.activate
    def test_the_settings_page_offers_it_and_its_test_button_sends_to_it(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(URL)
        self.assertContains(response, "Сейчас: WhatsApp.")
        self.assertIn(("whatsapp", "WhatsApp"), response.context["form"].fields["channel"].choices)
        response = self.client.post(
            URL,
            {"thresholds": "80, 100", "report_time": "10:00", "reminder_time": "21:00"}
            | {"channel": "whatsapp", "budget_alerts": "on"},
        )
        self.assertRedirects(response, URL)
        self.assertEqual(NotificationSettings.objects.get(user=self.alice).channel, "whatsapp")
        self.accept()
        self.assertRedirects(self.client.post(URL + "test/"), URL)
        run_queued()
        (test,) = Notification.objects.filter(kind=Kind.TEST)
        self.assertEqual((test.status, test.channel), ("sent", "whatsapp"))
        self.assertEqual(form_of(responses.calls[0])["ContentSid"], TEMPLATES[("test", "ru")])
        self.assertContains(self.client.get(URL), "WhatsApp")

    def test_the_page_offers_whatsapp_only_with_a_linked_number(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(URL)
        values = [value for value, _label in response.context["form"].fields["channel"].choices]
        self.assertEqual(values, ["", "telegram", "email"])
        response = self.client.post(
            URL,
            {"thresholds": "80", "report_time": "10:00", "reminder_time": "21:00"}
            | {"channel": "whatsapp"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("channel", response.context["form"].errors)
        self.assertEqual(NotificationSettings.objects.get(user=self.bob).channel, "")

    @responses.activate
    def test_choosing_it_again_after_relinking_turns_it_back_on(self) -> None:
        prefs = preferences.settings_for(user=self.alice)
        NotificationSettings.objects.filter(pk=prefs.pk).update(
            channel="whatsapp", whatsapp_disabled="WhatsApp: 63024 Invalid message recipient"
        )
        prefs.refresh_from_db()
        self.assertEqual(preferences.contact_for(prefs).channel, "email")  # type: ignore[union-attr]
        preferences.settings_update(
            user=self.alice,
            budget_alerts=True,
            daily_reminder=False,
            monthly_report=True,
            token_expiry=True,
            channel="whatsapp",
            reminder_time=prefs.reminder_time,
            report_time=prefs.report_time,
            thresholds=[80, 100],
        )
        prefs.refresh_from_db()
        self.assertEqual(prefs.whatsapp_disabled, "")
        self.assertEqual(preferences.contact_for(prefs).channel, "whatsapp")  # type: ignore[union-attr]
