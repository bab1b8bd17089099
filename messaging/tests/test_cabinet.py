from django.test import override_settings

from audit.models import AuditLog
from messaging.linking.codes import code_hash
from messaging.models import LinkCode, Message, UserContact
from messaging.tests.helpers import BOT, TelegramTestCase


class MessengersPageTestCase(TelegramTestCase):
    def test_it_lists_linked_chats(self) -> None:
        self.link(self.alice)
        self.link(self.bob, telegram_id=222)
        self.client.force_login(self.alice)
        response = self.client.get("/messengers/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "alice_tg")
        self.assertEqual(len(response.context["contacts"]), 1)
        self.assertContains(response, "Привязать Telegram")

    def test_link_telegram_shows_the_code_the_deep_link_and_a_qr_code(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post("/messengers/telegram/link/")
        self.assertEqual(response.status_code, 200)
        code = response.context["issued"].code
        self.assertEqual(LinkCode.objects.get(user=self.alice).code_hash, code_hash(code))
        self.assertContains(response, f"https://t.me/{BOT}?start={code}")
        self.assertContains(response, f"/link {code}")
        self.assertContains(response, "<svg")
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)

    def test_it_rejects_get_on_link(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/messengers/telegram/link/").status_code, 405)

    def test_unlink(self) -> None:
        contact = self.link(self.alice)
        self.client.force_login(self.alice)
        response = self.client.post(f"/messengers/{contact.pk}/unlink/")
        self.assertRedirects(response, "/messengers/")
        contact.refresh_from_db()
        self.assertEqual((contact.is_active, contact.inactive_reason), (False, "unlinked"))
        self.assertTrue(AuditLog.objects.filter(action="contact.unlink", source="web"))

    def test_it_hides_other_users_rows(self) -> None:
        contact = self.link(self.bob)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(f"/messengers/{contact.pk}/unlink/").status_code, 404)
        self.assertTrue(UserContact.objects.get(pk=contact.pk).is_active)

    def test_it_needs_a_login(self) -> None:
        self.assertEqual(self.client.get("/messengers/").status_code, 302)
        self.assertEqual(self.client.get("/messengers/history/").status_code, 302)

    @override_settings(TELEGRAM_BOT_TOKEN="")
    def test_without_a_token_it_says_telegram_is_off(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/messengers/"), "Telegram выключен")
        response = self.client.post("/messengers/telegram/link/", follow=True)
        self.assertContains(response, "не настроен")
        self.assertFalse(LinkCode.objects.exists())


class HistoryPageTestCase(TelegramTestCase):
    def test_it_shows_the_users_conversation_only(self) -> None:
        self.link(self.alice)
        self.say("кофе 250")
        self.link(self.bob, telegram_id=222)
        self.say("secret 10", sender=222)
        self.client.force_login(self.alice)
        # session, user, conversations, their messages, the nav's ledger switcher
        with self.assertNumQueries(5):
            response = self.client.get("/messengers/history/")
        self.assertContains(response, "кофе 250")
        self.assertContains(response, "Записал: 250,00 ₽")
        self.assertContains(response, "create_expense")
        self.assertNotContains(response, "secret 10")
        self.assertEqual(Message.objects.count(), 4)


class AdminTestCase(TelegramTestCase):
    def test_the_admin_shows_messages_read_only(self) -> None:
        self.link(self.alice)
        self.say("кофе 250")
        self.alice.is_staff = self.alice.is_superuser = True
        self.alice.save()
        self.client.force_login(self.alice)
        message = Message.objects.first()
        assert message is not None
        self.assertContains(self.client.get("/admin/messaging/message/"), "кофе 250")
        change = self.client.get(f"/admin/messaging/message/{message.pk}/change/")
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, 'name="_save"')
        self.assertEqual(self.client.get("/admin/messaging/message/add/").status_code, 403)
