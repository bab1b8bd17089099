"""Bank notifications pasted or forwarded into the chat: Telegram and WhatsApp."""

from decimal import Decimal

import time_machine

from finance.models import Capture, Transaction
from finance.services.text import record_from_text
from finance.tests.bank_recording import NOW, comparable, expected, one_of_each
from finance.tests.bank_recording import Expected as Want
from messaging.models import Message
from messaging.tests.helpers import TelegramTestCase, callback_update, text_update
from messaging.tests.whatsapp import WhatsAppTestCase, replies

PURCHASE = "ECMC1234 11:50 Покупка 250р KOFEJNYA SHOKOLADNICA Баланс: 9750.00р"
TRANSFER = "MIR-5521 09:45 перевод 2000р получатель Сергей П. Баланс: 1 456.78р"
OWN = "Tinkoff: Перевод 1 500 ₽ между своими счетами"


def recorded_since(before: int) -> list[Transaction]:
    return list(Transaction.objects.order_by("pk").select_related("category")[before:])


def as_wanted(tx: Transaction) -> Want:
    return Want(
        "recorded",
        kind=tx.kind,
        amount=f"{tx.amount:.2f}",
        currency=tx.currency,
        date=tx.date.isoformat(),
        category=tx.category.slug,
    )


@time_machine.travel(NOW, tick=False)
class TelegramBankTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)

    def test_every_banks_notification_pasted_records_as_the_corpus_says_once(self) -> None:
        for example in one_of_each():
            (op,) = example["expect"]
            want = expected(op)
            with self.subTest(group=example["group"], kind=op["kind"]):
                before = Transaction.objects.count()
                reply = self.say(example["text"])["text"]
                new = recorded_since(before)
                if want.outcome == "skipped":
                    self.assertEqual(new, [])
                    self.assertTrue(reply.startswith("Не записал"), reply)
                    continue
                if not new:  # the same notification as one pasted before (an SMS's push)
                    self.assertTrue(reply.startswith("Уже записано"), reply)
                    continue
                (tx,) = new
                self.assertEqual(comparable(want, as_wanted(tx)), want)
                self.assertEqual(tx.source, "telegram")
                self.assertTrue(reply.startswith("Записал: "), reply)
                # Forwarded again: answered, not recorded again.
                again = self.say(example["text"])["text"]
                self.assertTrue(again.startswith("Уже записано"), again)
                self.assertEqual(Transaction.objects.count(), before + 1)

    def test_a_forwarded_message_is_read_as_pasted(self) -> None:
        forwarded = {
            "forward_origin": {"type": "hidden_user", "sender_user_name": "900", "date": 1}
        }
        reply = self.say(PURCHASE, **forwarded)["text"]
        self.assertTrue(reply.startswith("Записал: 250,00 ₽ · Кафе и рестораны · сегодня"), reply)
        self.assertEqual([t for t, _d in self.buttons(self.last_sent())], ["Отменить", "Категория"])

    def test_several_in_one_message_are_answered_in_one(self) -> None:
        typed = record_from_text(user=self.alice, kind="expense", text="250", source="telegram")
        sent = self.say("\n\n".join([PURCHASE, TRANSFER, OWN]))
        self.assertEqual(len(self.sent()), 1)
        lines = sent["text"].split("\n")
        self.assertEqual(
            lines,
            [
                "Уже записано как 250,00 ₽ · Прочее · сегодня, сопоставлено",
                "Не записал, перевод получателю Сергей П.: 2\u00a0000,00 ₽",
                "Не записал, перевод между своими счетами: 1\u00a0500,00 ₽",
            ],
        )
        match = Capture.objects.get(matched=True)
        self.assertEqual(match.transaction, typed)
        self.assertEqual(
            self.buttons(sent),
            [
                ("Записать отдельно: 250,00 ₽", f"bs:{match.pk}"),
                ("Записать как расход: 2\u00a0000,00 ₽", "bt:1"),
            ],
        )
        self.assertEqual(Transaction.objects.count(), 1)

    def test_the_transfer_button_records_the_transfer_once(self) -> None:
        self.say(f"{PURCHASE}\n\n{TRANSFER}")
        bot_message_id = int(Message.objects.filter(direction="out").latest("pk").external_id)
        self.post(callback_update("bt:1", message_id=bot_message_id))
        self.assertTrue(self.last_sent()["text"].startswith("Записал: 2\u00a0000,00 ₽ · Прочее"))
        transfer = Transaction.objects.get(amount=Decimal(2000))
        self.assertEqual(transfer.kind, "expense")
        self.post(callback_update("bt:1", message_id=bot_message_id))
        self.assertTrue(self.last_sent()["text"].startswith("Уже записано"))
        self.assertEqual(Transaction.objects.filter(amount=Decimal(2000)).count(), 1)
        # A button of another message, or one that is no transfer, does nothing.
        self.post(callback_update("bt:0", message_id=bot_message_id))
        self.assertEqual(Transaction.objects.count(), 2)

    def test_the_separately_button_undoes_the_match(self) -> None:
        typed = record_from_text(user=self.alice, kind="expense", text="кофе 250", source="web")
        sent = self.say(f"{PURCHASE}\n\n{OWN}")
        (_label, data), *_rest = self.buttons(sent)
        self.assertTrue(data.startswith("bs:"))
        self.post(callback_update(data, message_id=77))
        reply = self.last_sent()["text"]
        self.assertTrue(reply.startswith("Записал отдельно: 250,00 ₽ · Кафе и рестораны"), reply)
        self.assertEqual(Transaction.objects.count(), 2)
        self.assertFalse(Capture.objects.filter(transaction=typed).exists())
        self.post(callback_update(data, message_id=77))
        self.assertEqual(Transaction.objects.count(), 2)

    def test_typed_text_is_still_typed_text(self) -> None:
        reply = self.say("кофе 250")["text"]
        self.assertTrue(reply.startswith("Записал: 250,00 ₽ · Кафе и рестораны"), reply)
        self.assertFalse(Capture.objects.exists())

    def test_undo_removes_what_a_notification_recorded(self) -> None:
        self.say(PURCHASE)
        self.assertEqual(Transaction.objects.count(), 1)
        self.say("/undo")
        self.assertFalse(Transaction.objects.exists())
        # Forgotten with it: forwarded again, it is recorded again.
        self.say(PURCHASE)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_in_a_private_update_only(self) -> None:
        response = self.post(text_update(PURCHASE))
        self.assertEqual(response.status_code, 200)


@time_machine.travel(NOW, tick=False)
class WhatsAppBankTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_alice()

    def test_every_banks_notification_pasted_records_once(self) -> None:
        for example in one_of_each({"sber", "tbank", "alfa", "vtb", "revolut", "wise"}):
            (op,) = example["expect"]
            want = expected(op)
            with self.subTest(group=example["group"], kind=op["kind"]):
                before = Transaction.objects.count()
                (_reply,) = replies(self.say(example["text"]))
                new = recorded_since(before)
                if want.outcome == "skipped" or not new:
                    self.assertEqual(new, [])
                    continue
                (tx,) = new
                self.assertEqual(comparable(want, as_wanted(tx)), want)
                self.assertEqual(tx.source, "whatsapp")

    def test_the_words_do_what_the_buttons_would(self) -> None:
        record_from_text(user=self.alice, kind="expense", text="250", source="web")
        (reply,) = replies(self.say(f"{PURCHASE}\n\n{TRANSFER}"))
        self.assertIn("«отдельно»", reply)
        self.assertIn("«перевод»", reply)
        (done,) = replies(self.say("перевод"))
        self.assertTrue(done.startswith("Записал: 2\u00a0000,00 ₽"), done)
        (separate,) = replies(self.say("отдельно"))
        self.assertTrue(separate.startswith("Записал отдельно: 250,00 ₽"), separate)
        self.assertEqual(Transaction.objects.count(), 3)
        self.assertFalse(Capture.objects.filter(matched=True).exists())
