"""The chat shows a refund as one."""

from datetime import date
from decimal import Decimal

from finance.services.transactions import transaction_create
from messaging.tests.helpers import TelegramTestCase, callback_update


class RefundChatTestCase(TelegramTestCase):
    def test_a_refund_moved_by_its_button_is_confirmed_as_a_refund(self) -> None:
        self.link(self.alice)
        refund = transaction_create(
            user=self.alice,
            kind="refund",
            amount=Decimal("450"),
            currency="RUB",
            category=self.category(self.alice, "other"),
            date=date(2026, 11, 20),
            source="telegram",
        )
        cafe = self.category(self.alice, "cafe")
        response = self.post(callback_update(f"c:{refund.pk}:{cafe.pk}", message_id=77))
        self.assertEqual(response.status_code, 200)
        text = self.last_sent()["text"]
        self.assertTrue(text.startswith("Исправил: возврат · 450,00 ₽ · Кафе и рестораны"), text)
        refund.refresh_from_db()
        self.assertEqual((refund.kind, refund.category), ("refund", cafe))
