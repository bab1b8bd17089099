"""One purchase, one record: the rules of docs/capture.md, each shown; the undo."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import SimpleTestCase

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Capture, Transaction
from finance.services.bank_messages import Item, bank_messages_record
from finance.services.captures import (
    Candidate,
    Captured,
    capture_lock,
    capture_match,
    capture_record_separately,
    choose,
)
from finance.services.text import record_from_text
from finance.tests.bank_recording import NOW
from ledgers.models import Membership

DAY = dt.date(2026, 11, 24)


def sber(time: str, amount: str, merchant: str, balance: str) -> str:
    return f"ECMC1234 {time} Покупка {amount}р {merchant} Баланс: {balance}р"


def candidate(
    pk: int, *, time: dt.time | None = None, sources: set[str] | None = None
) -> Candidate:
    return Candidate(
        pk, "expense", Decimal("250.00"), "RUB", DAY, time, frozenset(sources or {"typed"})
    )


def captured(time: dt.time | None = None, source: str = "notification") -> Captured:
    return Captured(source, "expense", Decimal("250.00"), "RUB", DAY, time)


class ChooseTestCase(SimpleTestCase):
    """The rules as a pure function."""

    def test_the_same_kind_amount_currency_and_day(self) -> None:
        same = candidate(1)
        self.assertEqual(choose(captured(), [same]), same)
        for other in (
            Candidate(2, "income", Decimal("250.00"), "RUB", DAY, None, frozenset({"typed"})),
            Candidate(3, "expense", Decimal("250.01"), "RUB", DAY, None, frozenset({"typed"})),
            Candidate(4, "expense", Decimal("250.00"), "USD", DAY, None, frozenset({"typed"})),
            Candidate(
                5, "expense", Decimal("250.00"), "RUB", DAY - dt.timedelta(1), None, frozenset()
            ),
        ):
            self.assertIsNone(choose(captured(), [other]), other)

    def test_within_minutes_where_both_know_the_time(self) -> None:
        at_noon = candidate(1, time=dt.time(12, 0), sources={"receipt"})
        self.assertEqual(choose(captured(dt.time(12, 10)), [at_noon]), at_noon)
        self.assertIsNone(choose(captured(dt.time(12, 11)), [at_noon]))
        # A side without a time matches on the day alone.
        self.assertEqual(choose(captured(None), [at_noon]), at_noon)
        self.assertEqual(choose(captured(dt.time(23, 0)), [candidate(2)]), candidate(2))

    def test_never_one_the_same_source_has_seen(self) -> None:
        self.assertIsNone(choose(captured(), [candidate(1, sources={"notification"})]))
        self.assertIsNone(
            choose(captured(), [candidate(1, sources={"typed", "notification"})]),
            "a typed entry a notification already matched",
        )
        found = candidate(2, sources={"typed", "receipt"})
        self.assertEqual(choose(captured(), [found]), found)
        self.assertIsNone(choose(captured(source="typed"), [candidate(3)]))

    def test_the_nearest_in_time_then_the_first_recorded(self) -> None:
        untimed, far, near = (
            candidate(1),
            candidate(2, time=dt.time(12, 9), sources={"receipt"}),
            candidate(3, time=dt.time(12, 2), sources={"receipt"}),
        )
        self.assertEqual(choose(captured(dt.time(12, 0)), [untimed, far, near]), near)
        self.assertEqual(choose(captured(dt.time(12, 0)), [untimed, candidate(0)]), candidate(0))


@time_machine.travel(NOW, tick=False)
class MatchingTestCase(BaseTestCase):
    def typed(self, text: str, user: object = None) -> Transaction:
        return record_from_text(
            user=user or self.alice,  # type: ignore[arg-type]
            kind="expense",
            text=text,
            source="telegram",
        )

    def notify(self, text: str, user: object = None) -> Item:
        (item,) = bank_messages_record(user=user or self.alice, text=text, source="telegram")  # type: ignore[arg-type]
        return item

    def test_a_purchase_typed_then_notified_is_one_record_enriched(self) -> None:
        typed = self.typed("250")
        item = self.notify(sber("11:50", "250", "KOFEJNYA SHOKOLADNICA", "9750"))
        self.assertEqual(item.outcome, "matched")
        self.assertEqual(item.transaction, typed)
        self.assertEqual(Transaction.objects.count(), 1)
        assert item.match_id is not None
        typed.refresh_from_db()
        self.assertEqual(typed.note, "KOFEJNYA SHOKOLADNICA")  # the note it lacked
        capture = Capture.objects.get(pk=item.match_id)
        self.assertEqual(
            (capture.time, capture.card, capture.matched), (dt.time(11, 50), "1234", True)
        )
        self.assertTrue(AuditLog.objects.filter(action="transaction.match").exists())
        # The same notification again is a duplicate of that match, not another record.
        again = self.notify(sber("11:50", "250", "KOFEJNYA SHOKOLADNICA", "9750"))
        self.assertEqual((again.outcome, again.transaction), ("duplicate", typed))

    def test_record_separately_undoes_the_match(self) -> None:
        typed = self.typed("250")
        item = self.notify(sber("11:50", "250", "KOFEJNYA SHOKOLADNICA", "9750"))
        assert item.match_id is not None
        separate = capture_record_separately(user=self.alice, match_id=item.match_id, source="web")
        self.assertNotEqual(separate, typed)
        self.assertEqual(
            (separate.amount, separate.category.slug, separate.note, separate.date),
            (Decimal("250.00"), "cafe", "KOFEJNYA SHOKOLADNICA", DAY),
        )
        typed.refresh_from_db()
        self.assertEqual(typed.note, "")  # what the match had added is taken back
        self.assertEqual(Transaction.objects.count(), 2)
        capture = Capture.objects.get(pk=item.match_id)
        self.assertEqual((capture.transaction, capture.matched), (separate, False))
        with self.assertRaises(ValidationError) as cm:
            capture_record_separately(user=self.alice, match_id=item.match_id, source="web")
        self.assertEqual(cm.exception.code, "match_not_found")
        # Now the notification is that transaction's own: forwarding it again changes nothing.
        again = self.notify(sber("11:50", "250", "KOFEJNYA SHOKOLADNICA", "9750"))
        self.assertEqual((again.outcome, again.transaction), ("duplicate", separate))

    def test_two_real_purchases_of_one_amount_on_one_day(self) -> None:
        first, second = self.typed("кофе 250"), self.typed("кофе 250")
        morning = self.notify(sber("08:05", "250", "COFFEE BEAN", "9750"))
        evening = self.notify(sber("11:40", "250", "COFFEE BEAN", "9500"))
        self.assertEqual((morning.outcome, morning.transaction), ("matched", first))
        self.assertEqual((evening.outcome, evening.transaction), ("matched", second))
        # A third of them, notified: nothing left to match, so it is recorded.
        third = self.notify(sber("11:55", "250", "COFFEE BEAN", "9250"))
        self.assertEqual(third.outcome, "recorded")
        self.assertEqual(Transaction.objects.count(), 3)

    def test_two_notifications_of_one_amount_never_merge(self) -> None:
        one = self.notify(sber("08:05", "250", "COFFEE BEAN", "9750"))
        two = self.notify(sber("08:06", "250", "COFFEE BEAN", "9500"))
        self.assertEqual((one.outcome, two.outcome), ("recorded", "recorded"))
        self.assertEqual(Transaction.objects.count(), 2)

    def test_two_typed_entries_never_merge(self) -> None:
        self.typed("кофе 250")
        self.typed("кофе 250")
        self.assertEqual(Transaction.objects.count(), 2)
        self.assertFalse(Capture.objects.exists())

    def test_another_day_another_amount_or_another_payer_is_another_purchase(self) -> None:
        self.typed("кофе 250 вчера")
        self.typed("кофе 251")
        self.assertEqual(self.notify(sber("08:05", "250", "COFFEE", "9750")).outcome, "recorded")
        # In shared books, what another member typed is their purchase, not this card's.
        home = self.ledger(self.alice)
        Membership.objects.create(ledger=home, user=self.bob, role="member")
        self.bob.active_ledger = home
        self.bob.save()
        self.typed("coffee 300", user=self.bob)
        self.assertEqual(self.notify(sber("09:05", "300", "COFFEE", "9450")).outcome, "recorded")

    def test_a_known_time_too_far_apart_is_another_purchase(self) -> None:
        first = self.notify(sber("08:05", "250", "COFFEE BEAN", "9750"))
        home = self.ledger(self.alice)

        def receipt_at(time: dt.time) -> Capture | None:
            # What a receipt does: another source, with its own time.
            seen = Captured("receipt", "expense", Decimal("250.00"), "RUB", DAY, time)
            with transaction.atomic():
                capture_lock(home)
                return capture_match(ledger=home, user=self.alice, captured=seen, source="web")

        self.assertIsNone(receipt_at(dt.time(9, 5)))
        near = receipt_at(dt.time(8, 7))
        assert near is not None
        self.assertEqual(near.transaction, first.transaction)
        # Both sources have now seen it: a second receipt of that time finds nothing.
        self.assertIsNone(receipt_at(dt.time(8, 7)))
