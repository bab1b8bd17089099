"""A payment back said in words, read alone (no database): who paid whom how much, and
what is an expense however much it looks like a payment."""

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from finance.readers.payment_words import PaymentWords, mentions_payment, read_payment

NAMES = ["alice", "carol", "Маша", "Anna", "Петя"]


class PaymentWordsTestCase(SimpleTestCase):
    def test_who_paid_whom(self) -> None:
        cases = {
            "Маша вернула Пете 3000": PaymentWords("Маша", "Петя", Decimal(3000)),
            "вернул Маше 500": PaymentWords(None, "Маша", Decimal(500)),
            "Петя вернул мне 1200,50": PaymentWords("Петя", None, Decimal("1200.50")),
            "Маша вернула Пете 3 000 ₽": PaymentWords("Маша", "Петя", Decimal(3000), "RUB"),
            "Anna paid me back 30": PaymentWords("Anna", None, Decimal(30)),
            "I paid Anna back 30 EUR": PaymentWords(None, "Anna", Decimal(30), "EUR"),
            "alice перевела carol 10.5 usd": PaymentWords("alice", "carol", Decimal("10.5"), "USD"),
        }
        for text, expected in cases.items():
            with self.subTest(text):
                self.assertTrue(mentions_payment(text))
                self.assertEqual(read_payment(text, NAMES), expected)

    def test_what_is_not_a_payment_between_members(self) -> None:
        for text in (
            "вернул долг за ремонт 500",  # not a member
            "вернул Маше",  # no amount
            "paid 300 taxi",
            "paid Anna 30 for cleaning",  # more than a payment
            "Петя вернул Пете 5",  # to himself
            "я вернул себе 5",
            "вернул Оле 500",  # not a member
            "paid Anna 30 abc",  # not a currency
        ):
            with self.subTest(text):
                self.assertIsNone(read_payment(text, NAMES))

    @given(
        payer=st.sampled_from([("Маша", "Маша"), ("Петя", "Петя"), ("я", None)]),
        payee=st.sampled_from([("Пете", "Петя"), ("Маше", "Маша"), ("мне", None)]),
        verb=st.sampled_from(["вернул", "вернула", "отдал", "перевела"]),
        minor=st.integers(min_value=1, max_value=10**11),
    )
    def test_any_amount_between_any_two(
        self,
        payer: tuple[str, str | None],
        payee: tuple[str, str | None],
        verb: str,
        minor: int,
    ) -> None:
        amount = Decimal(minor).scaleb(-2)
        words = read_payment(f"{payer[0]} {verb} {payee[0]} {amount}", NAMES)
        if payer[1] == payee[1]:
            self.assertIsNone(words)
        else:
            self.assertEqual(words, PaymentWords(payer[1], payee[1], amount))
