import json
from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import httpx
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.services import user_set_access
from audit.models import AuditLog
from finance.models import CategoryAlias, Transaction
from messaging import telegram
from messaging.chat import private, receipts
from messaging.linking.codes import link_code_create
from messaging.models import Conversation, InboundUpdate, Message, UserContact
from messaging.tests.helpers import (
    ALICE_TG,
    STRANGER_TG,
    TelegramTestCase,
    callback_update,
    edited_update,
    message,
    private_chat,
    run_queued,
    text_update,
    update,
)
from notifications.tests.helpers import queued


class SecretTestCase(TelegramTestCase):
    def test_a_missing_or_wrong_secret_is_a_401_and_nothing_is_stored(self) -> None:
        self.link(self.alice)
        for secret in (None, "", "wrong", "test-webhook-secret!"):
            response = self.post(text_update("кофе 250"), secret=secret)
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response.json()["error"], "authentication_failed")
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(InboundUpdate.objects.exists())
        self.assertFalse(Message.objects.exists())
        self.assertFalse(self.send_route.called)

    def test_a_refusal_has_the_contracts_error_body(self) -> None:
        body = self.post(text_update("кофе 250"), secret="wrong").json()
        # Telegram sends no Accept-Language: the site's language, and nothing else.
        self.assertEqual(body["message"], "Секретный токен неверен или не передан.")
        self.assertEqual(
            body["details"],
            [
                {
                    "path": "X-Telegram-Bot-Api-Secret-Token",
                    "code": "secret_invalid",
                    "message": body["message"],
                }
            ],
        )

    @override_settings(TELEGRAM_WEBHOOK_SECRET="")
    def test_without_a_configured_secret_everything_is_refused(self) -> None:
        self.assertEqual(self.post(text_update("кофе 250"), secret="").status_code, 401)

    @override_settings(TELEGRAM_BOT_TOKEN="")
    def test_without_a_token_the_webhook_is_off(self) -> None:
        response = self.post(text_update("кофе 250"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"], "telegram_disabled")

    def test_it_rejects_get(self) -> None:
        self.assertEqual(self.client.get("/webhooks/telegram/").status_code, 405)


class UnusableUpdatesTestCase(TelegramTestCase):
    def test_unknown_kinds_and_garbage_are_answered_200_and_ignored(self) -> None:
        self.link(self.alice)
        bodies = [
            b"not json",
            b"[]",
            {"update_id": "seven"},
            update(
                "my_chat_member",
                chat=private_chat(ALICE_TG),
                date=1,
                new_chat_member={"status": "kicked", "user": {"id": 1, "is_bot": True}},
            ),
            update("channel_post", message_id=1, date=1, chat={"id": -100, "type": "channel"}),
        ]
        for body in bodies:
            self.assertEqual(self.post(body).status_code, 200)
        self.assertFalse(self.send_route.called)
        self.assertFalse(Transaction.objects.exists())

    def test_what_the_strict_reader_refuses_is_answered_200_and_ignored(self) -> None:
        self.link(self.alice)
        valid = json.dumps(text_update("кофе 250"))
        bodies = [
            # The last update_id would win in a lenient reader, and the expense be recorded.
            ('{"update_id": 1, ' + valid[1:]).encode(),
            # Deeper than the stack: a RecursionError in a lenient reader.
            (valid[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}").encode(),
            json.dumps({**text_update("кофе 250"), "x": float("nan")}).encode(),
        ]
        for body in bodies:
            self.assertEqual(self.post(body).status_code, 200)
        self.assertFalse(self.send_route.called)
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(InboundUpdate.objects.exists())

    def test_json_nested_to_any_depth_is_answered_200_and_ignored(self) -> None:
        # The probe's 500 (RecursionError): every depth around the interpreter's limit,
        # in an object and in an array, inside an update that would otherwise be recorded.
        self.link(self.alice)
        valid = json.dumps(text_update("кофе 250"))
        for depth in (33, 500, 900, 950, 990, 1000, 1100, 5000, 100_000):
            for opening, closing in (('{"a": ', "}"), ("[", "]")):
                with self.subTest(depth=depth, opening=opening):
                    nested = opening * depth + "1" + closing * depth
                    body = (valid[:-1] + ', "x": ' + nested + "}").encode()
                    self.assertEqual(self.post(body).status_code, 200)
        self.assertFalse(self.send_route.called)
        self.assertFalse(Transaction.objects.exists())

    def test_stickers_and_videos_get_a_reply_saying_what_is_understood(self) -> None:
        # (A voice message is heard, or said to be unheard: test_voice.py.)
        self.link(self.alice)
        for fields in (
            {"sticker": {"file_id": "CAAC", "file_unique_id": "x", "type": "regular"}},
            {
                "video_note": {
                    "file_id": "DQAC",
                    "file_unique_id": "z",
                    "length": 240,
                    "duration": 2,
                }
            },
        ):
            response = self.post(update("message", None, **message(None, **fields)))
            self.assertEqual(response.status_code, 200)
            self.assertIn("текст и фото чеков", self.last_sent()["text"])
        self.assertEqual(self.send_route.call_count, 2)
        # A photo is a receipt to read: the queue answers it (test_telegram_receipts.py).
        photo: dict[str, Any] = {
            "photo": [{"file_id": "AgAC", "file_unique_id": "y", "width": 90, "height": 90}]
        }
        self.assertEqual(
            self.post(update("message", None, **message(None, **photo))).status_code, 200
        )
        self.assertEqual(self.send_route.call_count, 2)
        self.assertEqual(len(queued(receipts.PHOTO_TASK)), 1)
        self.assertFalse(Transaction.objects.exists())

    def test_an_unlinked_chat_is_told_how_to_link_in_its_language(self) -> None:
        ru = self.say("кофе 250", sender=STRANGER_TG, language_code="ru")
        self.assertIn("не привязан", ru["text"])
        en = self.say("coffee 250", sender=STRANGER_TG, language_code="en")
        self.assertIn("not linked", en["text"])
        self.assertEqual(en["chat_id"], STRANGER_TG)
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(Conversation.objects.exists())

    def test_a_group_not_linked_to_a_ledger_is_told_how_to_link_it(self) -> None:
        # (messaging/tests/test_groups.py has the linked groups.)
        self.link(self.alice)
        group = {"id": -1001234, "title": "Family", "type": "supergroup"}
        reply = self.say("кофе 250", chat=group)
        self.assertEqual(reply["chat_id"], -1001234)
        self.assertIn("не привязана", reply["text"])
        self.assertFalse(Transaction.objects.exists())


class LinkingTestCase(TelegramTestCase):
    def test_the_deep_link_start_links_the_chat(self) -> None:
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        reply = self.say(f"/start {issued.code}")
        contact = UserContact.objects.get(telegram_id=ALICE_TG, is_active=True)
        self.assertEqual(contact.user, self.alice)
        self.assertEqual(contact.chat_id, str(ALICE_TG))
        self.assertEqual(contact.display_name, "alice_tg")
        self.assertIn("alice", reply["text"])
        self.assertTrue(
            AuditLog.objects.filter(action="contact.link", user=self.alice, source="telegram")
        )
        # Now it records.
        self.say("кофе 250")
        self.assertEqual(Transaction.objects.get().created_by, self.alice)

    def test_link_command_in_lower_case_links_too(self) -> None:
        issued = link_code_create(user=self.bob, channel="telegram", source="web")
        reply = self.say(f"/link {issued.code.lower()}", language_code="ru")
        self.assertEqual(UserContact.objects.get(is_active=True).user, self.bob)
        self.assertIn("Linked", reply["text"])  # bob's language is English

    def test_wrong_used_and_expired_codes_get_clear_replies(self) -> None:
        self.assertIn("неверный", self.say("/link ABCDEFGH")["text"].lower())
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        self.say(f"/start {issued.code}")
        reply = self.say(f"/link {issued.code}", sender=STRANGER_TG)
        self.assertIn("уже использован", reply["text"])
        self.assertEqual(UserContact.objects.get(is_active=True).telegram_id, ALICE_TG)

    def test_one_telegram_account_belongs_to_one_user_at_a_time(self) -> None:
        self.link(self.alice)
        issued = link_code_create(user=self.bob, channel="telegram", source="web")
        self.say(f"/link {issued.code}")
        active = UserContact.objects.get(is_active=True)
        self.assertEqual(active.user, self.bob)
        old = UserContact.objects.get(user=self.alice)
        self.assertEqual(old.inactive_reason, UserContact.InactiveReason.RELINKED)

    def test_unlink_in_the_chat(self) -> None:
        contact = self.link(self.alice)
        reply = self.say("/unlink")
        self.assertIn("отвязан", reply["text"])
        contact.refresh_from_db()
        self.assertFalse(contact.is_active)
        self.assertTrue(AuditLog.objects.filter(action="contact.unlink", user=self.alice))
        self.assertIn("не привязан", self.say("кофе 250")["text"])
        self.assertFalse(Transaction.objects.exists())


class RecordingTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link(self.alice)

    @time_machine.travel("2026-12-01 09:00Z", tick=False)
    def test_an_earlier_day_is_written_in_words(self) -> None:
        reply = self.say("кофе 250 24.11")
        self.assertEqual(reply["text"], "Записал: 250,00 ₽ · Кафе и рестораны · 24 ноября")
        reply = self.say("такси 3200 24.11.2025")
        self.assertEqual(reply["text"], "Записал: 3\xa0200,00 ₽ · Транспорт · 24 ноября 2025")
        self.assertIn("Этот месяц (декабрь 2026)", self.say("/month")["text"])

    def test_it_records_an_expense_and_confirms_it(self) -> None:
        body = text_update("кофе 250")
        self.assertEqual(self.post(body).status_code, 200)
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.created_by, tx.kind, tx.amount), (self.alice, "expense", Decimal("250.00"))
        )
        self.assertEqual(tx.source, "telegram")
        self.assertEqual(tx.category.slug, "cafe")
        reply = self.last_sent()
        self.assertEqual(reply["text"], "Записал: 250,00 ₽ · Кафе и рестораны · сегодня")
        self.assertEqual(reply["parse_mode"], "HTML")
        self.assertEqual(reply["reply_parameters"]["message_id"], body["message"]["message_id"])
        self.assertEqual(
            self.buttons(reply), [("Отменить", f"u:{tx.pk}"), ("Категория", f"k:{tx.pk}")]
        )
        row = AuditLog.objects.get(action="create_expense")
        self.assertEqual(row.source, "telegram")
        self.assertEqual(row.idempotency_key, f"telegram:{body['update_id']}")
        self.assertEqual(row.details["channel"], str(ALICE_TG))
        # Both sides of the dialogue are stored, the confirmation with its Telegram id.
        inbound, outbound = Message.objects.order_by("pk")
        self.assertEqual((inbound.direction, inbound.text), ("in", "кофе 250"))
        self.assertEqual(inbound.external_id, str(body["message"]["message_id"]))
        self.assertEqual(outbound.transaction, tx)
        self.assertEqual(outbound.external_id, str(self.last_message_id()))

    def test_plus_and_income_words_record_incomes(self) -> None:
        self.say("+5000 кэшбэк")
        self.say("зарплата 90000")
        self.say("salary 100")
        self.assertEqual(
            sorted(Transaction.objects.values_list("kind", "amount")),
            [
                ("income", Decimal("100.00")),
                ("income", Decimal("5000.00")),
                ("income", Decimal("90000.00")),
            ],
        )

    def test_several_lines_record_one_transaction_each(self) -> None:
        body = text_update("кофе 250\nтакси 480\n\nпродукты 1 299,50")
        self.post(body)
        amounts = sorted(Transaction.objects.values_list("amount", flat=True))
        self.assertEqual(amounts, [Decimal("250.00"), Decimal("480.00"), Decimal("1299.50")])
        self.assertEqual(self.send_route.call_count, 3)
        keys = set(
            AuditLog.objects.filter(action="create_expense").values_list(
                "idempotency_key", flat=True
            )
        )
        uid = body["update_id"]
        self.assertEqual(keys, {f"telegram:{uid}:1", f"telegram:{uid}:2", f"telegram:{uid}:3"})

    def test_text_without_an_amount_gets_a_friendly_refusal(self) -> None:
        reply = self.say("кофе без сахара")
        self.assertIn("Не понял", reply["text"])
        self.assertIn("сумм", reply["text"])
        self.assertFalse(Transaction.objects.exists())

    def test_an_amount_out_of_range_is_refused_kindly(self) -> None:
        reply = self.say("яхта 9999999999999")
        self.assertIn("Не понял", reply["text"])
        self.assertFalse(Transaction.objects.exists())

    def test_user_text_is_escaped_for_html(self) -> None:
        self.say("<b>кофе</b> & 250")
        self.assertNotIn("<b>", self.last_sent()["text"])

    def test_the_same_update_twice_has_one_effect_and_one_reply(self) -> None:
        body = text_update("кофе 250")
        self.post(body)
        self.post(body)
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(self.send_route.call_count, 1)
        self.assertEqual(Message.objects.filter(direction="in").count(), 1)

    def test_a_blocked_bot_marks_the_contact_inactive(self) -> None:
        self.send_route.side_effect = None
        self.send_route.respond(
            403,
            json={
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        )
        self.assertEqual(self.post(text_update("кофе 250")).status_code, 200)
        self.assertEqual(Transaction.objects.count(), 1)  # recorded; only the reply failed
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)
        self.assertEqual(self.contact.inactive_reason, "blocked")
        # Writing again (the bot was unblocked) brings the link back.
        self.send_route.side_effect = self._sent
        self.say("такси 300")
        self.contact.refresh_from_db()
        self.assertTrue(self.contact.is_active)
        self.assertEqual(Transaction.objects.count(), 2)

    def test_a_nul_or_a_lone_surrogate_is_answered_not_dropped(self) -> None:
        for text, stored in (("кофе\x00 250", "кофе 250"), ("кофе \ud800 300", "кофе \ufffd 300")):
            with self.subTest(text=text):
                before = len(self.sent())
                # As Telegram sends it: JSON's escapes, the lone surrogate's "\ud800" too.
                response = self.post(json.dumps(text_update(text)).encode())
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(self.sent()), before + 1)
                self.assertIn("Записал", self.last_sent()["text"])
                self.assertEqual(Transaction.objects.latest("pk").text, stored)
                self.assertTrue(Message.objects.filter(direction="in", text=stored).exists())

    def test_a_429_from_telegram_is_waited_out(self) -> None:
        calls = {"n": 0}

        def flaky(request: httpx.Request) -> httpx.Response:
            calls["n"] += 1
            if calls["n"] == 1:
                return httpx.Response(
                    429,
                    json={
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                )
            return self._sent(request)

        self.send_route.side_effect = flaky
        started = timezone.now()
        self.post(text_update("кофе 250"))
        # Not slept on in the worker: the queue tries again after the wait Telegram named.
        self.assertEqual(calls["n"], 1)
        (job,) = queued(telegram.DELIVER)
        self.assertGreaterEqual(job["scheduled_at"], started + timedelta(seconds=1))
        self.assertFalse(Message.objects.filter(direction="out").exclude(external_id=""))
        run_queued(include_later=True)
        self.assertEqual(calls["n"], 2)
        self.assertTrue(Message.objects.filter(direction="out").exclude(external_id=""))
        self.assertEqual(queued(), [])


class ButtonsTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)
        self.say("кофе 250")
        self.tx = Transaction.objects.get()
        self.confirmation = self.last_message_id()

    def press(self, data: str) -> Any:
        self.assertEqual(
            self.post(callback_update(data, message_id=self.confirmation)).status_code, 200
        )
        return json.loads(self.answer_route.calls.last.request.content)

    def test_undo_deletes_the_transaction(self) -> None:
        answer = self.press(f"u:{self.tx.pk}")
        self.assertFalse(Transaction.objects.exists())
        self.assertEqual(answer["text"], "Отменено.")
        self.assertIn("Отменил: 250,00 ₽", self.last_sent()["text"])
        row = AuditLog.objects.get(action="delete_transaction")
        self.assertEqual(row.source, "telegram")
        # Pressing it again says so and changes nothing.
        self.press(f"u:{self.tx.pk}")
        self.assertIn("уже", self.last_sent()["text"])

    def test_the_category_keyboard_moves_the_transaction_and_teaches_the_parser(self) -> None:
        self.press(f"k:{self.tx.pk}")
        keyboard = self.buttons(self.last_sent())
        groceries = self.category(self.alice, "groceries")
        self.assertIn(("Продукты", f"c:{self.tx.pk}:{groceries.pk}"), keyboard)
        self.assertNotIn("Кафе и рестораны", [text for text, _ in keyboard])
        self.press(f"c:{self.tx.pk}:{groceries.pk}")
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.category, groceries)
        self.assertIn("Исправил: 250,00 ₽ · Продукты", self.last_sent()["text"])
        self.assertTrue(
            CategoryAlias.objects.filter(category=groceries, word="кофе", source="learned")
        )
        # The next coffee goes to groceries.
        self.say("кофе 100")
        self.assertEqual(Transaction.objects.latest("pk").category, groceries)

    def test_a_bad_button_is_answered(self) -> None:
        answer = self.press("nonsense")
        self.assertTrue(answer["text"])
        self.assertEqual(Transaction.objects.count(), 1)

    def test_an_uncategorised_text_asks_for_the_category_at_once(self) -> None:
        reply = self.say("штуковина 70")
        tx = Transaction.objects.latest("pk")
        self.assertEqual(tx.category.slug, "other")
        self.assertIn("Какая это категория?", reply["text"])
        groceries = self.category(self.alice, "groceries")
        self.assertIn(("Продукты", f"c:{tx.pk}:{groceries.pk}"), self.buttons(reply))


class CorrectionTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)
        self.original = text_update("кофе 250")
        self.post(self.original)
        self.tx = Transaction.objects.get()
        self.confirmation = self.last_message_id()

    def test_replying_with_an_amount_corrects_it(self) -> None:
        reply = self.say("300", reply_to=self.confirmation)
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.amount, Decimal("300.00"))
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(reply["text"], "Исправил: 300,00 ₽ · Кафе и рестораны · сегодня")
        self.assertTrue(AuditLog.objects.filter(action="update_transaction", source="telegram"))

    def test_replying_with_a_category_corrects_it(self) -> None:
        self.say("такси", reply_to=self.confirmation)
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.category.slug, "transport")

    def test_replying_with_an_unknown_category_says_so(self) -> None:
        reply = self.say("абракадабра", reply_to=self.confirmation)
        self.assertIn("Не понял", reply["text"])
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.category.slug, "cafe")

    def test_editing_the_original_message_corrects_it(self) -> None:
        message_id = self.original["message"]["message_id"]
        self.post(edited_update("такси 480", message_id=message_id))
        self.tx.refresh_from_db()
        self.assertEqual((self.tx.amount, self.tx.category.slug), (Decimal("480.00"), "transport"))
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertIn("Исправил: 480,00 ₽", self.last_sent()["text"])

    def test_an_edit_that_now_reads_as_an_income_keeps_the_category(self) -> None:
        message_id = self.original["message"]["message_id"]
        self.post(edited_update("кофе 300 зарплата", message_id=message_id))
        self.tx.refresh_from_db()
        self.assertEqual((self.tx.amount, self.tx.kind), (Decimal("300.00"), "expense"))
        self.assertEqual(self.tx.category.slug, "cafe")

    def test_editing_a_message_that_recorded_nothing_records_nothing(self) -> None:
        self.say("/help", message_id=4242)
        self.post(edited_update("кофе 999", message_id=4242))
        self.assertEqual(Transaction.objects.count(), 1)


class CommandsTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link(self.alice)

    def test_month_in_russian_and_english(self) -> None:
        self.say("кофе 250")
        self.say("+1000 кэшбэк")
        ru = self.say("/month")["text"]
        self.assertIn("Доходы: 1 000,00 ₽", ru.replace("\xa0", " "))
        self.assertIn("Расходы: 250,00 ₽", ru)
        self.assertIn("Кафе и рестораны: 250,00 ₽", ru)
        self.say("/lang en")
        self.assertIn("English", self.last_sent()["text"])
        en = self.say("/month")["text"]
        self.assertIn("Expenses: 250.00", en)
        self.assertIn("Balance: 750.00", en)

    def test_budget(self) -> None:
        self.assertIn("плана", self.say("/budget")["text"])
        from finance.services.budget import budget_item_set

        budget_item_set(
            user=self.alice,
            month=self.alice.today().replace(day=1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal("1000"),
            source="web",
        )
        self.say("кофе 250")
        text = self.say("/budget")["text"]
        self.assertIn("Кафе и рестораны: 250,00 ₽ из 1 000,00 ₽", text.replace("\xa0", " "))
        self.assertIn("осталось 750,00 ₽", text.replace("\xa0", " "))
        budget_item_set(
            user=self.alice,
            month=self.alice.today().replace(day=1),
            category=self.category(self.alice, "salary"),
            planned_amount=Decimal("100000"),
            source="web",
        )
        self.say("+150000 зарплата")
        text = self.say("/budget")["text"].replace("\xa0", " ")
        self.assertIn("Зарплата: получено 150 000,00 ₽ из 100 000,00 ₽", text)

    def test_categories(self) -> None:
        text = self.say("/categories")["text"]
        self.assertIn("Кафе и рестораны", text)
        self.assertIn("Зарплата", text)

    def test_undo_removes_the_last_transaction_from_this_chat(self) -> None:
        self.say("кофе 250")
        self.say("такси 300")
        self.say("/undo")
        self.assertEqual(
            list(Transaction.objects.values_list("amount", flat=True)), [Decimal("250.00")]
        )
        self.say("/undo")
        self.assertFalse(Transaction.objects.exists())
        self.assertIn("Нечего", self.say("/undo")["text"])

    def test_help_and_unknown_commands(self) -> None:
        self.assertIn("/month", self.say("/help")["text"])
        self.assertIn("Не знаю такой команды", self.say("/frobnicate")["text"])
        self.contact.language = "en"
        self.contact.save()
        self.assertIn("/month: this month", self.say("/help@kopilka_test_bot")["text"])

    def test_lang_needs_ru_or_en(self) -> None:
        self.assertIn("/lang ru", self.say("/lang de")["text"])

    def test_a_write_only_link_records_without_the_category_keyboard(self) -> None:
        self.contact.scopes = ["expenses:write"]
        self.contact.save()
        reply = self.say("штуковина 70")
        self.assertTrue(reply["text"].startswith("Записал: 70,00 ₽ · Прочее"))
        self.assertEqual([text for text, _ in self.buttons(reply)], ["Отменить", "Категория"])
        self.assertIn("нельзя", self.say("/month")["text"])

    def test_a_read_only_link_cannot_record(self) -> None:
        self.contact.scopes = ["summaries:read"]
        self.contact.save()
        self.assertIn("нельзя", self.say("кофе 250")["text"])
        self.assertFalse(Transaction.objects.exists())
        self.assertIn("Расходы", self.say("/month")["text"])


class ConversationActivityTestCase(TelegramTestCase):
    def test_a_busy_chat_touches_its_conversation_once_a_minute(self) -> None:
        self.link(self.alice)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.post(text_update("кофе 100"))
        conversation = Conversation.objects.get()
        self.assertEqual(conversation.last_activity_at, start)
        with time_machine.travel(start + timedelta(seconds=30), tick=False):
            self.post(text_update("кофе 200"))
        conversation.refresh_from_db()
        self.assertEqual(conversation.last_activity_at, start)
        later = start + timedelta(seconds=61)
        with time_machine.travel(later, tick=False):
            self.post(text_update("кофе 300"))
        conversation.refresh_from_db()
        self.assertEqual(conversation.last_activity_at, later)
        self.assertEqual(conversation.started_at, start)
        # All three exchanges are in the one conversation.
        self.assertEqual(conversation.messages.count(), 6)
        self.assertEqual(Transaction.objects.count(), 3)


class SwitchedOffUserTestCase(TelegramTestCase):
    def test_a_user_switched_off_records_nothing_and_is_told_how_to_link(self) -> None:
        self.link(self.alice)
        user_set_access(
            user=self.alice, is_active=False, is_staff=False, is_superuser=False, source="cli"
        )
        self.assertEqual(self.post(text_update("кофе 250")).status_code, 200)
        self.assertFalse(Transaction.objects.exists())
        self.assertIn("/link", self.last_sent()["text"])

    def test_a_bug_in_one_update_is_logged_and_answered_200(self) -> None:
        self.link(self.alice)
        body = text_update("кофе 250")
        with (
            mock.patch.object(private, "respond", side_effect=RuntimeError("a bug")),
            self.assertLogs("messaging.telegram", "ERROR") as logged,
        ):
            response = self.post(body)
        self.assertEqual(response.status_code, 200)
        self.assertIn(str(body["update_id"]), logged.output[0])
        self.assertFalse(InboundUpdate.objects.exists())  # rolled back with the handling
