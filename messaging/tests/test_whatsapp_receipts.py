"""A photo of a receipt sent on WhatsApp: Twilio's MediaUrl0, fetched with the account's
credentials from the queue, becomes the right expense once; the answer goes out by
Twilio's API (the webhook's TwiML is empty)."""

import base64
import datetime as dt
import json
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import responses
import respx
from django.utils import timezone, translation

from core.i18n import day_text
from finance.models import Transaction
from finance.tests.receipt_photos import photo_of
from messaging.chat import receipts
from messaging.models import Message
from messaging.tests.receipts import QR, REFUND
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
from notifications.tests.helpers import queued, run_queued

# The receipts' day as the chat says it (the year only when it is not this year's).
with translation.override("ru"):
    DAY = day_text(dt.date(2026, 11, 24), timezone.localdate())

MEDIA = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME"
CDN = f"https://mms.twiliocdn.com/{ACCOUNT_SID}/f1c0ffee"


class WhatsAppReceiptTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link_alice()
        self.media = respx.mock(assert_all_called=False)
        self.media.start()
        self.addCleanup(self.media.stop)
        self.twilio = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.twilio.start()
        self.addCleanup(self.twilio.stop)
        self.addCleanup(self.twilio.reset)
        self.twilio.add_callback(responses.POST, MESSAGES_URL, callback=self._created)

    def _created(self, request: object) -> tuple[int, dict[str, str], str]:
        form = {k: v[0] for k, v in parse_qs(str(request.body)).items()}  # type: ignore[attr-defined]
        return 201, {}, json.dumps(twilio_message(message_sid(), form["To"], form.get("Body", "")))

    def sent(self) -> list[str]:
        return [
            parse_qs(str(call.request.body))["Body"][0].replace("\xa0", " ")
            for call in self.twilio.calls
        ]

    def serve(self, n: int, data: bytes) -> str:
        """Twilio's media URL for `data`: it redirects to its storage, as Twilio does."""
        url = f"{MEDIA}{n:032d}"
        self.media.get(url).respond(307, headers={"Location": f"{CDN}/{n}"})
        self.media.get(f"{CDN}/{n}").respond(
            200, content=data, headers={"Content-Type": "image/jpeg"}
        )
        return url

    def send_photo(self, url: str, caption: str = "") -> None:
        form = inbound_form(
            caption,
            NumMedia="1",
            MessageType="image",
            MediaContentType0="image/jpeg",
            MediaUrl0=url,
        )
        response = self.post(form)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(replies(response.content.decode()), [])  # the queue answers

    def test_a_photo_with_a_caption_becomes_the_expense_once(self) -> None:
        self.send_photo(self.serve(1, photo_of(QR)), "аптека")
        self.assertEqual(len(queued(receipts.PHOTO_TASK)), 1)
        self.assertFalse(self.media.calls)  # nothing fetched by the webhook
        run_queued(include_later=True)
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.kind, tx.amount, str(tx.date), tx.category.slug, tx.source),
            ("expense", Decimal("1250.00"), "2026-11-24", "health", "whatsapp"),
        )
        (reply,) = self.sent()
        self.assertTrue(reply.startswith(f"Записал: 1 250,00 ₽ · Здоровье · {DAY}"), reply)
        self.assertIn("Ответьте «отмена», чтобы удалить", reply)
        # Twilio was asked with the account's credentials; its storage was not given them.
        first, redirected = self.media.calls
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        self.assertEqual(first.request.headers["Authorization"], expected)
        self.assertNotIn("Authorization", redirected.request.headers)
        self.assertTrue(Message.objects.filter(direction="out", external_id__startswith="SM"))

        self.send_photo(self.serve(2, photo_of(QR, difficulty="plain")))
        run_queued(include_later=True)
        self.assertEqual(self.sent()[-1], f"Этот чек уже записан: 1 250,00 ₽ · Здоровье · {DAY}")
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_refund(self) -> None:
        self.send_photo(self.serve(3, photo_of(REFUND)))
        run_queued(include_later=True)
        tx = Transaction.objects.get()
        self.assertEqual((tx.kind, tx.category.slug), ("refund", "other"))
        self.assertTrue(self.sent()[-1].startswith("Записал: возврат · 450,00 ₽ · Прочее"))
        self.assertIn("«категория»", self.sent()[-1])  # the category buttons, in words

    def test_a_media_url_that_is_not_twilios_is_not_fetched(self) -> None:
        self.send_photo("https://evil.example/steal")
        run_queued(include_later=True)
        self.assertEqual(self.media.calls.call_count, 0)
        self.assertEqual(self.sent(), ["Не получилось скачать фото: пришлите его ещё раз."])

    def test_other_media_are_not_understood(self) -> None:
        form = inbound_form(
            "",
            NumMedia="1",
            MessageType="video",
            MediaContentType0="video/mp4",
            MediaUrl0=MEDIA + "9",
        )
        (reply,) = replies(self.post(form).content.decode())
        self.assertIn("фото чеков", reply)
        self.assertEqual(queued(receipts.PHOTO_TASK), [])

    def test_a_slow_download_is_tried_again(self) -> None:
        url = f"{MEDIA}{4:032d}"
        route = self.media.get(url)
        route.side_effect = [httpx.ReadTimeout("slow"), httpx.Response(200, content=photo_of(QR))]
        self.send_photo(url)
        results = run_queued(include_later=True)
        self.assertEqual(
            [r for task, r in results if task == receipts.PHOTO_TASK], ["retry", "answered"]
        )
        self.assertEqual(Transaction.objects.count(), 1)
