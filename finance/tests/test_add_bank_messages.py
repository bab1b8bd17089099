"""Bank notifications pasted on the cabinet's Add page."""

import time_machine

from config.testing import BaseTestCase
from finance.models import Capture, Transaction
from finance.services.text import record_from_text
from finance.tests.bank_recording import NOW, Expected, comparable, expected, one_of_each
from ledgers.models import Membership

URL = "/transactions/add/bank/"
PURCHASE = "ECMC1234 11:50 Покупка 250р KOFEJNYA SHOKOLADNICA Баланс: 9750.00р"
TRANSFER = "MIR-5521 09:45 перевод 2000р получатель Сергей П. Баланс: 1 456.78р"


def as_expected(tx: Transaction) -> Expected:
    return Expected(
        "recorded",
        kind=tx.kind,
        amount=f"{tx.amount:.2f}",
        currency=tx.currency,
        date=tx.date.isoformat(),
        category=tx.category.slug,
    )


@time_machine.travel(NOW, tick=False)
class AddBankMessagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def paste(self, text: str, **extra: str) -> str:
        response = self.client.post(URL, {"text": text, **extra})
        self.assertEqual(response.status_code, 200)
        return str(response.content.decode())

    def test_every_banks_notification_records_as_the_corpus_says_once(self) -> None:
        for example in one_of_each():
            (op,) = example["expect"]
            want = expected(op)
            with self.subTest(group=example["group"], kind=op["kind"]):
                before = set(Transaction.objects.values_list("pk", flat=True))
                page = self.paste(example["text"])
                new = list(Transaction.objects.exclude(pk__in=before).select_related("category"))
                self.assertIn('id="bank-items"', page)
                if want.outcome == "skipped":
                    self.assertEqual(new, [])
                    self.assertIn("Не записано", page)
                elif new:
                    (tx,) = new
                    self.assertEqual(comparable(want, as_expected(tx)), want)
                    self.assertEqual(tx.source, "web")
                    self.assertIn("Записано:", page)
                    self.paste(example["text"])  # pasted again: nothing new
                    self.assertEqual(Transaction.objects.exclude(pk__in=before).count(), 1)
                else:  # an SMS's push after it
                    self.assertIn("Уже записано", page)

    def test_a_match_can_be_recorded_separately(self) -> None:
        typed = record_from_text(user=self.alice, kind="expense", text="250", source="web")
        page = self.paste(PURCHASE)
        match = Capture.objects.get(matched=True)
        self.assertEqual(match.transaction, typed)
        self.assertIn(f'action="/transactions/matches/{match.pk}/separately/"', page)
        response = self.client.post(f"/transactions/matches/{match.pk}/separately/")
        self.assertRedirects(response, "/transactions/add/", fetch_redirect_response=False)
        self.assertEqual(Transaction.objects.count(), 2)
        # Again, or someone else's: nothing more.
        again = self.client.post(f"/transactions/matches/{match.pk}/separately/")
        self.assertEqual(again.status_code, 404)
        self.client.force_login(self.bob)
        self.assertEqual(
            self.client.post(f"/transactions/matches/{match.pk}/separately/").status_code, 404
        )
        self.assertEqual(Transaction.objects.count(), 2)

    def test_a_transfer_is_recorded_when_asked(self) -> None:
        page = self.paste(TRANSFER)
        self.assertIn('name="record_transfers"', page)
        self.assertFalse(Transaction.objects.exists())
        self.paste(TRANSFER, record_transfers="on")
        (tx,) = Transaction.objects.all()
        self.assertEqual(
            (tx.kind, str(tx.amount), tx.category.slug), ("expense", "2000.00", "other")
        )

    def test_a_text_without_a_notification_is_refused_on_the_form(self) -> None:
        response = self.client.post(URL, {"text": "кофе 250"})
        self.assertContains(response, "В этом тексте нет уведомления банка.")
        self.assertFalse(Transaction.objects.exists())

    def test_a_read_only_member_records_nothing(self) -> None:
        home = self.ledger(self.alice)
        Membership.objects.create(ledger=home, user=self.bob, role="readonly")
        self.bob.active_ledger = home
        self.bob.save()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(URL, {"text": PURCHASE}).status_code, 403)
        self.assertFalse(Transaction.objects.exists())
