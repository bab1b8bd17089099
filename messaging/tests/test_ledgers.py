"""A linked chat acts in the person's active ledger: a household's books once the person
switches to it, their personal ones before; a read-only member's chat records nothing."""

from decimal import Decimal

from audit.models import AuditLog
from finance.models import BudgetItem, Transaction
from finance.services.books import ledger_create
from ledgers import services
from ledgers.models import Membership
from messaging.tests.helpers import ALICE_TG, TelegramTestCase

CAROL_TG = 444_000_004
DAVE_TG = 555_000_005


class ActiveLedgerTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.home = ledger_create(user=self.alice, name="Home", source="cli")
        Membership.objects.create(ledger=self.home, user=self.bob, role=Membership.Role.READONLY)

    def test_records_go_to_the_personal_ledger_then_to_the_household_after_switching(
        self,
    ) -> None:
        self.link(self.alice)
        self.say("кофе 250")
        first = Transaction.objects.get()
        self.assertEqual(first.ledger, self.ledger(self.alice))

        services.ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.say("такси 400")
        second = Transaction.objects.latest("pk")
        self.assertEqual(second.ledger, self.home)
        self.assertEqual((second.created_by, second.paid_by), (self.alice, self.alice))
        self.assertEqual(second.category.ledger, self.home)
        row = AuditLog.objects.filter(action="transaction.create").latest("pk")
        self.assertEqual(row.ledger_id, self.home.pk)

        # /month reads the household's books: the taxi, not the personal coffee.
        month = self.say("/month")["text"]
        self.assertIn("400", month)
        self.assertNotIn("250", month)

    def test_a_correction_from_the_chat_stays_in_the_household(self) -> None:
        self.link(self.alice)
        services.ledger_activate(user=self.alice, ledger=self.home, source="web")
        self.say("кофе 250")
        tx = Transaction.objects.get()
        self.say("300", reply_to=self.last_message_id())
        tx.refresh_from_db()
        self.assertEqual((tx.ledger, tx.amount), (self.home, Decimal("300.00")))

    def test_a_read_only_members_chat_is_refused_and_writes_nothing(self) -> None:
        self.link(self.bob, telegram_id=ALICE_TG)
        self.say("чай 50")  # the same chat may write to Bob's own books
        self.assertEqual(Transaction.objects.get().ledger, self.ledger(self.bob))
        services.ledger_activate(user=self.bob, ledger=self.home, source="web")
        reply = self.say("кофе 250")
        self.assertFalse(Transaction.objects.filter(ledger=self.home).exists())
        self.assertFalse(BudgetItem.objects.exists())
        # Bob's own language (English): the dispatcher's 403 in the chat's words.
        self.assertEqual(reply["text"], "This chat is not allowed to do that.")
