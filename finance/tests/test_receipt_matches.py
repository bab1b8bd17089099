"""A receipt and a bank notification of one purchase are one record, in either order;
two receipts are never one purchase (docs/capture.md)."""

import datetime as dt

import time_machine

from config.testing import BaseTestCase
from finance.models import Capture, Receipt, Transaction
from finance.readers.receipts import parse_fiscal_qr
from finance.services.bank_messages import bank_messages_record
from finance.services.receipts import receipt_record

# The same day and after 13:05 in Moscow and in UTC alike.
NOW = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)
QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
OTHER_QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64319&fp=1111111111&n=1"
SMS = "ECMC1234 13:05 Покупка 1250р PYATEROCHKA 1234 Баланс: 12345.67р"


@time_machine.travel(NOW, tick=False)
class ReceiptMatchTestCase(BaseTestCase):
    def receipt(self, qr: str = QR) -> Transaction:
        recorded = receipt_record(user=self.alice, receipt=parse_fiscal_qr(qr), source="api")
        self.assertFalse(recorded.duplicate)
        return recorded.transaction

    def notify(self) -> tuple[str, Transaction | None]:
        (item,) = bank_messages_record(user=self.alice, text=SMS, source="api")
        return item.outcome, item.transaction

    def test_a_receipt_after_the_banks_notification_is_the_same_record(self) -> None:
        outcome, notified = self.notify()
        self.assertEqual(outcome, "recorded")
        assert notified is not None
        tx = self.receipt()
        self.assertEqual(tx.pk, notified.pk)
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(Receipt.objects.get().transaction_id, notified.pk)
        self.assertEqual(
            set(Capture.objects.values_list("source", "matched")),
            {(Capture.Source.NOTIFICATION, False), (Capture.Source.RECEIPT, True)},
        )

    def test_the_banks_notification_after_a_receipt_is_matched_to_it(self) -> None:
        tx = self.receipt()
        outcome, notified = self.notify()
        self.assertEqual(outcome, "matched")
        assert notified is not None
        self.assertEqual(notified.pk, tx.pk)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_two_receipts_of_one_amount_and_minute_are_two_purchases(self) -> None:
        first, second = self.receipt(), self.receipt(OTHER_QR)
        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual(Transaction.objects.count(), 2)
