"""Property-based tests: any amount written any supported way reads back, any text is safe."""

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django
from num2words import num2words  # type: ignore[import-untyped]

from config.testing import BaseTestCase
from core import money
from finance import textparse
from finance.models import Kind, Transaction
from finance.services.text import record_from_text
from finance.tests.parsing import TODAY, parse

CONTRACT_CODES = {
    "amount_not_found",
    "amount_out_of_range",
    "unknown_currency",
    "invalid_date",
    "category_not_found",
}

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=textparse.MAX_AMOUNT, places=2, allow_nan=False
)


def _grouped(value: Decimal, thousands: str, decimal: str) -> str:
    text = f"{value:,.2f}".replace(",", "_").replace(".", decimal).replace("_", thousands)
    return text.removesuffix(f"{decimal}00")


STYLES: dict[str, Callable[[Decimal], str]] = {
    "plain": lambda v: f"{v:f}",
    "decimal comma": lambda v: f"{v:f}".replace(".", ","),
    "spaces": lambda v: _grouped(v, " ", ","),
    "no-break spaces": lambda v: _grouped(v, "\u00a0", ","),
    "thin spaces, decimal point": lambda v: _grouped(v, "\u202f", "."),
    "commas": lambda v: _grouped(v, ",", "."),
    "dots": lambda v: _grouped(v, ".", ","),
}
THOUSANDS = ["к", "k", "K", " тыс", " тыс.", " тысяч"]
MILLIONS = ["m", " млн", " млн.", " миллиона"]
CONTEXTS = ["кофе {}", "{} такси вчера", "в Пятёрочке продуктов на {}", "Lidl {} €", "{}"]
# Pieces that trip parsers: separators, signs, dates, currencies, multipliers, mixed scripts.
PIECES = [
    *"0123456789 ,.+-−%$€₽:/x*х×@", "кофе", "такcи", "вчера", "15.11", "31 ноября", "2026-02-30",
    "к", "тыс", "млн", "k", "m", "руб", "р.", "usd", "try", "сум", "бел.", "в", "на", "ago",
    "2 days", "понедельник", "İ", "ß", "\u00a0", "\n", "000", "99999999999999",
    # Number words, slang and what glues them: `две с половиной`, `a hundred and`, `пол-`.
    "пятьсот", "сорок", "тысяча", "тысячи", "полтора", "пол", "косарь", "штуки", "пару", "с",
    "половиной", "a", "hundred", "and", "thousand", "grand", "twenty", "-", "по", "плюс", "коп",
    "cents", "each", "прошлой неделе", "позапрошлую", "last", "назад", "🍔", "💅🏾", "\u200d",
    "\ufe0f", "+7 999 123-45-67", "№", "tenner",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join),
)


CASES = ["nominative", "genitive", "dative", "accusative", "instrumental", "prepositional"]
WORDS_CONTEXTS = ["кофе {}", "{} на такси", "такси {} рублей", "{}"]
ENGLISH_CONTEXTS = ["coffee {}", "{} for the taxi", "taxi {} dollars", "{}"]
# The slang for a thousand and how a count declines it.
SLANG_THOUSANDS = ["косарь", "косаря", "косарей", "штука", "штуки", "штук", "тыща", "тыщи", "тыщ"]


class TextParsePropertiesTestCase(BaseTestCase, hypothesis_django.TestCase):
    """Hypothesis's TestCase runs each example in its own transaction."""

    @settings(max_examples=300, deadline=None)
    @given(amounts, st.sampled_from(sorted(STYLES)), st.sampled_from(CONTEXTS))
    @example(Decimal("1299.50"), "dots", "кофе {}")
    @example(Decimal("15.11"), "plain", "{} такси вчера")
    @example(Decimal("9000000000.01"), "decimal comma", "кофе {}")  # ten digits, not a phone
    def test_it_reads_back_every_amount_style(
        self, amount: Decimal, style: str, context: str
    ) -> None:
        text = context.format(STYLES[style](amount))
        self.assertEqual(parse(text).amount, amount, text)

    @settings(max_examples=150, deadline=None)
    @given(
        st.integers(min_value=1, max_value=99_999),
        st.sampled_from(THOUSANDS + MILLIONS),
        st.sampled_from([".", ","]),
    )
    def test_it_reads_back_multiplied_amounts(self, tenths: int, suffix: str, point: str) -> None:
        mantissa = Decimal(tenths) / 10
        factor = 1000 if suffix in THOUSANDS else 1_000_000
        text = f"такси {f'{mantissa:f}'.replace('.', point)}{suffix}"
        self.assertEqual(parse(text).amount, mantissa * factor, text)

    @settings(max_examples=100, deadline=None)
    @given(st.lists(amounts.filter(lambda a: a < 10**9), min_size=2, max_size=4))
    def test_it_reads_back_sums(self, parts: list[Decimal]) -> None:
        text = "продукты " + "+".join(f"{p:f}" for p in parts)
        self.assertEqual(parse(text).amount, sum(parts), text)

    @settings(max_examples=300, deadline=None)
    @given(
        st.integers(min_value=1, max_value=999_999),
        st.sampled_from(CASES),
        st.sampled_from(WORDS_CONTEXTS),
    )
    @example(540, "nominative", "такси {}")
    @example(3200, "genitive", "кофе {}")
    @example(999_999, "instrumental", "{}")
    def test_it_reads_back_every_number_in_russian_words_in_any_case(
        self, number: int, case: str, context: str
    ) -> None:
        text = context.format(num2words(number, lang="ru", case=case))
        self.assertEqual(parse(text).amount, number, text)

    @settings(max_examples=200, deadline=None)
    @given(st.integers(min_value=1, max_value=999_999), st.sampled_from(ENGLISH_CONTEXTS))
    @example(110, "{}")
    @example(999_999, "coffee {}")
    def test_it_reads_back_every_number_in_english_words(self, number: int, context: str) -> None:
        text = context.format(num2words(number, lang="en"))
        self.assertEqual(parse(text).amount, number, text)

    @settings(max_examples=100, deadline=None)
    @given(
        st.integers(min_value=1, max_value=999),
        st.sampled_from(SLANG_THOUSANDS),
        st.booleans(),
    )
    def test_it_reads_back_a_count_of_slang_thousands(
        self, count: int, slang: str, in_words: bool
    ) -> None:
        written = num2words(count, lang="ru") if in_words else str(count)
        text = f"такси {written} {slang}"
        self.assertEqual(parse(text).amount, count * 1000, text)

    @settings(max_examples=150, deadline=None)
    @given(
        st.integers(min_value=2, max_value=20),
        amounts.filter(lambda a: a < 10**6),
        st.sampled_from(
            ["{c} пирожка по {p}", "{c}x{p} такси", "кофе {c} * {p}", "{c} coffees at {p} each"]
        ),
    )
    def test_it_multiplies_a_count_by_a_price(self, count: int, price: Decimal, shape: str) -> None:
        text = shape.format(c=count, p=f"{price:f}")
        self.assertEqual(parse(text).amount, count * price, text)

    @settings(max_examples=100, deadline=None)
    @given(amounts.filter(lambda a: a < 10**9), amounts.filter(lambda a: a < 10**9))
    def test_it_adds_items_with_words_between(self, first: Decimal, second: Decimal) -> None:
        text = f"такси {first:f} + чаевые {second:f}"
        self.assertEqual(parse(text).amount, first + second, text)

    @settings(max_examples=400, deadline=None)
    @given(texts, st.sampled_from(["expense", "income"]), st.none() | st.text(max_size=4))
    def test_it_parses_any_text_or_refuses_it_by_the_contract(
        self, text: str, kind: str, currency: str | None
    ) -> None:
        try:
            result = parse(text, kind, currency=currency)
        except textparse.ParseError as e:
            self.assertTrue(e.problems)
            self.assertLessEqual({p.code for p in e.problems}, CONTRACT_CODES)
            self.assertLessEqual({p.path for p in e.problems}, {"payload.text", "payload.currency"})
            return
        self.assertTrue(0 < result.amount <= textparse.MAX_AMOUNT)
        self.assertTrue(money.is_known(result.currency))
        self.assertLessEqual(result.date, TODAY.replace(year=TODAY.year + 1))
        self.assertEqual(result.category.kind, kind)
        self.assertLessEqual(len(result.note), len(text))

    @time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
    @settings(max_examples=40, deadline=None)
    @given(texts)
    def test_it_records_any_text_or_raises_a_validation_error(self, text: str) -> None:
        try:
            tx = record_from_text(
                user=self.alice, kind=Kind.EXPENSE, text=text, source="bot", dry_run=True
            )
        except ValidationError as e:
            codes = {err.code for errs in e.error_dict.values() for err in errs}
            self.assertLessEqual(codes, CONTRACT_CODES | {"amount_precision"})
            return
        self.assertIsNone(tx.pk)
        self.assertGreater(tx.amount, 0)
        self.assertFalse(Transaction.objects.exists())
