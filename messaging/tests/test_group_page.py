"""The ledger's page and its Telegram group: a manager makes the `?startgroup=` code and
unlinks the group; every member sees which group keeps the books."""

import re

from django.test import override_settings

from accounts.models import User
from audit.models import AuditLog
from ledgers.tests.household import HouseholdTestCase
from messaging.linking import groups
from messaging.linking.codes import code_hash
from messaging.models import LinkCode
from messaging.tests.helpers import BOT, TELEGRAM_SETTINGS, group_chat_id, linked_group

GROUP_ID = -1001234567890


@override_settings(**TELEGRAM_SETTINGS)
class TelegramGroupPageTestCase(HouseholdTestCase):
    def link_url(self) -> str:
        return f"/ledgers/{self.home.pk}/telegram/link/"

    def unlink_url(self) -> str:
        return f"/ledgers/{self.home.pk}/telegram/unlink/"

    def page(self) -> str:
        response = self.client.get(f"/ledgers/{self.home.pk}/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_manager_gets_a_startgroup_link_with_its_qr_code_shown_once(self) -> None:
        self.client.force_login(self.alice)
        self.assertIn("Привязать группу Telegram", self.page())
        response = self.client.post(self.link_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        html = response.content.decode()
        match = re.search(rf"https://t\.me/{BOT}\?startgroup=([A-Z0-9]{{8}})", html)
        assert match is not None, html
        code = match[1]
        self.assertIn("<svg", html)
        self.assertIn(f"/start@{BOT} {code}", html)
        link = LinkCode.objects.get()
        self.assertEqual(
            (link.ledger, link.user, link.code_hash), (self.home, self.alice, code_hash(code))
        )
        row = AuditLog.objects.get(action="link_code.create")
        self.assertEqual(row.ledger_id, self.home.pk)
        self.assertNotIn(code, str(row.details))
        # Not kept anywhere the next page could show it.
        self.assertNotIn(code, self.page())

    def test_a_member_or_a_read_only_member_cannot_make_one(self) -> None:
        for user in (self.carol, self.dave):
            self.client.force_login(user)
            self.assertNotIn("Привязать группу Telegram", self.page())
            self.assertEqual(self.client.post(self.link_url()).status_code, 403)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.link_url()).status_code, 404)
        self.assertFalse(LinkCode.objects.exists())

    def test_members_see_the_linked_group_and_a_manager_unlinks_it(self) -> None:
        groups.group_link(
            user=self.alice, ledger=self.home, chat_id=GROUP_ID, title="Семья", source="cli"
        )
        self.client.force_login(self.carol)
        page = self.page()
        self.assertIn("Эту книгу ведёт группа Telegram «Семья»", page)
        self.assertNotIn("Отвязать группу", page)
        self.assertEqual(self.client.post(self.unlink_url()).status_code, 403)
        self.assertEqual(group_chat_id(self.home), GROUP_ID)

        self.client.force_login(self.alice)
        self.assertIn("Отвязать группу", self.page())
        response = self.client.post(self.unlink_url(), follow=True)
        self.assertContains(response, "Группа Telegram «Семья» больше не ведёт эту книгу.")
        self.home.refresh_from_db()
        self.assertEqual(linked_group(self.home), (None, ""))
        row = AuditLog.objects.get(action="ledger.telegram_unlink")
        self.assertEqual(
            (row.user, row.source, row.details["reason"]), (self.alice, "web", "unlinked")
        )

    def test_it_shows_in_english_too(self) -> None:
        User.objects.filter(pk=self.alice.pk).update(language="en")
        self.client.force_login(self.alice)
        response = self.client.post(self.link_url())
        self.assertContains(response, f"Add @{BOT} to a group")

    @override_settings(TELEGRAM_BOT_TOKEN="")
    def test_without_the_bot_there_is_no_button_and_no_code(self) -> None:
        self.client.force_login(self.alice)
        self.assertNotIn("Привязать группу Telegram", self.page())
        response = self.client.post(self.link_url(), follow=True)
        self.assertContains(response, "Бот Telegram на этом сервере не настроен")
        self.assertFalse(LinkCode.objects.exists())
