"""Voice messages on WhatsApp: Twilio posts an audio message (`MediaContentType0`
audio/ogg), the webhook answers at once with empty TwiML, the queue's job fetches the
media with the account's credentials, has it transcribed and sends the answer through
Twilio's REST API (faked with `responses`; media and the speech service with respx)."""

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import responses
import respx
from django.db import connection
from django.test import override_settings

from finance.models import Transaction
from messaging import whatsapp
from messaging.models import Message
from messaging.tests.voice import (
    SPEECH_SETTINGS,
    TRANSCRIPTIONS,
    hear_jobs,
    multipart_fields,
    ogg_bytes,
    transcript,
)
from messaging.tests.whatsapp import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGES_URL,
    WhatsAppTestCase,
    inbound_form,
    message_sid,
    replies,
    twilio_message,
)

CDN = "https://mms.twiliocdn.com/media/voice-note"


def audio_form(**extra: str) -> dict[str, str]:
    """An inbound WhatsApp voice note as Twilio posts it."""
    sid = message_sid("MM")
    media = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media/ME1"
    fields = {
        "NumMedia": "1",
        "MessageType": "audio",
        "MediaContentType0": "audio/ogg",
        "MediaUrl0": media,
        **extra,
    }
    return inbound_form("", sid=sid, **fields)


@override_settings(**SPEECH_SETTINGS)
class WhatsAppVoiceTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mock = respx.mock(assert_all_called=False)
        self.mock.start()
        self.addCleanup(self.mock.stop)
        self.audio = ogg_bytes()
        # Twilio's media URL redirects to its storage, which serves the bytes.
        self.media = self.mock.get(url__startswith="https://api.twilio.com/").respond(
            307, headers={"Location": CDN}
        )
        self.cdn = self.mock.get(CDN).mock(
            side_effect=lambda request: httpx.Response(
                200, content=self.audio, headers={"Content-Type": "audio/ogg"}
            )
        )
        self.stt = self.mock.post(TRANSCRIPTIONS).mock(return_value=transcript("кофе 250"))
        responses.start()
        self.addCleanup(responses.stop)
        self.addCleanup(responses.reset)
        self.sids: list[str] = []

    def answer_sends(self, count: int = 1) -> None:
        for _ in range(count):
            sid = message_sid()
            self.sids.append(sid)
            responses.add(
                responses.POST,
                MESSAGES_URL,
                json=twilio_message(sid, "whatsapp:+79161234567"),
                status=201,
            )

    def sent(self) -> list[dict[str, str]]:
        return [
            {k: v[0] for k, v in parse_qs(str(call.request.body)).items()}
            for call in responses.calls
            if call.request.url == MESSAGES_URL
        ]

    def hear(self, *, last_try: bool = False) -> list[bool]:
        results = []
        for job in hear_jobs():
            results.append(whatsapp.hear(job["args"]["update"], last_try=last_try))
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job["id"]])
        return results

    def post_audio(self, **extra: str) -> Any:
        form = audio_form(**extra)
        response = self.post(form)
        self.assertEqual(response.status_code, 200)
        return form, replies(response.content.decode())

    def test_the_webhook_answers_at_once_and_the_job_records_and_replies(self) -> None:
        self.link_alice()
        form, answered = self.post_audio()
        self.assertEqual(answered, [])
        self.assertFalse(self.media.called or self.stt.called)
        (job,) = hear_jobs()
        self.assertEqual(job["args"], {"channel": "whatsapp", "update": form})

        self.answer_sends()
        self.assertEqual(self.hear(), [True])
        (tx,) = Transaction.objects.all()
        self.assertEqual((tx.amount, tx.category.slug), (Decimal("250.00"), "cafe"))
        (reply,) = self.sent()
        self.assertEqual(reply["To"], "whatsapp:+79161234567")
        self.assertTrue(reply["Body"].startswith("Услышал: «кофе 250»\nЗаписал: 250"), reply)
        self.assertIn("«отмена»", reply["Body"])  # the buttons in plain words, as for text
        # The media was fetched with the account's credentials, the storage without them.
        auth = httpx.BasicAuth(ACCOUNT_SID, AUTH_TOKEN)._auth_header
        self.assertEqual(self.media.calls.last.request.headers["Authorization"], auth)
        self.assertNotIn("Authorization", self.cdn.calls.last.request.headers)
        self.assertEqual(multipart_fields(self.stt.calls.last.request)["file"], self.audio)
        outgoing = Message.objects.get(direction=Message.Direction.OUT)
        self.assertEqual(outgoing.external_id, self.sids[0])

    def test_a_media_file_over_5_mb_is_refused_kindly(self) -> None:
        self.link_alice()
        self.audio = bytes(5 * 1024 * 1024 + 1)
        self.post_audio()
        self.answer_sends()
        self.hear()
        (reply,) = self.sent()
        self.assertIn("длиннее", reply["Body"])
        self.assertFalse(self.stt.called)

    @override_settings(SPEECH_TO_TEXT_URL="")
    def test_without_a_service_the_person_is_asked_to_type(self) -> None:
        self.link_alice()
        _form, answered = self.post_audio()
        self.assertEqual(len(answered), 1)
        self.assertIn("пока не умею слушать", answered[0])
        self.assertEqual(hear_jobs(), [])

    def test_a_failing_service_is_told_after_the_last_try(self) -> None:
        self.link_alice()
        self.post_audio()
        self.stt.mock(return_value=httpx.Response(503))
        self.answer_sends()
        self.hear(last_try=True)
        (reply,) = self.sent()
        self.assertIn("не смог прослушать", reply["Body"])
        self.assertFalse(Transaction.objects.exists())

    def test_an_image_is_not_heard(self) -> None:
        # An image is a receipt's photo to read (messaging.photos), never a voice message.
        self.link_alice()
        self.post_audio(MessageType="image", MediaContentType0="image/jpeg")
        self.assertEqual(hear_jobs(), [])
