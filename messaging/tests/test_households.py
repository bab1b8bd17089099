"""A household in Telegram: expenses split by words and by the Split button, who owes
whom (/balance), settling up (/settle and its buttons), in the group and in private."""

from decimal import Decimal
from typing import Any

from finance.models import Settlement, Share, Transaction
from messaging.tests.helpers import ALICE_TG, text_update
from messaging.tests.test_groups import CAROL_TG, DAVE_TG, GroupTestCase


class HouseholdGroupTestCase(GroupTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_group()

    def shares(self, tx: Transaction) -> dict[str, int]:
        rows = Share.objects.filter(split_id=tx.pk).select_related("user")
        return {s.user.username: s.amount_minor for s in rows if s.user}

    def last_reply(self, sent: list[dict[str, Any]]) -> dict[str, Any]:
        self.assertTrue(sent, "the bot said nothing")
        return sent[-1]

    def test_a_recorded_expense_is_split_and_can_be_split_otherwise(self) -> None:
        reply = self.last_reply(self.write("пицца 900", ALICE_TG))
        tx = Transaction.objects.get(ledger=self.home)
        self.assertEqual(self.shares(tx), {"alice": 30000, "carol": 30000, "dave": 30000})
        self.assertIn("Поделено: alice 300,00 ₽ · carol 300,00 ₽ · dave 300,00 ₽", reply["text"])
        self.assertIn(("Поделить", f"sp:{tx.pk}"), self.buttons(reply))
        confirmation = self.last_message_id()

        # Only the one who recorded it may change its split.
        self.assertIn(
            "Это не ваше", self.press(f"sp:{tx.pk}", message_id=confirmation, sender=CAROL_TG)
        )
        self.press(f"sp:{tx.pk}", message_id=confirmation, sender=ALICE_TG)
        menu = self.last_sent()
        self.assertEqual(
            self.buttons(menu),
            [
                ("Всем", f"sa:{tx.pk}"),
                ("Только мне", f"sm:{tx.pk}"),
                ("С carol", f"sw:{tx.pk}:{self.carol.pk}"),
                ("С dave", f"sw:{tx.pk}:{self.dave.pk}"),
            ],
        )
        self.press(
            f"sw:{tx.pk}:{self.carol.pk}", message_id=self.last_message_id(), sender=ALICE_TG
        )
        self.assertEqual(self.shares(tx), {"alice": 45000, "carol": 45000})
        self.assertIn("Поделено: alice 450,00 ₽ · carol 450,00 ₽", self.last_sent()["text"])

    def test_words_say_who_shares_it(self) -> None:
        self.write("такси 300 пополам с alice", CAROL_TG)
        tx = Transaction.objects.get(ledger=self.home)
        self.assertEqual((tx.paid_by, tx.note), (self.carol, "такси"))
        self.assertEqual(self.shares(tx), {"alice": 15000, "carol": 15000})
        # Halves among three, with nobody named: asked with whom, nothing recorded.
        reply = self.last_reply(self.write("кофе 300 пополам", CAROL_TG))
        self.assertIn("С кем?", reply["text"])
        self.assertEqual(Transaction.objects.filter(ledger=self.home).count(), 1)

    def test_balance_and_settling_up_with_the_buttons(self) -> None:
        self.write("продукты 3000", ALICE_TG)
        reply = self.last_reply(self.write("/balance", DAVE_TG))
        self.assertIn("Who owes whom in “Home”:", reply["text"])
        self.assertIn("alice: +2,000.00", reply["text"])
        self.assertIn("carol → alice: 1,000.00", reply["text"])

        reply = self.last_reply(self.write("/settle", CAROL_TG))
        buttons = self.buttons(reply)
        self.assertEqual(
            [data for _text, data in buttons],
            [
                f"st:{self.carol.pk}:{self.alice.pk}:1000.00:RUB",
                f"st:{self.dave.pk}:{self.alice.pk}:1000.00:RUB",
            ],
        )
        settle_message = self.last_message_id()
        # Carol presses her own transfer, twice: it is recorded once.
        data = buttons[0][1]
        for _press in range(2):
            notice = self.press(data, message_id=settle_message, sender=CAROL_TG)
            self.assertIn("Записал: carol → alice", notice)
        settlement = Settlement.objects.get()
        self.assertEqual(
            (settlement.from_user, settlement.to_user, settlement.amount, settlement.source),
            (self.carol, self.alice, Decimal("1000.00"), "telegram"),
        )
        # What was recorded can be undone from its own button.
        self.assertIn(("Отменить", f"su:{settlement.pk}"), self.buttons(self.last_sent()))
        undo_message = self.last_message_id()
        self.press(f"su:{settlement.pk}", message_id=undo_message, sender=CAROL_TG)
        self.assertFalse(Settlement.objects.exists())
        # The spent button says so instead of claiming to record again.
        notice = self.press(data, message_id=settle_message, sender=CAROL_TG)
        self.assertIn("Эта кнопка уже использована", notice)
        self.assertFalse(Settlement.objects.exists())

    def test_a_member_may_settle_only_their_own_and_a_reader_nothing(self) -> None:
        self.write("продукты 3000", ALICE_TG)
        reply = self.last_reply(self.write("/settle 2", CAROL_TG))  # dave -> alice
        self.assertIn("Записать этот перевод могут только", reply["text"])
        reply = self.last_reply(self.write("/settle 2", DAVE_TG))
        self.assertIn("may read “Home” but not record", reply["text"])
        self.assertFalse(Settlement.objects.exists())
        reply = self.last_reply(self.write("/settle 2", ALICE_TG))  # the owner records any
        self.assertIn("Записал: dave → alice: 1\xa0000,00 ₽", reply["text"])
        reply = self.last_reply(self.write("/settle 9", ALICE_TG))
        self.assertIn("Нет перевода 9", reply["text"])
        self.assertEqual(Settlement.objects.count(), 1)

    def test_a_payment_back_said_in_words(self) -> None:
        self.write("продукты 3000", ALICE_TG)
        type(self.carol).objects.filter(pk=self.carol.pk).update(first_name="Маша")
        # Carol, in her own words, to alice; then alice says what dave paid her.
        reply = self.last_reply(self.write("вернула alice 600", CAROL_TG))
        self.assertIn("Записал: carol → alice: 600,00 ₽", reply["text"])
        self.assertIn(("Отменить", f"su:{Settlement.objects.get().pk}"), self.buttons(reply))
        reply = self.last_reply(self.write("dave вернул мне 1 000", ALICE_TG))
        self.assertIn("Записал: dave → alice: 1\xa0000,00 ₽", reply["text"])
        self.assertEqual(
            sorted(Settlement.objects.values_list("from_user", "to_user", "amount", "source")),
            sorted(
                [
                    (self.carol.pk, self.alice.pk, Decimal(600), "telegram"),
                    (self.dave.pk, self.alice.pk, Decimal(1000), "telegram"),
                ]
            ),
        )
        # Carol by her first name, in its dative: she received it, so she may record it.
        reply = self.last_reply(self.write("dave вернул Маше 50", CAROL_TG))
        self.assertIn("Записал: dave → carol: 50,00 ₽", reply["text"])
        # A member records only what they paid or received: alice -> dave is not hers.
        reply = self.last_reply(self.write("alice вернула dave 5", CAROL_TG))
        self.assertIn("Записать этот перевод могут только", reply["text"])
        # None of it is an expense.
        self.assertEqual(Transaction.objects.filter(ledger=self.home).count(), 1)
        # Not a payment between members: an expense as ever.
        self.write("вернул за такси 500", ALICE_TG)
        self.assertEqual(Transaction.objects.filter(ledger=self.home).count(), 2)
        self.assertEqual(Settlement.objects.count(), 3)

    def test_everyone_settled_up(self) -> None:
        reply = self.last_reply(self.write("/settle", ALICE_TG))
        self.assertIn("Все в расчёте", reply["text"])
        reply = self.last_reply(self.write("/balance", ALICE_TG))
        self.assertIn("Никто никому не должен в «Home»", reply["text"])


class HouseholdPrivateTestCase(GroupTestCase):
    def test_a_private_chat_reads_the_active_ledgers_balances(self) -> None:
        reply = self.say("/balance")
        self.assertIn("Никто никому не должен", reply["text"])
        # A personal ledger's confirmation has no Split button.
        reply = self.say("кофе 250 пополам")
        self.assertNotIn("sp:", str(self.buttons(reply)))
        self.assertNotIn("Поделено", reply["text"])
        from ledgers.services import ledger_activate

        ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.post(text_update("такси 600 за меня и carol"))
        tx = Transaction.objects.get(ledger=self.home)
        self.assertEqual(
            {s.user_id: s.amount_minor for s in Share.objects.filter(split_id=tx.pk)},
            {self.alice.pk: 30000, self.carol.pk: 30000},
        )
        reply = self.say("/balance")
        self.assertIn("carol: −300,00 ₽", reply["text"])
