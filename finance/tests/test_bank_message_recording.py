"""Bank notifications recorded: the corpus of every bank, once per ledger, the transfers,
the scopes, the ledger's keywords, and two deliveries of one notification at once."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase

from accounts.services import user_create
from config.testing import BaseTestCase, at_once
from finance.models import Capture, Transaction
from finance.services.bank_messages import Item, bank_messages_record, looks_like_notifications
from finance.services.transactions import transaction_update
from finance.tests.bank_recording import NOW, Expected, comparable, examples, expected

SBER_PURCHASE = "ECMC1234 12:34 Покупка 550р PYATEROCHKA 1234 Баланс: 12345.67р"


def view(item: Item) -> Expected:
    if item.outcome != "recorded":
        return Expected(item.outcome, reason=item.reason)
    tx = item.transaction
    assert tx is not None
    return Expected(
        "recorded",
        kind=tx.kind,
        amount=f"{tx.amount:.2f}",
        currency=tx.currency,
        date=tx.date.isoformat(),
        category=tx.category.slug,
    )


@time_machine.travel(NOW, tick=False)
class RecordingTestCase(BaseTestCase):
    def record(self, text: str, **kwargs: object) -> list[Item]:
        return bank_messages_record(user=self.alice, text=text, source="api", **kwargs)  # type: ignore[arg-type]

    def test_every_banks_notifications_record_as_the_corpus_says_once(self) -> None:
        seen: set[str] = set()
        recorded = 0
        for example in examples():
            items = self.record(example["text"])
            self.assertEqual(len(items), len(example["expect"]), example["text"])
            for item, op in zip(items, example["expect"], strict=True):
                with self.subTest(group=example["group"], text=example["text"]):
                    want = expected(op)
                    fingerprint = item.operation.fingerprint
                    if want.outcome == "recorded" and fingerprint in seen:
                        # The same notification as an SMS and as a push: recorded once.
                        self.assertEqual(item.outcome, "duplicate")
                        continue
                    self.assertEqual(comparable(want, view(item)), want)
                    if item.outcome == "recorded":
                        seen.add(fingerprint)
                        recorded += 1
        transactions = Transaction.objects.filter(ledger=self.ledger(self.alice))
        self.assertEqual(transactions.count(), recorded)
        self.assertGreater(recorded, 150)
        # Forwarded again, all of it: nothing new.
        for example in examples():
            for item in self.record(example["text"]):
                if item.outcome != "skipped":
                    self.assertEqual(item.outcome, "duplicate", example["text"])
        self.assertEqual(transactions.count(), recorded)
        self.assertEqual(Capture.objects.filter(matched=False).count(), recorded)

    def test_several_at_once_answer_in_order(self) -> None:
        text = (
            f"{SBER_PURCHASE}\n\n"
            "MIR-5521 08:15 Покупка 349р YANDEX*TAXI Баланс: 5 432.10р\n\n"
            "Tinkoff: Перевод 1 500 ₽ между своими счетами\n\n"
            f"{SBER_PURCHASE}"
        )
        items = self.record(text)
        self.assertEqual(
            [(i.outcome, i.reason) for i in items],
            [("recorded", ""), ("recorded", ""), ("skipped", "own_transfer"), ("duplicate", "")],
        )
        first, taxi = items[0].transaction, items[1].transaction
        assert first is not None and taxi is not None
        self.assertEqual((first.category.slug, first.date), ("groceries", dt.date(2026, 11, 23)))
        self.assertEqual((taxi.category.slug, taxi.date), ("transport", dt.date(2026, 11, 24)))
        self.assertEqual(items[3].transaction, first)
        self.assertEqual(first.note, "PYATEROCHKA 1234")
        self.assertEqual(first.source, "api")

    def test_a_transfer_to_a_person_records_only_when_asked(self) -> None:
        text = "MIR-5521 19:45 перевод 2000р получатель Сергей П. Баланс: 1 456.78р"
        (skipped,) = self.record(text)
        self.assertEqual((skipped.outcome, skipped.reason), ("skipped", "transfer"))
        self.assertFalse(Transaction.objects.exists())
        (recorded,) = self.record(text, record_transfers=True)
        assert recorded.transaction is not None
        self.assertEqual(
            (recorded.outcome, recorded.transaction.kind, recorded.transaction.amount),
            ("recorded", "expense", Decimal("2000.00")),
        )
        (again,) = self.record(text, record_transfers=True)
        self.assertEqual(again.outcome, "duplicate")

    def test_what_the_caller_may_not_record_is_skipped(self) -> None:
        text = f"{SBER_PURCHASE}\n\nСЧЁТ4417 10:01 Зачисление зарплаты 85 000р Баланс: 97 345.67р"
        items = self.record(text, kinds={"expense", "refund"})
        self.assertEqual(
            [(i.outcome, i.reason) for i in items],
            [("recorded", ""), ("skipped", "insufficient_scope")],
        )
        self.assertEqual(Transaction.objects.count(), 1)

    def test_the_ledgers_learned_keywords_file_the_merchant(self) -> None:
        (item,) = self.record(SBER_PURCHASE)
        assert item.transaction is not None
        self.assertEqual(item.transaction.category.slug, "groceries")
        transaction_update(
            tx=item.transaction,
            user=self.alice,
            category=self.category(self.alice, "cafe"),
            source="web",
        )
        (next_one,) = self.record("ECMC1234 09:10 Покупка 220р PYATEROCHKA 77 Баланс: 12125.67р")
        assert next_one.transaction is not None
        self.assertEqual(next_one.transaction.category.slug, "cafe")

    def test_a_text_without_a_notification_writes_nothing(self) -> None:
        for text in ("Привет! Как дела?", "кофе 250"):
            with self.subTest(text=text), self.assertRaises(ValidationError) as cm:
                self.record(text)
            self.assertEqual(cm.exception.code, "no_notifications")
        self.assertFalse(Transaction.objects.exists())

    def test_typed_lines_are_not_taken_for_notifications(self) -> None:
        today = NOW.date()
        for text in ("кофе 250", "такси 480 вчера", "зарплата 90000", "mortgage payment 1820$"):
            self.assertFalse(looks_like_notifications(text, today=today), text)
        for example in examples({"sber", "tbank", "revolut", "us_card"}):
            self.assertTrue(looks_like_notifications(example["text"], today=today), example)


class AtOnceTestCase(TransactionTestCase):
    def test_one_notification_delivered_twice_at_once_records_once(self) -> None:
        alice = user_create(username="alice", password="x" * 12, source="cli")

        def deliver(n: int) -> str:
            (item,) = bank_messages_record(user=alice, text=SBER_PURCHASE, source="telegram")
            return item.outcome

        outcomes = at_once(4, deliver)
        self.assertEqual(sorted(map(str, outcomes)), ["duplicate"] * 3 + ["recorded"])
        self.assertEqual(Transaction.objects.count(), 1)
