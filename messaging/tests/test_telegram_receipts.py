"""A photo of a receipt sent to the Telegram bot becomes the right expense or refund,
once: through the webhook and through telegram_poll, answered from the queue."""

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import httpx
from django.core.management import call_command
from django.utils import timezone, translation
from PIL import Image

from botapi.tests.helpers import envelope
from core.i18n import day_text
from finance.models import Receipt, Transaction
from finance.tests.receipt_photos import photo_of
from messaging.chat import receipts
from messaging.models import InboundUpdate, Message
from messaging.tests.helpers import API, STRANGER_TG, TOKEN, api_url, text_update
from messaging.tests.receipts import (
    QR,
    REFUND,
    TelegramFilesTestCase,
    document_update,
    no_receipt,
    photo_update,
)
from messaging.tests.test_groups import CAROL_TG, GROUP, GroupTestCase
from notifications.tests.helpers import queued, run_queued

# The receipts' day as the chat says it (the year only when it is not this year's).
with translation.override("ru"):
    DAY = day_text(dt.date(2026, 11, 24), timezone.localdate())
    REFUND_DAY = day_text(dt.date(2026, 11, 27), timezone.localdate())


def said(payload: dict[str, Any]) -> str:
    """A sendMessage's text with its no-break spaces (between digits) as plain ones."""
    return str(payload["text"]).replace("\xa0", " ")


class TelegramReceiptTestCase(TelegramFilesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)

    def send_photo(self, data: bytes, caption: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Alice sends a photo: the webhook answers at once, fetching and sending nothing."""
        body = photo_update(self.serve(data), caption, **kwargs)
        before = (self.send_route.call_count, self.get_file.call_count)
        response = self.post(body)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual((self.send_route.call_count, self.get_file.call_count), before)
        return body

    def answers(self) -> list[dict[str, Any]]:
        """Run the queue as a worker would; what the bot sent meanwhile."""
        before = self.send_route.call_count
        run_queued(include_later=True)
        return self.sent()[before:]

    def test_a_photo_with_a_caption_becomes_the_expense(self) -> None:
        sent = self.send_photo(photo_of(QR), "продукты")
        self.assertEqual(len(queued(receipts.PHOTO_TASK)), 1)
        self.assertFalse(Transaction.objects.exists())  # not before the job
        (reply,) = self.answers()
        self.assertEqual(said(reply), f"Записал: 1 250,00 ₽ · Продукты · {DAY}")
        photo = sent["message"]
        self.assertEqual(reply["reply_parameters"]["message_id"], photo["message_id"])
        # The largest of the sizes Telegram offered was fetched.
        largest = photo["photo"][-1]["file_id"]
        self.assertEqual(json.loads(self.get_file.calls.last.request.content), {"file_id": largest})
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.kind, tx.amount, tx.currency, str(tx.date), tx.category.slug, tx.source),
            ("expense", Decimal("1250.00"), "RUB", "2026-11-24", "groceries", "telegram"),
        )
        self.assertEqual(tx.receipt.fn, "9282000100072197")
        # The inbox keeps the photo once and the answer, which a reply can correct.
        texts = list(Message.objects.order_by("id").values_list("direction", "text"))
        self.assertEqual(texts[0], ("in", "[фото] продукты"))
        self.assertEqual(len(texts), 2)

    def test_without_a_caption_the_category_buttons_come_at_once(self) -> None:
        self.send_photo(photo_of(QR))
        (reply,) = self.answers()
        self.assertTrue(said(reply).startswith(f"Записал: 1 250,00 ₽ · Прочее · {DAY}"))
        self.assertIn("Какая это категория?", said(reply))
        labels = [label for label, _data in self.buttons(reply)]
        self.assertIn("Продукты", labels)
        self.assertIn("Отменить", labels)

    def test_the_same_receipt_again_is_already_recorded(self) -> None:
        self.send_photo(photo_of(QR), "продукты")
        self.answers()
        self.send_photo(photo_of(QR, difficulty="blur"))  # another photo of it
        (reply,) = self.answers()
        self.assertEqual(said(reply), f"Этот чек уже записан: 1 250,00 ₽ · Продукты · {DAY}")
        self.assertEqual(self.buttons(reply), [])
        self.assertEqual(Transaction.objects.count(), 1)
        # And from another channel: the bot API says so too.
        self.client.logout()
        response = self.client.post(
            "/api/bot/actions",
            data=json.dumps(envelope("record_receipt", {"qr": QR})),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=self.alice_token.raw,
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["result"]["duplicate"])

    def test_a_refund_receipt_is_a_refund(self) -> None:
        self.send_photo(photo_of(REFUND), "продукты")
        (reply,) = self.answers()
        self.assertEqual(said(reply), f"Записал: возврат · 450,00 ₽ · Продукты · {REFUND_DAY}")
        tx = Transaction.objects.get()
        self.assertEqual((tx.kind, tx.category.slug), ("refund", "groceries"))

    def test_an_image_sent_as_a_file_is_read_too(self) -> None:
        image = io.BytesIO()
        Image.open(io.BytesIO(photo_of(QR))).save(image, "PNG")
        file_id = self.serve(image.getvalue())
        self.post(document_update(file_id, "image/png", "IMG_0412.png"))
        (reply,) = self.answers()
        self.assertTrue(said(reply).startswith("Записал: 1 250,00 ₽"))
        # An iPhone's photo sent as a file: HEIC, named in capitals, its type as iOS says.
        heic = io.BytesIO()
        Image.open(io.BytesIO(photo_of(REFUND))).save(heic, "HEIF", quality=80)
        self.post(document_update(self.serve(heic.getvalue()), "image/heic", "IMG_0413.HEIC"))
        (reply,) = self.answers()
        self.assertTrue(said(reply).startswith("Записал: возврат · 450,00 ₽"), said(reply))
        self.assertEqual(Transaction.objects.count(), 2)
        pdf = self.serve(b"%PDF-1.7")
        self.post(document_update(pdf, "application/pdf", "receipt.pdf"))
        self.assertEqual(queued(receipts.PHOTO_TASK), [])
        self.assertIn("фото чеков", said(self.last_sent()))

    def test_a_photo_without_a_readable_code_gets_advice(self) -> None:
        self.send_photo(no_receipt())
        (reply,) = self.answers()
        self.assertIn("ближе", said(reply))
        self.assertIn("ровно", said(reply))
        self.assertIn("свет", said(reply))
        self.assertFalse(Transaction.objects.exists())

    def test_a_code_that_is_not_a_receipts_is_said_so(self) -> None:
        self.send_photo(photo_of("https://shop.example/loyalty"))
        (reply,) = self.answers()
        self.assertEqual(said(reply), "Этот QR-код — ссылка, а не чек.")

    def test_too_large_is_refused_before_and_after_fetching(self) -> None:
        response = self.post(photo_update(self.serve(b"x"), size=6 * 1024 * 1024))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(queued(receipts.PHOTO_TASK), [])
        self.assertIn("больше 5 МБ", said(self.last_sent()))
        # Telegram said nothing of the size: the download stops at the limit.
        file_id = self.serve(b"\xff\xd8" + b"\0" * (5 * 1024 * 1024 + 10))
        self.post(photo_update(file_id, size=0))
        (reply,) = self.answers()
        self.assertIn("больше 5 МБ", said(reply))
        self.assertFalse(Transaction.objects.exists())

    def test_a_failed_download_is_tried_again_later(self) -> None:
        jpeg = photo_of(QR)
        file_id = self.serve(jpeg)
        outcomes = iter([httpx.ConnectError("down"), httpx.Response(503), None])

        def flaky(request: httpx.Request) -> httpx.Response:
            outcome = next(outcomes)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome or httpx.Response(200, content=jpeg)

        self.file_route.mock(side_effect=flaky)
        self.post(photo_update(file_id))
        results = run_queued(include_later=True)
        self.assertEqual(
            [r for _task, r in results if _task == receipts.PHOTO_TASK],
            ["retry", "retry", "answered"],
        )
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_file_that_never_comes_is_said_so(self) -> None:
        self.file_route.mock(return_value=httpx.Response(502))
        self.post(photo_update(self.serve(b"x")))
        results = run_queued(include_later=True)
        self.assertEqual([r for _t, r in results][-1], "answered")
        self.assertEqual(
            said(self.last_sent()), "Не получилось скачать фото: пришлите его ещё раз."
        )

    def test_an_unlinked_chat_is_told_how_to_link_and_nothing_is_fetched(self) -> None:
        self.post(photo_update(self.serve(photo_of(QR)), sender=STRANGER_TG))
        self.assertEqual(queued(receipts.PHOTO_TASK), [])
        self.assertIn("не привязан", said(self.last_sent()))
        self.assertFalse(self.get_file.called)

    def test_a_repeated_update_is_answered_once(self) -> None:
        body = photo_update(self.serve(photo_of(QR)))
        self.post(body)
        self.post(body)
        self.assertEqual(len(queued(receipts.PHOTO_TASK)), 1)
        self.assertEqual(InboundUpdate.objects.count(), 1)

    def test_the_token_never_reaches_the_jobs_arguments(self) -> None:
        self.post(photo_update(self.serve(photo_of(QR))))
        (job,) = queued(receipts.PHOTO_TASK)
        self.assertNotIn(TOKEN, json.dumps(job["args"]))
        self.assertNotIn(API + "/file", json.dumps(job["args"]))


class TelegramPollReceiptTestCase(TelegramFilesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)
        self.mock.post(api_url("deleteWebhook")).respond(json={"ok": True, "result": True})
        self.mock.post(api_url("setMyCommands")).respond(json={"ok": True, "result": True})
        self.batches: list[list[dict[str, Any]]] = []
        self.mock.post(api_url("getUpdates")).mock(side_effect=self._updates)

    def _updates(self, request: httpx.Request) -> httpx.Response:
        batch = self.batches.pop(0) if self.batches else []
        return httpx.Response(200, json={"ok": True, "result": batch})

    def test_a_polled_photo_becomes_the_expense_once(self) -> None:
        first = photo_update(self.serve(photo_of(QR)), "аптека")
        again = photo_update(self.serve(photo_of(QR, difficulty="plain")))
        self.batches = [[first, again, text_update("кофе 250")]]
        call_command("telegram_poll", timeout=1, once=True, stdout=io.StringIO())
        self.assertEqual(len(queued(receipts.PHOTO_TASK)), 2)
        self.assertEqual(Transaction.objects.count(), 1)  # the coffee; the photos wait
        run_queued(include_later=True)
        texts = [said(m) for m in self.sent()]
        self.assertIn(f"Записал: 1 250,00 ₽ · Здоровье · {DAY}", texts)
        self.assertIn(f"Этот чек уже записан: 1 250,00 ₽ · Здоровье · {DAY}", texts)
        self.assertEqual(Receipt.objects.count(), 1)
        self.assertEqual(Transaction.objects.count(), 2)


class GroupReceiptTestCase(GroupTestCase, TelegramFilesTestCase):
    def test_a_photo_in_a_linked_group_is_its_senders_record_there(self) -> None:
        self.link_group()
        self.post(photo_update(self.serve(photo_of(QR)), sender=CAROL_TG, chat=GROUP))
        run_queued(include_later=True)
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.ledger, tx.created_by, tx.paid_by), (self.home, self.carol, self.carol)
        )
        reply = self.last_sent()
        self.assertEqual(reply["chat_id"], GROUP["id"])
        self.assertTrue(said(reply).startswith("Записал: 1 250,00 ₽"))
        # Any photo without a code, said to nobody: silence.
        before = self.send_route.call_count
        self.post(photo_update(self.serve(no_receipt()), sender=CAROL_TG, chat=GROUP))
        run_queued(include_later=True)
        self.assertEqual(self.send_route.call_count, before)
        # The same receipt from Alice: already in the group's ledger.
        self.post(photo_update(self.serve(photo_of(QR)), chat=GROUP))
        run_queued(include_later=True)
        self.assertTrue(said(self.last_sent()).startswith("Этот чек уже записан"))
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_photo_in_an_unlinked_group_is_passed_over(self) -> None:
        self.post(photo_update(self.serve(photo_of(QR)), chat=GROUP))
        self.assertEqual(queued(receipts.PHOTO_TASK), [])
        self.assertFalse(self.send_route.called)
