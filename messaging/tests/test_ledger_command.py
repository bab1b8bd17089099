"""`/ledger` in a private chat: which ledgers the person has and where the chat records,
and switching it (the cabinet's switch, from the chat)."""

import json

from accounts.models import User
from audit.models import AuditLog
from finance.models import Transaction
from finance.services.books import ledger_create
from ledgers import services
from ledgers.models import Membership
from messaging.tests.helpers import BOB_TG, TelegramTestCase, callback_update


class LedgerCommandTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Lower case: "alice" then "home" in any collation's order.
        self.home = ledger_create(user=self.alice, name="home", source="cli")
        self.link(self.alice)

    def test_with_one_ledger_the_answer_names_it(self) -> None:
        self.link(self.bob, telegram_id=BOB_TG)
        reply = self.say("/ledger", sender=BOB_TG, language_code="en")
        self.assertEqual(reply["text"], "I record into “bob”, your only ledger.")
        self.assertEqual(self.buttons(reply), [])
        reply = self.say("/ledger Home", sender=BOB_TG)
        self.assertEqual(reply["text"], "I record into “bob”, your only ledger.")

    def test_it_lists_the_ledgers_with_the_active_one_marked_and_buttons_to_switch(self) -> None:
        reply = self.say("/ledger")
        lines = reply["text"].splitlines()
        self.assertEqual(lines[0], "Ваши книги учёта (✓ — куда я записываю):")
        self.assertEqual(lines[1], "✓ 1. alice · Владелец")
        self.assertEqual(lines[2], "   2. home · Владелец")
        self.assertIn("/ledger и номер или название", lines[3])
        self.assertEqual(self.buttons(reply), [("home", f"l:{self.home.pk}")])

    def test_a_button_switches_and_the_next_record_lands_in_the_new_ledger(self) -> None:
        self.say("/ledger")
        self.post(callback_update(f"l:{self.home.pk}", message_id=self.last_message_id()))
        notice = json.loads(self.answer_route.calls.last.request.content)["text"]
        self.assertEqual(notice, "Теперь я записываю в «home».")
        self.assertEqual(User.objects.get(pk=self.alice.pk).active_ledger_id, self.home.pk)
        self.say("кофе 250")
        self.assertEqual(Transaction.objects.get().ledger, self.home)

    def test_a_number_or_a_name_switches(self) -> None:
        reply = self.say("/ledger 2")
        self.assertEqual(reply["text"], "Теперь я записываю в «home».")
        self.say("кофе 250")
        row = AuditLog.objects.get(action="ledger.activate")
        self.assertEqual((row.source, row.ledger_id), ("telegram", self.home.pk))
        self.assertEqual(Transaction.objects.get().ledger, self.home)

        self.say("/ledger ALI")  # the one name it begins, in any case
        self.say("такси 400")
        self.assertEqual(Transaction.objects.latest("pk").ledger, self.ledger(self.alice))

    def test_an_unknown_ledger_changes_nothing(self) -> None:
        for wrong in ("Dacha", "3", "0"):
            reply = self.say(f"/ledger {wrong}")
            self.assertIn(f"У вас нет книги учёта «{wrong}»", reply["text"])
        self.assertNotEqual(User.objects.get(pk=self.alice.pk).active_ledger_id, self.home.pk)

    def test_a_button_for_a_ledger_the_person_left_no_longer_works(self) -> None:
        shared = ledger_create(user=self.bob, name="Bob's", source="cli")
        Membership.objects.create(ledger=shared, user=self.alice, role=Membership.Role.MEMBER)
        self.say("/ledger")
        message_id = self.last_message_id()
        services.member_remove(user=self.alice, ledger=shared, member_user=self.alice, source="cli")
        self.post(callback_update(f"l:{shared.pk}", message_id=message_id))
        notice = json.loads(self.answer_route.calls.last.request.content)["text"]
        self.assertEqual(notice, "Эта кнопка больше не работает.")
        self.assertNotEqual(User.objects.get(pk=self.alice.pk).active_ledger_id, shared.pk)

    def test_switching_to_a_read_only_ledger_says_records_will_be_refused(self) -> None:
        shared = ledger_create(user=self.bob, name="Bob's", source="cli")
        Membership.objects.create(ledger=shared, user=self.alice, role=Membership.Role.READONLY)
        reply = self.say("/ledger Bob's")
        self.assertEqual(
            reply["text"],
            "Теперь я записываю в «Bob's». Её вы можете только читать: записать туда не получится.",
        )

    def test_the_help_mentions_it(self) -> None:
        self.assertIn("/ledger", self.say("/help")["text"])

    def test_digits_that_are_not_ascii_are_names_not_numbers(self) -> None:
        # "²".isdigit() is true and int("²") fails: it must read as a name nobody has.
        reply = self.say("/ledger ²")
        self.assertIn("²", reply["text"])
        self.assertEqual(self.alice.active_ledger, self.ledger(self.alice))

    def test_a_forged_ledger_button_is_answered(self) -> None:
        self.say("/ledger")
        response = self.post(callback_update("l:²", message_id=self.last_message_id()))
        self.assertEqual(response.status_code, 200)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.active_ledger, self.ledger(self.alice))
