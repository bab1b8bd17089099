"""POST /webhooks/whatsapp/: Twilio's signature, linking, and the chat in plain text."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client, TransactionTestCase, override_settings
from django.utils import timezone, translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext
from twilio.request_validator import RequestValidator

from accounts.services import user_create
from audit.models import AuditLog
from config.testing import at_once
from finance.models import Transaction
from messaging import whatsapp
from messaging.linking import codes
from messaging.linking.codes import link_code_create, link_code_redeem
from messaging.linking.contacts import Account
from messaging.models import Channel, Conversation, InboundUpdate, LinkCode, Message, UserContact
from messaging.tests.whatsapp import (
    ALICE_NUMBER,
    AUTH_TOKEN,
    PUBLIC_URL,
    TWILIO,
    WEBHOOK,
    WhatsAppTestCase,
    inbound_form,
    replies,
)


def ru(message: str | StrPromise) -> str:
    with translation.override("ru"):
        return gettext(str(message)) if isinstance(message, str) else str(message)


KEY_SID = "webhooks_sharedkey_0123456789abcdef"
KEY_SECRET = "shared-key-secret-for-tests"


UNDERSTOOD = (
    "I understand text and photos of receipts: write an amount, such as “кофе 250”, or "
    "send a photo of the receipt's QR code."
)


class WhatsAppSignatureTestCase(WhatsAppTestCase):
    def assertRefused(self, response: object) -> None:
        self.assertEqual(response.status_code, 403)  # type: ignore[attr-defined]
        self.assertEqual(response.json()["error"], "authentication_failed")  # type: ignore[attr-defined]
        self.assertFalse(InboundUpdate.objects.exists())
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Conversation.objects.exists())

    def test_a_json_body_with_any_signature_is_refused_not_a_500(self) -> None:
        client = Client(raise_request_exception=False)
        for signature in ("x", "AAAA", self.sign({})):
            with self.subTest(signature=signature):
                response = client.post(
                    WEBHOOK,
                    b'{"Body": "kofe 250"}',
                    "application/json",
                    HTTP_X_TWILIO_SIGNATURE=signature,
                )
                self.assertRefused(response)

    def test_a_json_body_signed_through_its_hash_is_answered(self) -> None:
        body = '{"MessageSid": "SMx"}'
        validator = RequestValidator(AUTH_TOKEN)
        url = f"{WEBHOOK}?bodySHA256={validator.compute_hash(body)}"
        signature = validator.compute_signature(PUBLIC_URL + url, {})
        response = self.client.post(
            url, body, "application/json", HTTP_X_TWILIO_SIGNATURE=signature
        )
        self.assertEqual(response.status_code, 200)  # not a message: nothing to answer
        tampered = self.client.post(
            url, body.replace("SMx", "SMy"), "application/json", HTTP_X_TWILIO_SIGNATURE=signature
        )
        self.assertRefused(tampered)

    def test_it_answers_a_signed_message(self) -> None:
        response = self.post(inbound_form("hello"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(InboundUpdate.objects.filter(channel=Channel.WHATSAPP).count(), 1)

    def test_it_refuses_a_wrong_signature(self) -> None:
        form = inbound_form("кофе 250")
        signature = self.sign(form, token="another-token")
        self.assertRefused(self.post(form, HTTP_X_TWILIO_SIGNATURE=signature))

    def test_it_refuses_a_missing_signature(self) -> None:
        self.assertRefused(self.client.post(WEBHOOK, inbound_form("кофе 250")))

    def test_it_refuses_a_changed_form(self) -> None:
        form = inbound_form("кофе 250")
        signature = self.sign(form)
        form["Body"] = "кофе 25000"
        self.assertRefused(self.post(form, HTTP_X_TWILIO_SIGNATURE=signature))

    def test_it_checks_the_public_url_not_the_one_it_was_reached_at(self) -> None:
        form = inbound_form("кофе 250")
        # What Django sees behind nginx: signing it is not what Twilio does.
        signature = self.sign(form, url="http://testserver" + WEBHOOK)
        self.assertRefused(self.post(form, HTTP_X_TWILIO_SIGNATURE=signature))
        signature = self.sign(form, url="https://elsewhere.example.org" + WEBHOOK)
        self.assertRefused(self.post(form, HTTP_X_TWILIO_SIGNATURE=signature))

    def test_it_signs_over_the_query_string_too(self) -> None:
        form = inbound_form("hello")
        path = WEBHOOK + "?tenant=1"
        self.assertEqual(self.post(form, path=path).status_code, 200)
        signature = self.sign(form, url=PUBLIC_URL + WEBHOOK)  # without the query
        self.assertEqual(
            self.post(form, path=path, HTTP_X_TWILIO_SIGNATURE=signature).status_code, 403
        )

    @override_settings(TWILIO_WEBHOOK_KEY_SID=KEY_SID, TWILIO_WEBHOOK_KEY_SECRET=KEY_SECRET)
    def test_it_takes_the_sha256_variant_with_the_shared_key(self) -> None:
        form = inbound_form("hello")
        settings_header = f"key={KEY_SID},algorithm=HMAC_SHA256"
        validator = RequestValidator(KEY_SECRET)
        signature = validator.compute_signature(PUBLIC_URL + WEBHOOK, form, "HMAC_SHA256")
        response = self.post(
            form,
            HTTP_X_TWILIO_SIGNATURE=signature,
            HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS=settings_header,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(InboundUpdate.objects.count(), 1)

    @override_settings(TWILIO_WEBHOOK_KEY_SID=KEY_SID, TWILIO_WEBHOOK_KEY_SECRET=KEY_SECRET)
    def test_it_refuses_the_sha256_variant_signed_otherwise(self) -> None:
        form = inbound_form("hello")
        settings_header = f"key={KEY_SID},algorithm=HMAC_SHA256"
        cases = {
            # SHA-1 under a header that says SHA-256.
            "sha1": RequestValidator(KEY_SECRET).compute_signature(PUBLIC_URL + WEBHOOK, form),
            # The auth token instead of the shared key.
            "token": RequestValidator(AUTH_TOKEN).compute_signature(
                PUBLIC_URL + WEBHOOK, form, "HMAC_SHA256"
            ),
        }
        for name, signature in cases.items():
            with self.subTest(name):
                self.assertRefused(
                    self.post(
                        form,
                        HTTP_X_TWILIO_SIGNATURE=signature,
                        HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS=settings_header,
                    )
                )
        # A key this server does not know, even if signed with it.
        unknown = "key=webhooks_sharedkey_other,algorithm=HMAC_SHA256"
        signature = RequestValidator(KEY_SECRET).compute_signature(
            PUBLIC_URL + WEBHOOK, form, "HMAC_SHA256"
        )
        self.assertRefused(
            self.post(
                form,
                HTTP_X_TWILIO_SIGNATURE=signature,
                HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS=unknown,
            )
        )

    def test_it_refuses_an_unknown_algorithm(self) -> None:
        form = inbound_form("hello")
        self.assertRefused(
            self.post(
                form,
                HTTP_X_TWILIO_SIGNATURE=self.sign(form),
                HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS="algorithm=HMAC_MD5",
            )
        )

    @override_settings(PUBLIC_URL="")
    def test_it_refuses_everything_without_a_public_url(self) -> None:
        form = inbound_form("hello")
        signature = self.sign(form, url="http://testserver" + WEBHOOK)
        self.assertRefused(self.post(form, HTTP_X_TWILIO_SIGNATURE=signature))

    @override_settings(TWILIO_AUTH_TOKEN="")
    def test_it_is_off_without_credentials(self) -> None:
        response = self.post(inbound_form("hello"))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"], "whatsapp_disabled")
        self.assertFalse(InboundUpdate.objects.exists())

    def test_it_rejects_get(self) -> None:
        self.assertEqual(self.client.get(WEBHOOK).status_code, 405)

    def test_it_answers_200_to_a_signed_form_that_is_not_a_message(self) -> None:
        form = {"AccountSid": "AC" + "a1" * 16, "Foo": "bar"}
        response = self.post(form)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(replies(response.content.decode()), [])
        self.assertFalse(InboundUpdate.objects.exists())


class WhatsAppLinkingTestCase(WhatsAppTestCase):
    def test_it_links_with_a_code(self) -> None:
        issued = link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="web")
        texts = replies(self.say(f"link {issued.code.lower()}", ProfileName="Алиса"))
        self.assertEqual(len(texts), 1)
        self.assertIn("alice", texts[0])
        self.assertIn("«месяц»", texts[0])  # the plain-text help, in Alice's Russian
        contact = UserContact.objects.get(user=self.alice, channel=Channel.WHATSAPP)
        self.assertEqual(contact.whatsapp_id, ALICE_NUMBER)
        self.assertEqual(contact.phone, f"+{ALICE_NUMBER}")
        self.assertEqual(contact.chat_id, f"whatsapp:+{ALICE_NUMBER}")
        self.assertEqual(contact.display_name, "Алиса")
        self.assertTrue(contact.is_active)
        issued.link.refresh_from_db()
        self.assertIsNotNone(issued.link.used_at)
        self.assertTrue(
            AuditLog.objects.filter(
                action="contact.link", source="whatsapp", user=self.alice
            ).exists()
        )

    def test_it_links_with_a_slash_too(self) -> None:
        issued = link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="web")
        self.say(f"/link {issued.code}")
        self.assertTrue(UserContact.objects.filter(user=self.alice, is_active=True).exists())

    def test_it_refuses_a_wrong_code(self) -> None:
        link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="web")
        texts = replies(self.say("link ABCD2345"))
        self.assertEqual(len(texts), 1)
        self.assertEqual(texts, [ru(codes.CODE_WRONG)])
        self.assertFalse(UserContact.objects.exists())

    def test_it_refuses_a_telegram_code(self) -> None:
        issued = link_code_create(user=self.alice, channel=Channel.TELEGRAM, source="web")
        self.say(f"link {issued.code}")
        self.assertFalse(UserContact.objects.exists())
        issued.link.refresh_from_db()
        self.assertIsNone(issued.link.used_at)

    def test_it_refuses_an_expired_code(self) -> None:
        issued = link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="web")
        LinkCode.objects.filter(pk=issued.link.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        texts = replies(self.say(f"link {issued.code}"))
        self.assertEqual(texts, [ru(codes.CODE_EXPIRED)])
        self.assertFalse(UserContact.objects.exists())

    def test_it_refuses_a_used_code(self) -> None:
        issued = link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="web")
        self.say(f"link {issued.code}")
        texts = replies(self.say(f"link {issued.code}", number="79990000000"))
        self.assertEqual(texts, [ru(codes.CODE_USED)])
        self.assertEqual(
            list(UserContact.objects.values_list("whatsapp_id", flat=True)), [ALICE_NUMBER]
        )

    def test_it_tells_unlinked_senders_how_to_link_in_their_language(self) -> None:
        cases = {"кофе 250": "Мессенджеры", "coffee 250": "Messengers", "250": "Мессенджеры"}
        for text, word in cases.items():
            with self.subTest(text):
                (reply,) = replies(self.say(text, number="79990000001"))
                self.assertIn(word, reply)
                self.assertIn("link", reply)
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(Conversation.objects.exists())


class WhatsAppConcurrentLinkingTestCase(TransactionTestCase):
    def test_one_code_links_one_number_when_two_redeem_it_at_once(self) -> None:
        user = user_create(username="carol", password=None, source="cli")
        issued = link_code_create(user=user, channel=Channel.WHATSAPP, source="web")
        numbers = ("79160000001", "79160000002")
        results = at_once(
            2,
            lambda n: link_code_redeem(
                account=Account(
                    channel=Channel.WHATSAPP,
                    chat_id=f"whatsapp:+{numbers[n]}",
                    whatsapp_id=numbers[n],
                    phone=f"+{numbers[n]}",
                ),
                code=issued.code,
                source="whatsapp",
            ),
        )
        outcomes = [
            getattr(r, "code", type(r).__name__) if isinstance(r, Exception) else "linked"
            for r in results
        ]
        self.assertEqual(sorted(outcomes), ["code_used", "linked"])
        self.assertEqual(UserContact.objects.filter(user=user, is_active=True).count(), 1)


@TWILIO
class WhatsAppConcurrentDeliveriesTestCase(TransactionTestCase):
    def test_one_message_delivered_five_times_at_once_has_one_effect_and_one_reply(self) -> None:
        user = user_create(username="carol", password=None, source="cli")
        UserContact.objects.create(
            user=user,
            channel=Channel.WHATSAPP,
            whatsapp_id=ALICE_NUMBER,
            phone=f"+{ALICE_NUMBER}",
            chat_id=f"whatsapp:+{ALICE_NUMBER}",
        )
        form = inbound_form("кофе 250")
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + WEBHOOK, form)

        def deliver(_n: int) -> tuple[int, int]:
            response = Client().post(WEBHOOK, form, HTTP_X_TWILIO_SIGNATURE=signature)
            return response.status_code, len(replies(response.content.decode()))

        answers = at_once(5, deliver)
        self.assertCountEqual(answers, [(200, 0)] * 4 + [(200, 1)])
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(Message.objects.filter(direction=Message.Direction.IN).count(), 1)


class WhatsAppChatTestCase(WhatsAppTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = self.link_alice()

    def test_it_records_an_expense(self) -> None:
        (reply,) = replies(self.say("кофе 250"))
        tx = Transaction.objects.get()
        self.assertEqual(tx.amount, Decimal("250.00"))
        self.assertEqual(tx.source, Transaction.Source.WHATSAPP)
        self.assertEqual(tx.category.slug, "cafe")
        self.assertIn("Кафе и рестораны", reply)
        self.assertTrue(reply.endswith("Ответьте «отмена», чтобы удалить"))
        incoming = Message.objects.get(direction=Message.Direction.IN)
        self.assertEqual(incoming.transaction_id, tx.pk)
        self.assertTrue(incoming.external_id.startswith("SM"))
        outgoing = Message.objects.get(direction=Message.Direction.OUT)
        self.assertEqual(outgoing.text, reply)  # the history shows what was sent
        self.assertEqual(outgoing.conversation.channel, Channel.WHATSAPP)

    def test_a_nul_in_a_message_is_answered_not_a_500(self) -> None:
        response = self.post(inbound_form("кофе\x00 250"))
        self.assertEqual(response.status_code, 200)
        (reply,) = replies(response.content.decode())
        self.assertIn("Кафе и рестораны", reply)
        tx = Transaction.objects.get()
        self.assertEqual((tx.amount, tx.text), (Decimal("250.00"), "кофе 250"))

    def test_it_records_through_the_dispatcher_with_the_message_sid_as_key(self) -> None:
        form = inbound_form("такси 480")
        self.post(form)
        audit = AuditLog.objects.get(source="whatsapp", action="create_expense")
        self.assertEqual(audit.idempotency_key, f"whatsapp:{form['MessageSid']}")
        self.assertEqual(audit.user, self.alice)

    def test_it_records_several_lines(self) -> None:
        texts = replies(self.say("кофе 250\nтакси 480\n+5000 кэшбэк"))
        self.assertEqual(len(texts), 3)
        self.assertEqual(Transaction.objects.count(), 3)
        self.assertEqual(Transaction.objects.filter(kind="income").count(), 1)

    def test_a_repeated_message_sid_has_one_effect(self) -> None:
        form = inbound_form("кофе 250")
        first = self.post(form)
        second = self.post(form)
        self.assertEqual(len(replies(first.content.decode())), 1)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(replies(second.content.decode()), [])
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(Message.objects.filter(direction=Message.Direction.IN).count(), 1)

    def test_undo_in_both_languages(self) -> None:
        for word in ("отмена", "undo", "/undo", "Отмена"):
            with self.subTest(word):
                self.say("кофе 250")
                (reply,) = replies(self.say(word))
                self.assertTrue(reply.startswith(ru("Removed: %(what)s") % {"what": ""}))
                self.assertFalse(Transaction.objects.exists())
        (reply,) = replies(self.say("undo"))
        self.assertEqual(reply, ru("Nothing recorded from this chat to undo."))

    def test_commands_in_both_languages(self) -> None:
        self.say("кофе 250")
        expected = {
            ("месяц", "month", "/month"): "Расходы: 250,00",
            ("бюджет", "budget"): ru(
                "No plan for this month yet: set one in the cabinet (Budget)."
            ),
            ("категории", "categories"): "Кафе и рестораны",
            ("помощь", "help", "/help"): "«отмена»",
        }
        for words, text in expected.items():
            for word in words:
                with self.subTest(word):
                    (reply,) = replies(self.say(word))
                    self.assertIn(text, reply)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_lang_and_unlink_in_russian(self) -> None:
        self.say("язык en")
        self.contact.refresh_from_db()
        self.assertEqual(self.contact.language, "en")
        (reply,) = replies(self.say("месяц"))
        self.assertIn("Expenses:", reply)
        self.say("Отвязать")
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)

    def test_words_that_are_not_commands_are_records(self) -> None:
        self.say("отмена брони 500")
        self.assertEqual(Transaction.objects.get().amount, Decimal("500.00"))

    def test_commands_answer_in_english_for_an_english_user(self) -> None:
        self.alice.language = "en"
        self.alice.save(update_fields=["language"])
        (reply,) = replies(self.say("кофе 250"))
        self.assertTrue(reply.endswith('Reply "undo" to delete'))
        (reply,) = replies(self.say("месяц"))
        self.assertIn("Expenses:", reply)
        (reply,) = replies(self.say("help"))
        self.assertIn("“month”", reply)

    def test_category_right_after_a_record_moves_it_and_teaches_the_parser(self) -> None:
        self.say("шаурма у метро 300")
        first = Transaction.objects.get()
        (reply,) = replies(self.say("категория такси"))
        first.refresh_from_db()
        self.assertEqual(first.category.slug, "transport")
        self.assertIn("Транспорт", reply)
        self.assertTrue(
            AuditLog.objects.filter(source="whatsapp", action="update_transaction").exists()
        )
        self.say("шаурма у метро 350")
        second = Transaction.objects.exclude(pk=first.pk).get()
        self.assertEqual(second.category.slug, "transport")

    def test_category_in_english(self) -> None:
        self.say("кофе 250")
        self.say("category groceries")
        self.assertEqual(Transaction.objects.get().category.slug, "groceries")

    def test_category_is_refused_when_not_right_after_a_record(self) -> None:
        self.say("кофе 250")
        self.say("месяц")
        (reply,) = replies(self.say("категория такси"))
        self.assertEqual(
            reply,
            ru("Send “category” and a name right after a record, such as “category такси”."),
        )
        self.assertEqual(Transaction.objects.get().category.slug, "cafe")

    def test_an_unknown_category_says_so(self) -> None:
        self.say("кофе 250")
        (reply,) = replies(self.say("категория абракадабра"))
        self.assertTrue(
            reply.startswith(ru("I did not understand: %(problems)s") % {"problems": ""})
        )
        self.assertEqual(Transaction.objects.get().category.slug, "cafe")

    def test_a_fallback_category_lists_the_choices(self) -> None:
        (reply,) = replies(self.say("непонятное 100"))
        self.assertIn("«категория»", reply)
        self.assertIn("Транспорт", reply)

    def test_media_other_than_images_gets_what_is_understood(self) -> None:
        form = inbound_form(
            "",
            sid="MM" + "0" * 31 + "1",
            NumMedia="1",
            MessageType="video",
            MediaContentType0="video/mp4",
            MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1",
        )
        response = self.post(form)
        (reply,) = replies(response.content.decode())
        self.assertEqual(reply, ru(UNDERSTOOD))
        self.assertFalse(Transaction.objects.exists())

    def test_a_caption_is_not_recorded_as_text(self) -> None:
        # An image without its URL is no photo to read, and its caption is no record.
        form = inbound_form("кофе 250", NumMedia="1", MediaContentType0="image/jpeg")
        (reply,) = replies(self.post(form).content.decode())
        self.assertEqual(reply, ru(UNDERSTOOD))
        self.assertFalse(Transaction.objects.exists())

    def test_unlink(self) -> None:
        (reply,) = replies(self.say("unlink"))
        self.contact.refresh_from_db()
        self.assertFalse(self.contact.is_active)
        (reply,) = replies(self.say("кофе 250"))
        self.assertIn("link", reply)
        self.assertFalse(Transaction.objects.exists())

    def test_a_long_reply_is_cut_to_whatsapps_limit(self) -> None:
        text = "\n".join(f"строка {n} " + "x" * 90 for n in range(40))
        pieces = replies(whatsapp.twiml([text]))
        self.assertEqual(len(pieces), 3)
        self.assertTrue(all(len(p) <= 1600 for p in pieces))
        self.assertEqual("\n".join(pieces), text)

    def test_the_history_shows_the_whatsapp_conversation(self) -> None:
        self.say("кофе 250")
        self.client.force_login(self.alice)
        response = self.client.get("/messengers/history/")
        self.assertContains(response, "WhatsApp")
        self.assertContains(response, "кофе 250")
        self.assertContains(response, "Ответьте «отмена», чтобы удалить")
