"""A Telegram group linked to a ledger: a manager links it with a `?startgroup=` code;
then each member with write rights records in it as themselves, others are told
privately how to link, and the link follows the group to a supergroup and ends when the
bot is removed. Updates are shaped as the Bot API's (Update, Message, CallbackQuery,
ChatMemberUpdated with chat.type group/supergroup)."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import time_machine
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create, user_set_access
from audit.models import AuditLog
from config.testing import PASSWORD, at_once, clear_cache
from finance.models import Transaction
from finance.services.books import ledger_create
from ledgers import access
from ledgers.models import Membership
from ledgers.tests.household import HouseholdTestCase
from messaging.linking import groups
from messaging.linking.codes import (
    LinkedGroup,
    group_code_create,
    group_code_redeem,
    link_code_create,
)
from messaging.linking.contacts import Account
from messaging.models import LinkCode, UserContact
from messaging.telegram import ANONYMOUS_ADMIN_ID
from messaging.tests.helpers import (
    ALICE_TG,
    BOB_TG,
    BOT,
    DATE,
    STRANGER_TG,
    TELEGRAM_SETTINGS,
    TelegramTestCase,
    edited_update,
    group_chat_id,
    group_title,
    linked_group,
    text_update,
    tg_user,
    update,
)

CAROL_TG = 444_000_004
DAVE_TG = 555_000_005
GROUP_ID = -1001234567890
GROUP = {"id": GROUP_ID, "title": "Семья", "type": "supergroup"}
OLD_GROUP = {"id": -4012345, "title": "Семья", "type": "group"}
SUPERGROUP_ID = -1009876543210


def group_callback(data: str, *, message_id: int, sender: int, chat: dict[str, Any]) -> Any:
    return update(
        "callback_query",
        None,
        id=f"cb-{sender}-{message_id}-{data}",
        **{"from": tg_user(sender)},
        message={
            "message_id": message_id,
            "from": {"id": 999, "is_bot": True, "first_name": "Kopilka", "username": BOT},
            "chat": chat,
            "date": DATE,
            "text": "Записал: …",
        },
        chat_instance="-8812",
        data=data,
    )


def bot_member_update(chat: dict[str, Any], status: str, *, by: int = ALICE_TG) -> Any:
    """ChatMemberUpdated about the bot itself (my_chat_member)."""
    bot = {"id": 999, "is_bot": True, "first_name": "Kopilka", "username": BOT}
    return update(
        "my_chat_member",
        None,
        chat=chat,
        **{"from": tg_user(by)},
        date=DATE,
        old_chat_member={"user": bot, "status": "member"},
        new_chat_member={"user": bot, "status": status, "until_date": 0}
        if status == "kicked"
        else {"user": bot, "status": status},
    )


class GroupTestCase(TelegramTestCase, HouseholdTestCase):
    """The ledgers' household (Alice owns "Home", Carol is a member, Dave a read-only
    member, Bob a stranger), Dave speaking English; each has linked their own Telegram."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User.objects.filter(pk=cls.dave.pk).update(language="en")
        cls.dave.language = "en"

    def setUp(self) -> None:
        super().setUp()
        clear_cache()  # the private hints' once-in-a-while marks
        self.link(self.alice, ALICE_TG)
        self.link(self.carol, CAROL_TG)
        self.link(self.dave, DAVE_TG)
        self.link(self.bob, BOB_TG)

    def link_group(self, chat: dict[str, Any] = GROUP) -> None:
        groups.group_link(
            user=self.alice, ledger=self.home, chat_id=chat["id"], title=chat["title"], source="cli"
        )

    def write(self, text: str, sender: int, *, chat: dict[str, Any] = GROUP, **kwargs: Any) -> Any:
        """`sender` writes `text` in the group; returns what the bot sent (maybe nothing)."""
        before = self.send_route.call_count
        response = self.post(text_update(text, sender=sender, chat=chat, **kwargs))
        self.assertEqual(response.status_code, 200, response.content)
        return self.sent()[before:]

    def press(self, data: str, *, message_id: int, sender: int) -> str:
        """`sender` presses a button; returns what the button's spinner said."""
        before = self.answer_route.call_count
        self.post(group_callback(data, message_id=message_id, sender=sender, chat=GROUP))
        self.assertEqual(self.answer_route.call_count, before + 1)
        return str(json.loads(self.answer_route.calls.last.request.content).get("text", ""))


class GroupLinkingTestCase(GroupTestCase):
    def test_a_manager_links_the_group_with_the_startgroup_code(self) -> None:
        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        (reply,) = self.write(f"/start@{BOT} {issued.code}", ALICE_TG)
        self.home.refresh_from_db()
        self.assertEqual(linked_group(self.home), (GROUP_ID, "Семья"))
        self.assertEqual(reply["chat_id"], GROUP_ID)
        self.assertIn("Теперь эта группа ведёт книгу учёта «Home»", reply["text"])
        self.assertIsNotNone(LinkCode.objects.get(ledger=self.home).used_at)
        row = AuditLog.objects.get(action="ledger.telegram_link")
        self.assertEqual(
            (row.user, row.ledger_id, row.source), (self.alice, self.home.pk, "telegram")
        )
        self.assertEqual(row.details["chat"], GROUP_ID)
        self.assertNotIn(issued.code, json.dumps(list(AuditLog.objects.values("details"))))

    def test_a_plain_member_is_refused_and_the_code_still_works_for_a_manager(self) -> None:
        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        (reply,) = self.write(f"/start {issued.code}", CAROL_TG)
        self.assertIn(
            "Привязать группу к книге могут только её владельцы и управляющие", reply["text"]
        )
        self.home.refresh_from_db()
        self.assertIsNone(group_chat_id(self.home))
        self.assertIsNone(LinkCode.objects.get(ledger=self.home).used_at)
        self.write(f"/start {issued.code}", ALICE_TG)
        self.home.refresh_from_db()
        self.assertEqual(group_chat_id(self.home), GROUP_ID)

    def test_a_sender_without_a_link_is_refused(self) -> None:
        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        (reply,) = self.write(f"/start {issued.code}", STRANGER_TG, language_code="en")
        self.assertIn("I do not know you yet: link your own Telegram", reply["text"])
        self.assertIsNone(group_chat_id(self.home))
        self.assertIsNone(LinkCode.objects.get(ledger=self.home).used_at)

    def test_an_expired_or_used_code_is_refused(self) -> None:
        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
            (reply,) = self.write(f"/start {issued.code}", ALICE_TG)
        self.assertIn("Срок действия кода истёк", reply["text"])
        self.assertIsNone(group_chat_id(self.home))

        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        self.write(f"/start {issued.code}", ALICE_TG)
        other = {"id": -100555, "title": "Другая", "type": "supergroup"}
        (reply,) = self.write(f"/start {issued.code}", ALICE_TG, chat=other)
        self.assertIn("Этот код уже использован", reply["text"])
        self.assertEqual(group_chat_id(self.home), GROUP_ID)

    def test_a_personal_code_does_not_link_a_group_nor_a_group_code_a_person(self) -> None:
        personal = link_code_create(user=self.alice, channel="telegram", source="web")
        (reply,) = self.write(f"/start {personal.code}", ALICE_TG)
        self.assertIn("Код неверный", reply["text"])
        # A group's code sent privately must not link that chat to the manager's account.
        group_code = group_code_create(user=self.alice, ledger=self.home, source="web")
        reply = self.say(f"/start {group_code.code}", sender=STRANGER_TG)
        self.assertIn("Код неверный", reply["text"])
        self.assertFalse(UserContact.objects.filter(telegram_id=STRANGER_TG).exists())
        self.assertIsNone(LinkCode.objects.get(ledger=self.home).used_at)

    def test_only_a_manager_makes_a_group_code(self) -> None:
        with self.assertRaises(access.LedgerForbidden):
            group_code_create(user=self.carol, ledger=self.home, source="web")
        with self.assertRaises(access.LedgerNotFound):
            group_code_create(user=self.bob, ledger=self.home, source="web")
        self.assertFalse(LinkCode.objects.exists())

    def test_a_group_keeps_the_books_of_one_ledger_at_a_time(self) -> None:
        self.link_group()
        other = ledger_create(user=self.alice, name="Dacha", source="cli")
        issued = group_code_create(user=self.alice, ledger=other, source="web")
        (reply,) = self.write(f"/start {issued.code}", ALICE_TG)
        self.assertIn("уже ведёт другую книгу", reply["text"])
        self.assertEqual(group_chat_id(self.home), GROUP_ID)
        self.assertIsNone(group_chat_id(other))
        self.assertIsNone(LinkCode.objects.get(ledger=other).used_at)

    def test_edits_in_a_group_not_linked_get_no_answer(self) -> None:
        body = text_update("кофе 300", sender=ALICE_TG, chat=GROUP)
        body["edited_message"] = {**body.pop("message"), "edit_date": DATE + 60}
        self.post(body)
        self.assertEqual(self.sent(), [])

    def test_a_ledger_linking_another_group_lets_the_first_go(self) -> None:
        self.link_group()
        second = {"id": -100777, "title": "Дача", "type": "supergroup"}
        issued = group_code_create(user=self.alice, ledger=self.home, source="web")
        self.write(f"/start {issued.code}", ALICE_TG, chat=second)
        self.assertEqual(group_chat_id(self.home), -100777)
        (reply,) = self.write("кофе 250", ALICE_TG)
        self.assertIn("не привязана", reply["text"])
        self.assertFalse(Transaction.objects.exists())


@override_settings(**TELEGRAM_SETTINGS)
class ConcurrentGroupRedemptionTestCase(TransactionTestCase):
    def test_two_redemptions_of_one_code_at_once_exactly_one_wins(self) -> None:
        alice = user_create(username="alice", password=PASSWORD, source="cli")
        carol = user_create(username="carol", password=PASSWORD, source="cli")
        home = ledger_create(user=alice, name="Home", source="cli")
        Membership.objects.create(ledger=home, user=carol, role=Membership.Role.MANAGER)
        for user, telegram_id in ((alice, ALICE_TG), (carol, CAROL_TG)):
            UserContact.objects.create(
                user=user, channel="telegram", telegram_id=telegram_id, chat_id=str(telegram_id)
            )
        issued = group_code_create(user=alice, ledger=home, source="web")
        senders = [(ALICE_TG, -100111), (CAROL_TG, -100222)]
        results = at_once(
            2,
            lambda n: group_code_redeem(
                account=Account(
                    channel="telegram", chat_id=str(senders[n][1]), telegram_id=senders[n][0]
                ),
                chat_id=senders[n][1],
                title=f"Group {n}",
                code=issued.code,
                source="telegram",
            ),
        )
        won = [r for r in results if isinstance(r, LinkedGroup)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual((len(won), len(lost)), (1, 1), results)
        self.assertEqual(lost[0].code, "code_used")
        home.refresh_from_db()
        self.assertEqual(group_chat_id(home), won[0].group.chat_id)
        self.assertEqual(AuditLog.objects.filter(action="ledger.telegram_link").count(), 1)


class GroupRecordingTestCase(GroupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_group()

    def test_two_members_record_each_as_themselves(self) -> None:
        (alice_reply,) = self.write("кофе 250", ALICE_TG)
        (carol_reply,) = self.write("такси 400", CAROL_TG)
        coffee, taxi = Transaction.objects.order_by("pk")
        self.assertEqual(
            (coffee.ledger, coffee.created_by, coffee.paid_by), (self.home, self.alice, self.alice)
        )
        self.assertEqual(
            (taxi.ledger, taxi.created_by, taxi.paid_by), (self.home, self.carol, self.carol)
        )
        self.assertEqual(taxi.amount, Decimal("400.00"))
        self.assertEqual(alice_reply["chat_id"], GROUP_ID)
        self.assertTrue(alice_reply["text"].startswith("Записал: 250,00 ₽"))
        self.assertIn("reply_parameters", carol_reply)
        self.assertEqual(
            [d for _t, d in self.buttons(carol_reply)],
            [f"u:{taxi.pk}", f"k:{taxi.pk}", f"sp:{taxi.pk}"],  # a shared ledger's: "Split"
        )
        # (Plain lines are read by a dry run first: is it a record or talk?)
        rows = (
            AuditLog.objects.filter(action="create_expense")
            .exclude(details__has_key="dry_run")
            .order_by("pk")
        )
        self.assertEqual(
            [(r.user_id, r.ledger_id, r.source, r.details["channel"]) for r in rows],
            [
                (self.alice.pk, self.home.pk, "telegram", str(GROUP_ID)),
                (self.carol.pk, self.home.pk, "telegram", str(GROUP_ID)),
            ],
        )
        # The group's ledger, whatever each person's active ledger is.
        self.assertNotEqual(User.objects.get(pk=self.carol.pk).active_ledger_id, self.home.pk)

    def test_a_read_only_member_is_refused_but_may_read(self) -> None:
        self.write("такси 400", CAROL_TG)
        (reply,) = self.write("coffee 250", DAVE_TG, language_code="en")
        self.assertEqual(
            reply["text"], "You may read “Home” but not record in it: nothing was recorded."
        )
        self.assertEqual(Transaction.objects.count(), 1)
        (month,) = self.write("/month", DAVE_TG)
        self.assertIn("400", month["text"])

    def test_a_non_member_gets_a_private_hint_and_nothing_is_recorded(self) -> None:
        (hint,) = self.write("coffee 250", BOB_TG, language_code="en")
        self.assertEqual(hint["chat_id"], BOB_TG)
        self.assertIn(
            "which keeps the books of the ledger “Home”. You are not its member", hint["text"]
        )
        self.assertFalse(Transaction.objects.exists())

    def test_an_unlinked_sender_is_told_privately_or_briefly_in_the_group(self) -> None:
        (hint,) = self.write("кофе 250", STRANGER_TG)
        self.assertEqual(hint["chat_id"], STRANGER_TG)
        self.assertIn("Я ещё не знаю ваш Telegram", hint["text"])

        def closed_private_chat(request: httpx.Request) -> httpx.Response:
            if json.loads(request.content)["chat_id"] == STRANGER_TG:
                return httpx.Response(
                    403,
                    json={
                        "ok": False,
                        "error_code": 403,
                        "description": "Forbidden: bot can't initiate conversation with a user",
                    },
                )
            return self._sent(request)

        self.send_route.mock(side_effect=closed_private_chat)
        tried, fallback = self.write(f"@{BOT} кофе 300", STRANGER_TG, language_code="en")
        self.assertEqual(tried["chat_id"], STRANGER_TG)
        self.assertEqual(fallback["chat_id"], GROUP_ID)
        self.assertIn(f"press Start in a private chat with @{BOT}", fallback["text"])
        self.assertIn("reply_parameters", fallback)
        self.assertFalse(Transaction.objects.exists())

    def test_an_anonymous_admin_is_refused(self) -> None:
        anonymous = {
            "id": ANONYMOUS_ADMIN_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        body = text_update("кофе 250", chat=GROUP, sender_chat=GROUP)
        body["message"]["from"] = anonymous
        self.post(body)
        reply = self.last_sent()
        self.assertEqual(reply["chat_id"], GROUP_ID)
        self.assertIn("an anonymous admin", reply["text"])
        self.assertFalse(Transaction.objects.exists())

    def test_buttons_work_only_for_the_person_who_recorded(self) -> None:
        self.write("кофе 250", ALICE_TG)
        confirmation = self.last_message_id()
        tx = Transaction.objects.get()
        notice = self.press(f"u:{tx.pk}", message_id=confirmation, sender=CAROL_TG)
        self.assertEqual(notice, "Это не ваше: менять запись может только тот, кто её сделал.")
        notice = self.press(f"u:{tx.pk}", message_id=confirmation, sender=STRANGER_TG)
        self.assertIn("не ваше", notice)
        self.assertTrue(Transaction.objects.filter(pk=tx.pk).exists())
        self.press(f"u:{tx.pk}", message_id=confirmation, sender=ALICE_TG)
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())

    def test_a_forged_button_cannot_touch_another_persons_record(self) -> None:
        # The button is on Carol's own confirmation; its data names Alice's transaction.
        self.write("кофе 250", ALICE_TG)
        alices = Transaction.objects.get()
        self.write("такси 400", CAROL_TG)
        carols_confirmation = self.last_message_id()
        taxi = Transaction.objects.exclude(pk=alices.pk).get()
        groceries = self.home_category("groceries")
        for data in (f"u:{alices.pk}", f"k:{alices.pk}", f"c:{alices.pk}:{groceries.pk}"):
            with self.subTest(data=data):
                before = self.send_route.call_count
                notice = self.press(data, message_id=carols_confirmation, sender=CAROL_TG)
                self.assertEqual(
                    notice, "Это не ваше: менять запись может только тот, кто её сделал."
                )
                self.assertEqual(self.send_route.call_count, before)
        alices.refresh_from_db()
        self.assertEqual(alices.category.slug, "cafe")
        # Her own transaction through her own button still works.
        self.press(f"u:{taxi.pk}", message_id=carols_confirmation, sender=CAROL_TG)
        self.assertEqual(list(Transaction.objects.values_list("pk", flat=True)), [alices.pk])

    def test_a_reply_correction_works_only_for_the_person_who_recorded(self) -> None:
        self.write("кофе 250", ALICE_TG)
        confirmation = self.last_message_id()
        tx = Transaction.objects.get()
        (reply,) = self.write("300", CAROL_TG, reply_to=confirmation)
        self.assertIn("не ваше", reply["text"])
        self.assertEqual(Transaction.objects.count(), 1)
        tx.refresh_from_db()
        self.assertEqual(tx.amount, Decimal("250.00"))
        self.write("300", ALICE_TG, reply_to=confirmation)
        tx.refresh_from_db()
        self.assertEqual(tx.amount, Decimal("300.00"))

    def test_an_edit_corrects_the_writers_own_record_and_other_edits_get_no_answer(self) -> None:
        self.write("кофе 250", ALICE_TG, message_id=4401)
        self.post(edited_update("кофе 300", message_id=4401, sender=ALICE_TG, chat=GROUP))
        self.assertEqual(Transaction.objects.get().amount, Decimal("300.00"))
        self.write("встречаемся в 7", CAROL_TG, message_id=4402)
        before = self.send_route.call_count
        self.post(edited_update("встречаемся в 8", message_id=4402, sender=CAROL_TG, chat=GROUP))
        self.assertEqual(self.send_route.call_count, before)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_undo_removes_the_senders_own_last_record_from_this_group(self) -> None:
        self.write("кофе 250", ALICE_TG)
        self.write("такси 400", CAROL_TG)
        (reply,) = self.write("/undo", ALICE_TG)
        self.assertTrue(reply["text"].startswith("Отменил: 250,00 ₽"))
        self.assertEqual(
            list(Transaction.objects.values_list("created_by", flat=True)), [self.carol.pk]
        )
        (reply,) = self.write("/undo", ALICE_TG)
        self.assertIn("Нечего отменять", reply["text"])

    def test_commands_act_on_the_groups_ledger(self) -> None:
        self.say("чай 90")  # Alice's private chat: her personal books
        self.write("такси 400", CAROL_TG)
        (month,) = self.write(f"/month@{BOT}", ALICE_TG)
        self.assertIn("400", month["text"])
        self.assertNotIn("90,00", month["text"])
        (which,) = self.write("/ledger", DAVE_TG)
        self.assertEqual(which["text"], "This group keeps the books of “Home”.")
        (unlink,) = self.write("/unlink", ALICE_TG)
        self.assertIn("В группе я понимаю", unlink["text"])
        self.assertTrue(UserContact.objects.get(telegram_id=ALICE_TG).is_active)
        (help_text,) = self.write("/help", ALICE_TG)
        self.assertIn("/setprivacy", help_text["text"])

    def test_talk_and_other_bots_commands_get_no_answer(self) -> None:
        self.assertEqual(self.write("всем привет, во сколько встречаемся?", ALICE_TG), [])
        self.assertEqual(self.write("созвон в 7 вечера", CAROL_TG), [])
        self.assertEqual(self.write("/month@some_other_bot", ALICE_TG), [])
        self.assertEqual(self.write("привет", STRANGER_TG), [])
        self.assertFalse(Transaction.objects.exists())

    def test_a_mention_of_the_bot_is_not_part_of_the_record(self) -> None:
        self.write(f"@{BOT} кофе 250", ALICE_TG)
        self.assertNotIn(BOT, Transaction.objects.get().note)

    def test_a_mention_or_a_reply_records_what_plain_talk_would_not(self) -> None:
        (reply,) = self.write(f"@{BOT} встреча 700", ALICE_TG)
        tx = Transaction.objects.get()
        self.assertEqual((tx.amount, tx.category.slug), (Decimal("700.00"), "other"))
        self.assertIn("Какая это категория?", reply["text"])

    def test_someone_unknown_is_hinted_once_in_a_while_about_plain_lines(self) -> None:
        self.assertEqual(len(self.write("встречаемся в 7", STRANGER_TG)), 1)
        self.assertEqual(self.write("кофе 250", STRANGER_TG), [])
        # Spoken to for sure: told again.
        (hint,) = self.write("/month", STRANGER_TG)
        self.assertEqual(hint["chat_id"], STRANGER_TG)

    def test_a_group_refusing_a_reply_leaves_the_persons_own_link(self) -> None:
        self.send_route.mock(
            return_value=httpx.Response(
                403,
                json={
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was kicked from the supergroup chat",
                },
            )
        )
        self.write("кофе 250", ALICE_TG)
        self.assertTrue(UserContact.objects.get(telegram_id=ALICE_TG).is_active)


def migrated_away() -> dict[str, Any]:
    """The old group's last message: it became the supergroup SUPERGROUP_ID."""
    return update(
        "message",
        None,
        message_id=90,
        chat=OLD_GROUP,
        date=DATE,
        **{"from": tg_user(ALICE_TG)},
        migrate_to_chat_id=SUPERGROUP_ID,
    )


class GroupLifecycleTestCase(GroupTestCase):
    def test_a_group_upgraded_to_a_supergroup_keeps_its_link(self) -> None:
        self.link_group(OLD_GROUP)
        # The old group's last message, then the new supergroup's first.
        self.post(migrated_away())
        supergroup = {"id": SUPERGROUP_ID, "title": "Семья", "type": "supergroup"}
        self.post(
            update(
                "message",
                None,
                message_id=1,
                chat=supergroup,
                date=DATE,
                **{"from": tg_user(ALICE_TG)},
                migrate_from_chat_id=OLD_GROUP["id"],
            )
        )
        self.home.refresh_from_db()
        self.assertEqual(group_chat_id(self.home), SUPERGROUP_ID)
        row = AuditLog.objects.get(action="ledger.telegram_migrate")
        self.assertEqual(row.details, {"chat": OLD_GROUP["id"], "new_chat": SUPERGROUP_ID})
        self.assertEqual(self.sent(), [])
        self.write("кофе 250", CAROL_TG, chat=supergroup)
        self.assertEqual(Transaction.objects.get().ledger, self.home)

    def test_the_bot_removed_from_the_group_ends_the_link(self) -> None:
        self.link_group()
        self.post(bot_member_update(GROUP, "kicked"))
        self.home.refresh_from_db()
        self.assertIsNone(group_chat_id(self.home))
        self.assertEqual(group_title(self.home), "")
        row = AuditLog.objects.get(action="ledger.telegram_unlink")
        self.assertEqual((row.ledger_id, row.details["reason"]), (self.home.pk, "bot_removed"))

    def test_the_bot_leaving_ends_the_link_and_being_added_changes_nothing(self) -> None:
        self.link_group()
        self.post(bot_member_update(GROUP, "administrator"))
        self.assertEqual(group_chat_id(self.home), GROUP_ID)
        self.post(bot_member_update(GROUP, "left"))
        self.assertIsNone(group_chat_id(self.home))
        self.assertEqual(self.sent(), [])

    def test_a_renamed_group_shows_its_new_title(self) -> None:
        self.link_group()
        self.post(
            update(
                "message",
                None,
                message_id=91,
                chat=GROUP,
                date=DATE,
                **{"from": tg_user(ALICE_TG)},
                new_chat_title="Семья и дача",
            )
        )
        self.assertEqual(group_title(self.home), "Семья и дача")
        self.assertEqual(self.sent(), [])

    def test_a_redelivered_update_is_handled_once(self) -> None:
        self.link_group(OLD_GROUP)
        body = migrated_away()
        self.post(body)
        self.post(body)
        self.assertEqual(AuditLog.objects.filter(action="ledger.telegram_migrate").count(), 1)


class GroupGuardsTestCase(GroupTestCase):
    def test_a_member_switched_off_records_nothing(self) -> None:
        self.link_group()
        user_set_access(
            user=self.carol, is_active=False, is_staff=False, is_superuser=False, source="cli"
        )
        self.write("кофе 250", CAROL_TG)
        self.assertFalse(Transaction.objects.exists())

    def test_a_manager_switched_off_cannot_link_a_group(self) -> None:
        code = group_code_create(user=self.alice, ledger=self.home, source="cli").code
        user_set_access(
            user=self.alice, is_active=False, is_staff=False, is_superuser=False, source="cli"
        )
        self.write(f"/start {code}", ALICE_TG)
        self.home.refresh_from_db()
        self.assertIsNone(group_chat_id(self.home))

    def test_talk_that_is_not_a_record_leaves_no_trace(self) -> None:
        self.link_group()
        before = AuditLog.objects.count()
        self.assertEqual(self.write("встречаемся в 7", CAROL_TG), [])
        self.assertEqual(AuditLog.objects.count(), before)
        self.assertFalse(Transaction.objects.exists())
