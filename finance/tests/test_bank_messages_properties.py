"""Property-based tests of the bank notifications' reader: what holds for every text."""

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import money
from finance.readers import bank_messages
from finance.readers.bank_messages import Kind, banks
from finance.tests.bank_messages import TODAY, load


def _grouped(value: Decimal, thousands: str, point: str) -> str:
    return f"{value:,.2f}".replace(",", "_").replace(".", point).replace("_", thousands)


Render = Callable[[Decimal], str]
# Each bank's way of writing a sum, and a notification of it stating an amount and a balance.
TEMPLATES: dict[str, tuple[str, Render]] = {
    "sber sms": (
        "ECMC1234 12:34 Покупка {a} PYATEROCHKA 1234 Баланс: {b}",
        lambda v: f"{v:.2f}р",
    ),
    "sber sms, spaces": (
        "MIR-5521 08:15 Покупка {a} YANDEX*TAXI Баланс: {b}",
        lambda v: _grouped(v, " ", ".") + "р",
    ),
    "sber push": (
        "Пятёрочка\n−{a}\nMIR •• 5521. Баланс {b}",
        lambda v: _grouped(v, " ", ",") + " ₽",
    ),
    "tbank": (
        "Покупка, карта *4406. {a}. PYATEROCHKA 6512. Доступно {b}",
        lambda v: _grouped(v, " ", ".") + " RUB",
    ),
    "alfa": (
        "Karta *3391; Pokupka; Uspeshno; Summa: {a}; Ostatok: {b}; RU/MOSCOW/X; 23.11.2026 12:34:56",
        lambda v: _grouped(v, " ", ",") + " RUR",
    ),
    "vtb": ("Оплата {a} Карта*7731 PYATEROCHKA Баланс {b} 12:34", lambda v: f"{v:.2f}р"),
    "gazprombank": (
        "Telecard; Card2210; Pokupka; Summa {a}; X; 2026-11-23 12:34:56; Ostatok {b}",
        lambda v: f"{v:.2f} RUR",
    ),
    "raiffeisen": (
        "Karta *8125; Provedena tranzakcija:{a}; Data:23/11/2026; Mesto: X; Dostupny Ostatok: {b}."
        " Raiffeisenbank",
        lambda v: f"{v:.2f}".replace(".", ",") + " RUB",
    ),
    "ozon": (
        "Ozon Банк: Покупка {a}, X, карта *6610. Баланс {b}",
        lambda v: _grouped(v, "\u00a0", ",") + "\u00a0₽",
    ),
    "yandex": (
        "Яндекс Банк: Покупка {a} в X. Карта *9033. Доступно {b}",
        lambda v: _grouped(v, " ", ",") + " ₽",
    ),
    "wise": (
        "You spent {a} at X. Your balance is now {b}",
        lambda v: _grouped(v, ",", ".") + " GBP",
    ),
    "us card": (
        "Chase: You made a {a} transaction with X. Your available balance is {b}.",
        lambda v: "$" + _grouped(v, ",", "."),
    ),
    "n26 style": ("{a} spent at REWE. Kontostand: {b}", lambda v: _grouped(v, ".", ",") + " €"),
}
sums = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)

EXAMPLES = [e for e in load() if e["expect"][0]["kind"] != Kind.NOT_UNDERSTOOD.value]


def _runs_on(text: str) -> bool:
    """Whether the notification's own format says where it begins, mid-line too (an SMS)."""
    start = banks.detect(text).start_re
    found = start.search(" " + text) if start is not None else None
    return found is not None and found.start() == 1


SMS = [e for e in EXAMPLES if _runs_on(e["text"])]


def _alone(op: bank_messages.Operation) -> bank_messages.Operation:
    return dataclasses.replace(op, span=(0, 0))


class BankMessagesPropertiesTestCase(SimpleTestCase):
    @settings(max_examples=400, deadline=None)
    @given(sums, sums, st.sampled_from(sorted(TEMPLATES)))
    @example(Decimal("550.00"), Decimal("550.01"), "sber sms")
    @example(Decimal("1234.56"), Decimal("0.01"), "alfa")
    def test_the_amount_is_the_operations_never_the_balance(
        self, amount: Decimal, balance: Decimal, name: str
    ) -> None:
        template, render = TEMPLATES[name]
        text = template.format(a=render(amount), b=render(balance))
        ops = bank_messages.read(text, today=TODAY)
        self.assertEqual(len(ops), 1, text)
        self.assertEqual((ops[0].amount, ops[0].balance), (amount, balance), text)
        self.assertEqual(ops[0].kind, Kind.PURCHASE, text)

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(st.sampled_from(EXAMPLES), min_size=2, max_size=4), st.sampled_from(["\n\n", "\n"])
    )
    def test_notifications_pasted_together_read_as_each_alone(
        self, chosen: list[dict[str, str]], separator: str
    ) -> None:
        self._check_together(chosen, separator)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(SMS), min_size=2, max_size=4))
    def test_sms_run_together_on_one_line_read_as_each_alone(
        self, chosen: list[dict[str, str]]
    ) -> None:
        self._check_together(chosen, " ")

    def _check_together(self, chosen: list[dict[str, str]], separator: str) -> None:
        texts = [e["text"] for e in chosen]
        alone = [_alone(op) for text in texts for op in bank_messages.read(text, today=TODAY)]
        together = bank_messages.read(separator.join(texts), today=TODAY)
        self.assertEqual([_alone(op) for op in together], alone)

    def test_it_has_enough_to_paste(self) -> None:
        self.assertGreaterEqual(len(EXAMPLES), 200)
        self.assertGreaterEqual(len(SMS), 60)
        self.assertGreaterEqual(len({banks.detect(e["text"]).code for e in SMS}), 6)

    @settings(max_examples=500, deadline=None)
    @given(
        st.one_of(
            st.text(max_size=80),
            st.lists(
                st.sampled_from(
                    [
                        *"0123456789 ,.:;*•-+−\n₽$€£",
                        "р", "RUB", "USD", "Баланс", "Доступно", "Покупка", "Перевод", "от",
                        "ECMC1234", "MIR-", "карта *", "12:34", "23.11.2026", "Paid", "at",
                        "Отказ", "Комиссия", "Кэшбэк", "ending in", "\u00a0", "(", ")", "Telecard;",
                    ]
                ),
                max_size=20,
            ).map("".join),
        )
    )  # fmt: skip
    @example(
        "Покупка " + "9" * 60 + " RUB Баланс " + "9" * 60 + " RUB Комиссия 1" + "0" * 40 + " ₽"
    )
    @example("Перевод 1,000,000,000,000 RUB")
    def test_any_text_reads_safely(self, text: str) -> None:
        ops = bank_messages.read(text, today=TODAY)
        position = 0
        for op in ops:
            self.assertLessEqual(position, op.span[0])
            self.assertEqual(text[op.span[0] : op.span[1]], op.text)
            position = op.span[1]
            self.assertIsInstance(op.kind, Kind)
            self.assertRegex(op.fingerprint, r"^[0-9a-f]{32}$")
            if op.kind is Kind.NOT_UNDERSTOOD:
                self.assertIsNone(op.amount)
                continue
            assert op.amount is not None and op.currency is not None
            self.assertTrue(0 < op.amount <= money.MAX_AMOUNT)
            self.assertTrue(money.is_known(op.currency))
            self.assertNotIn("\x00", op.counterpart)
