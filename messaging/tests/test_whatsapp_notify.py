"""What Kopilka starts on WhatsApp: free-form inside the 24-hour window, the approved
template outside it, 63016 falling back to the template, and what ends a link. Twilio's
REST API is faked at the HTTP boundary with `responses` (the twilio package uses requests)."""

import json
from datetime import timedelta
from urllib.parse import parse_qs

import responses
import time_machine
from django.test import override_settings
from django.utils import timezone

from messaging import outbound
from messaging.inbox import conversation_touch
from messaging.models import Channel, Message, UserContact
from messaging.tests.whatsapp import (
    ACCOUNT_SID,
    MESSAGES_URL,
    PUBLIC_URL,
    STATUS,
    WhatsAppTestCase,
    message_sid,
    twilio_error,
    twilio_message,
)
from messaging.transports import TransportError, WhatsApp

TEMPLATES = {
    ("reminder", "ru"): "HX" + "1" * 32,
    ("reminder", "en"): "HX" + "2" * 32,
    ("alert", "ru"): "",
    ("alert", "en"): "HX" + "3" * 32,
    ("report", "ru"): "",
    ("report", "en"): "",
}
REMINDER = outbound.Template("reminder", {"1": "Alice"})


def sent(call: responses.Call) -> dict[str, str]:
    form = parse_qs(str(call.request.body))
    return {k: v[0] for k, v in form.items()}


@override_settings(TWILIO_TEMPLATES=TEMPLATES)
class WhatsAppNotifyTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link_alice()
        self.conversation = conversation_touch(
            user=self.alice, channel=Channel.WHATSAPP, chat_id=self.contact.chat_id
        )

    def wrote(self, ago: timedelta) -> None:
        Message.objects.create(
            conversation=self.conversation,
            direction=Message.Direction.IN,
            text="кофе 250",
            created_at=timezone.now() - ago,
        )

    def answer(self, body: str = "") -> str:
        sid = message_sid()
        responses.add(
            responses.POST,
            MESSAGES_URL,
            json=twilio_message(sid, self.contact.chat_id, body),
            status=201,
        )
        return sid

    def refuse(self, code: int, message: str, status: int = 400) -> None:
        responses.add(
            responses.POST, MESSAGES_URL, json=twilio_error(code, message, status), status=status
        )

    @responses.activate
    def test_inside_the_window_it_sends_the_text(self) -> None:
        self.wrote(timedelta(hours=23))
        sid = self.answer("Не забудьте записать расходы")
        message = outbound.notify(
            contact=self.contact, text="Не забудьте записать расходы", template=REMINDER
        )
        (call,) = responses.calls
        form = sent(call)
        self.assertEqual(form["To"], "whatsapp:+79161234567")
        self.assertEqual(form["From"], "whatsapp:+14155238886")
        self.assertEqual(form["Body"], "Не забудьте записать расходы")
        self.assertNotIn("ContentSid", form)
        self.assertEqual(form["StatusCallback"], PUBLIC_URL + STATUS)
        self.assertIn("Basic ", call.request.headers["Authorization"])
        self.assertEqual(message.external_id, sid)
        self.assertEqual(message.direction, Message.Direction.OUT)
        self.assertEqual(message.result["sent_as"], "text")
        self.assertEqual(message.conversation, self.conversation)

    @responses.activate
    def test_outside_the_window_it_sends_the_template(self) -> None:
        self.wrote(timedelta(hours=25))
        sid = self.answer()
        message = outbound.notify(contact=self.contact, text="Не забудьте", template=REMINDER)
        (call,) = responses.calls
        form = sent(call)
        self.assertEqual(form["ContentSid"], TEMPLATES[("reminder", "ru")])
        self.assertEqual(json.loads(form["ContentVariables"]), {"1": "Alice"})
        self.assertNotIn("Body", form)
        self.assertEqual(message.external_id, sid)
        self.assertEqual(message.result["sent_as"], "template")

    @responses.activate
    def test_a_person_who_never_wrote_gets_the_template(self) -> None:
        self.answer()
        outbound.notify(contact=self.contact, text="Не забудьте", template=REMINDER)
        self.assertIn("ContentSid", sent(responses.calls[0]))

    @responses.activate
    def test_the_template_is_in_the_persons_language_or_the_other(self) -> None:
        self.contact.language = "en"
        self.contact.save(update_fields=["language"])
        self.answer()
        outbound.notify(contact=self.contact, text="Spent too much", template=REMINDER)
        self.assertEqual(sent(responses.calls[0])["ContentSid"], TEMPLATES[("reminder", "en")])
        self.contact.language = "ru"
        self.contact.save(update_fields=["language"])
        self.answer()
        outbound.notify(
            contact=self.contact, text="Перерасход", template=outbound.Template("alert")
        )
        self.assertEqual(sent(responses.calls[1])["ContentSid"], TEMPLATES[("alert", "en")])

    @responses.activate
    def test_63016_falls_back_to_the_template(self) -> None:
        self.wrote(timedelta(hours=1))
        self.refuse(
            63016,
            "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.",
        )
        sid = self.answer()
        message = outbound.notify(contact=self.contact, text="Не забудьте", template=REMINDER)
        first, second = responses.calls
        self.assertIn("Body", sent(first))
        self.assertEqual(sent(second)["ContentSid"], TEMPLATES[("reminder", "ru")])
        self.assertEqual(message.external_id, sid)
        self.assertEqual(message.result["sent_as"], "template")
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)

    @responses.activate
    def test_a_permanent_error_about_the_person_ends_the_link(self) -> None:
        self.wrote(timedelta(hours=1))
        self.refuse(63024, "Invalid message recipient")
        with self.assertRaises(TransportError) as caught:
            outbound.notify(contact=self.contact, text="Не забудьте", template=REMINDER)
        self.assertTrue(caught.exception.permanent)
        self.assertEqual(caught.exception.code, "63024")
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)
        self.assertEqual(self.contact.inactive_reason, UserContact.InactiveReason.BLOCKED)
        self.assertFalse(Message.objects.filter(direction=Message.Direction.OUT).exists())

    @responses.activate
    def test_errors_about_this_server_or_passing_ones_keep_the_link(self) -> None:
        self.wrote(timedelta(hours=1))
        cases = [
            (20003, "Authenticate", 401),
            (21606, "The From phone number is not a valid, SMS-capable inbound phone number", 400),
            (20429, "Too Many Requests", 429),
            (20500, "Internal Server Error", 500),
        ]
        for code, text, status in cases:
            with self.subTest(code):
                responses.reset()
                self.refuse(code, text, status)
                with self.assertRaises(TransportError) as caught:
                    outbound.notify(contact=self.contact, text="Не забудьте", template=REMINDER)
                self.assertEqual(caught.exception.permanent, status not in {429, 500})
                self.contact.refresh_from_db()
                self.assertTrue(self.contact.is_active)

    @responses.activate
    def test_outside_the_window_without_a_template_it_fails_and_keeps_the_link(self) -> None:
        with self.assertRaises(TransportError) as caught:
            outbound.notify(
                contact=self.contact, text="Отчёт", template=outbound.Template("report")
            )
        self.assertEqual(caught.exception.code, "no_template")
        self.assertEqual(len(responses.calls), 0)
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)

    @override_settings(TWILIO_AUTH_TOKEN="")
    def test_it_is_off_without_credentials(self) -> None:
        with self.assertRaises(TransportError) as caught:
            WhatsApp().send(chat_id=self.contact.chat_id, text="x")
        self.assertEqual(caught.exception.code, "disabled")

    @responses.activate
    def test_a_long_text_goes_in_pieces(self) -> None:
        self.wrote(timedelta(hours=1))
        self.answer()
        self.answer()
        text = "\n".join("строка " + "x" * 90 for _ in range(20))
        outbound.notify(contact=self.contact, text=text, template=REMINDER)
        bodies = [sent(c)["Body"] for c in responses.calls]
        self.assertEqual(len(bodies), 2)
        self.assertTrue(all(len(b) <= 1600 for b in bodies))

    @responses.activate
    def test_the_window_is_24_hours_from_the_last_inbound_message(self) -> None:
        self.wrote(timedelta(hours=0))
        self.answer()
        self.answer()
        outbound.notify(contact=self.contact, text="a", template=REMINDER)
        with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
            outbound.notify(contact=self.contact, text="b", template=REMINDER)
        self.assertIn("Body", sent(responses.calls[0]))
        self.assertIn("ContentSid", sent(responses.calls[1]))


@override_settings(TWILIO_TEMPLATES=TEMPLATES)
class WhatsAppStatusCallbackTestCase(WhatsAppTestCase):
    """Twilio usually accepts a free-form message and reports 63016 later, here."""

    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link_alice()
        conversation = conversation_touch(
            user=self.alice, channel=Channel.WHATSAPP, chat_id=self.contact.chat_id
        )
        self.sid = message_sid()
        self.message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.OUT,
            text="Не забудьте",
            external_id=self.sid,
            action="notify_reminder",
            result={"sent_as": "text", "purpose": "reminder", "variables": {"1": "Alice"}},
        )

    def status(self, status: str, code: str = "") -> dict[str, str]:
        form = {
            "MessageSid": self.sid,
            "SmsSid": self.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": ACCOUNT_SID,
            "From": "whatsapp:+14155238886",
            "To": self.contact.chat_id,
            "ApiVersion": "2010-04-01",
            "ChannelPrefix": "whatsapp",
        }
        if code:
            form["ErrorCode"] = code
        return form

    @responses.activate
    def test_a_63016_failure_is_sent_again_as_the_template(self) -> None:
        new_sid = message_sid()
        responses.add(
            responses.POST,
            MESSAGES_URL,
            json=twilio_message(new_sid, self.contact.chat_id),
            status=201,
        )
        response = self.post(self.status("failed", "63016"), path=STATUS)
        self.assertEqual(response.status_code, 204)
        (call,) = responses.calls
        self.assertEqual(sent(call)["ContentSid"], TEMPLATES[("reminder", "ru")])
        self.message.refresh_from_db()
        self.assertEqual(self.message.external_id, new_sid)
        self.assertEqual(self.message.result["sent_as"], "template")
        # The same callback again does nothing more.
        self.post(self.status("failed", "63016"), path=STATUS)
        self.assertEqual(len(responses.calls), 1)

    @responses.activate
    def test_an_undeliverable_number_ends_the_link(self) -> None:
        self.post(self.status("undelivered", "63024"), path=STATUS)
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)
        self.assertEqual(len(responses.calls), 0)

    @responses.activate
    def test_other_statuses_change_nothing(self) -> None:
        cases = [
            ("sent", ""),
            ("delivered", ""),
            ("read", ""),
            ("failed", "63007"),
            ("failed", "30008"),
        ]
        for status, code in cases:
            with self.subTest(status):
                self.assertEqual(self.post(self.status(status, code), path=STATUS).status_code, 204)
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)
        self.assertEqual(len(responses.calls), 0)

    def test_it_needs_the_signature(self) -> None:
        response = self.client.post(STATUS, self.status("failed", "63024"))
        self.assertEqual(response.status_code, 403)
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)
