"""Numbers in a text, and which of them is the amount."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from finance.textparse import numerals
from finance.textparse.dates import DateMatch
from finance.textparse.money import CurrencyMatch, Place
from finance.textparse.numerals import Item, Role, Word
from finance.textparse.words import LETTERS_RE

NUMBER_RE = re.compile(
    r"""
    (?P<sign>(?<![^\s(])-)?
    (?<![0-9_])(?<![0-9][.,_])
    (?:
        (?<![^\W\d_])(?<![×*])(?P<spaces>[1-9][0-9]{0,2}(?:\ [0-9]{3})+(?:[.,][0-9]{1,2})?)  # 1 299,50  45 000
      | (?P<commas>[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?)     # 1,299.50
      | (?P<dots>[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]{1,2})?)       # 1.299,50 (not 0.001)
      | (?P<under>[1-9][0-9]{0,2}(?:_[0-9]{3})+(?:[.,][0-9]{1,2})?)     # 1_000
      | (?P<sci>[0-9]+(?:[.,][0-9]+)?e[+-]?[0-9]{1,2})               # 1e5  2.5e3
      | (?P<plain>[0-9]+(?:[.,][0-9]+)?)                            # 250  734,90  12.5
    )
    # Never a piece of a number: `1_00` or `1e5x` is no amount rather than a wrong one.
    (?![0-9_])(?![.,_][0-9])(?!e[+-]?[0-9])
    (?:
        # `к`/`k`/`m` glued to the number: `500 к врачу` is not half a million. Apart from
        # it, only where no word follows but money: `1,5 к`, `2 к руб`.
        (?P<glued>кк|kk|[кk]|mln|m|bn)(?![^\W\d_])
      | \ (?P<spaced>[кk])(?![^\W\d_])(?!\s*(?!руб|р\b|rub)[^\W\d_])
      | \ ?(?P<word>тысяч[а-я]*|тыс\.?|тыщ[а-я]*|млн\.?|миллион[а-я]*|млрд\.?|миллиард[а-я]*
            |т\.\ ?р\.?|тр\.?)  # `5 т.р.`, `12тр`: тысяч рублей
        (?![^\W\d_])
    )?
    (?!\ ?%)
    """,
    re.VERBOSE,
)
_NUMBER_GROUPS = ("spaces", "commas", "dots", "under", "sci", "plain")
_MAX_DIGITS = 40
_TOO_LARGE = Decimal("1e40")
_COUNT_DIGITS = 2
_COUNT_LIMIT = 100
_HOURS = 24
# `+`, and items named between the parts: `такси 300 + чаевые 50`, `350 плюс картошка 120`.
_PLUS_RE = re.compile(r"\s*(?P<plus>\+|плюс(?!\w)|plus(?!\w))\s*(?:[^\W\d_]+\.?\s+){0,3}")
_WORD_AFTER_RE = re.compile(r"\s+[^\W\d_]")
_NEXT_WORD_RE = re.compile(r"\s*([^\W\d_]+)")
_AND_RE = re.compile(r"[\s,]*(?:(?:и|and)\s+)?")
_WORD_CHAIN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Numbers that are never amounts: phone numbers (+7 999 123-45-67, 8 (916) 123 45 67,
# 89161234567) and numbers of things (`заказ № 12345`, `order #5521`).
NOT_AMOUNT_RE = re.compile(
    r"""
    # Each branch opens with its first character, not a look-behind: the engine then skips
    # straight to the few places where one may start.
    # Phone numbers: never followed by more digits or a fraction (`9000000000,01` is money).
    (?:\+(?<![\w+]\+)\d{1,3}|[78](?<![\w+][78]))
        [\s(-]*\d{3}[\s)-]*\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)(?![.,]\d)
    | \+(?<![\w+]\+)\d{10,14}(?!\d)(?![.,]\d) | 9(?<![\w+.,]9)\d{9}(?!\d)(?![.,]\d)
    | (?:№|\#|(?:no|nr)(?<!\w..)\.)\s*\d[\d-]*
    # A year: `2024 год`, `за 2025 г.` (a date with it is read as a date first).
    | (?:19|20)(?<!\d..)\d\d\s*(?:г\.|год[ауе]?|гг?)(?!\w)
    """,
    re.VERBOSE,
)
# `в 7`, `at 9` just before a number (searched in the few characters before it).
_AT_RE = re.compile(r"(?<![^\W\d_])(?:в|во|к|at|by)\s+$")
_AT_WIDTH = 6
_GRADE_RE = re.compile(r"(?<![^\W\d_])(?:аи|ai)[\s-]*$")
_TIMES_MARK_RE = re.compile(r"(?:^|[^\d\s.,])\s*[xх×*]\s*$")
_TIMES_RE = re.compile(r"\s*(?:(?:шт|pcs)\.?\s*)?[xх×*]\s*")
_WORDS = r"(?:\s+[^\W\d_]+\.?){0,4}"
_WORDS_RE = re.compile(_WORDS + r"\s+")
_PER_RE = re.compile(_WORDS + r"(?P<per>\s+(?:по|at)\s+|\s*@\s*)")
_EACH_RE = re.compile(
    r"\s*(?:each|apiece|ea\.?|за\s+(?:1\s+|одну\s+|один\s+)?(?:штуку|шт\.?)|/\s*шт\.?"
    r"|за\s+кажд(?:ую|ый|ое)|кажд(?:ая|ый|ое|ую))(?!\w)"
)

THOUSAND, MILLION, BILLION = Decimal(1000), Decimal(1_000_000), Decimal(1_000_000_000)
MULTIPLIERS = {"к": THOUSAND, "k": THOUSAND, "кк": MILLION, "kk": MILLION, "m": MILLION}
MULTIPLIERS |= {"mln": MILLION, "bn": BILLION}
_WORD_MULTIPLIERS = (
    ("тыс", THOUSAND),
    ("тыщ", THOUSAND),
    ("млн", MILLION),
    ("миллион", MILLION),
    ("млрд", BILLION),
    ("миллиард", BILLION),
    ("т", THOUSAND),
)


@dataclass(slots=True)
class Amount:
    start: int
    end: int
    value: Decimal
    currency: str | None = None
    currency_spans: tuple[tuple[int, int], ...] = ()
    # The pieces of text it was read from, which the note leaves out, where they are not
    # all of start to end: `такси 300 + чаевые 50`, the `по 70` of `3 пирожка по 70`.
    parts: tuple[tuple[int, int], ...] = ()
    # What makes a number less likely to be the price: `2 кофе`, `теле2`, `5км`, `15.11`.
    count: bool = False
    glued: bool = False
    date: DateMatch | None = None
    at_time: bool = False  # `в 7`, `at 9`: an hour more likely than a price
    # Likely, but second to a number in digits: `СТО 5000` is a car service, not 100.
    spelled: bool = False
    pieces: bool = False  # `3 штуки`: three thousand, or three pieces
    product: bool = False  # `30х40`: a count times a price, or a size
    items: Decimal | None = None  # the count of `3 штуки`, were they pieces
    minor: bool = False  # `50 коп`: hundredths, already divided

    def spans(self) -> tuple[tuple[int, int], ...]:
        """The pieces of text it was read from: `parts`, or all of start to end."""
        return self.parts or ((self.start, self.end),)

    def rank(self) -> int:
        if self.currency:
            return 5
        if self.date is not None:
            # `15.11` is a day unless nothing else can be the price; a count cannot:
            # `2 coffees 4.5` paid 4.5.
            return 2
        if self.count or self.glued or self.at_time:
            return 1
        if self.spelled or self.pieces or self.product:
            return 3
        return 4


def _value(g: dict[str, str | None]) -> Decimal:
    """The value of a NUMBER_RE match, from its `groupdict()`."""
    if g["spaces"]:
        digits = g["spaces"].replace(" ", "").replace(",", ".")
    elif g["commas"]:
        digits = g["commas"].replace(",", "")
    elif g["dots"]:
        digits = g["dots"].replace(".", "").replace(",", ".")
    elif g["under"]:
        digits = g["under"].replace("_", "").replace(",", ".")
    elif g["sci"]:
        # `1e5` as 100000, not 1E+5; the exponent has at most two digits.
        digits = format(Decimal(g["sci"].replace(",", ".")), "f")
    else:
        digits = (g["plain"] or "").replace(",", ".")
    # Past 40 digits it is out of range whatever it is. A finite stand-in, not Infinity:
    # `+` sums of such numbers must stay numbers (Infinity - Infinity is an error).
    value = _TOO_LARGE if len(digits) > _MAX_DIGITS else Decimal(digits)
    multiplier = g["glued"] or g["spaced"]
    if multiplier:
        value *= MULTIPLIERS[multiplier]
    elif g["word"]:
        value *= _factor(g["word"])
    return -value if g["sign"] else value


def _attach_currency(
    amount: Amount,
    text: str,
    starting: dict[int, CurrencyMatch],
    ending: dict[int, CurrencyMatch],
) -> None:
    after = starting.get(_skip_spaces(text, amount.end))
    if after is not None and after.start > amount.end and text[after.end : after.end + 1].isdigit():
        after = None  # `o2 £15`: the pound sign is the next number's
    position = amount.start
    while position > 0 and text[position - 1].isspace():
        position -= 1
    before = ending.get(position)
    if before is not None and before.place is Place.AFTER_NUMBER:
        before = None
    if after is not None and after.minor and not amount.minor:
        amount.value /= 100
        amount.minor = True
    elif before is not None and before.minor:
        before = None
    for c in (after, before):
        if c is not None:
            amount.currency = amount.currency or c.code
            amount.currency_spans += ((c.start, c.end),)


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def find(
    text: str,
    masked: str,
    currencies: list[CurrencyMatch],
    soft_dates: list[DateMatch],
    tokens: list[str] | None = None,
) -> list[Amount]:
    """The amounts a lower-cased text may state, in order: numbers in digits and in words,
    products (`3 пирожка по 70`, `4х250`) multiplied and `+` sums added up.

    `masked` is `text` with the dates and times blotted out; `tokens` the text's runs of
    letters, if the caller has them.
    """
    digits = _digits(masked, soft_dates)
    spelled = (
        tokens is None
        or not numerals.table().keys().isdisjoint(tokens)
        or any("ё" in token for token in tokens)  # the table spells `трёх` as `трех`
    )
    amounts = _phrases(masked, digits, spelled=spelled)
    starting = {c.start: c for c in currencies}
    ending = {c.end: c for c in currencies}
    for amount in amounts:
        _attach_currency(amount, text, starting, ending)
        if amount.currency:
            amount.count = amount.at_time = False
    if len(amounts) < 2:
        return amounts
    return _join_sums(masked, _multiply(masked, _join_minor(masked, amounts)))


def _digits(masked: str, soft_dates: list[DateMatch]) -> list[tuple[Amount, Decimal | None, bool]]:
    """Numbers in digits: each amount, the word multiplier read with it, and whether it
    is closed to joining a longer number."""
    found: list[tuple[Amount, Decimal | None, bool]] = []
    soft_by_span = {(d.start, d.end): d for d in soft_dates}
    grades = "аи" in masked or "ai" in masked
    for m in NUMBER_RE.finditer(masked):
        start, end = m.span()
        g = m.groupdict()
        number = next(name for name in _NUMBER_GROUPS if g[name])
        written = g[number] or ""
        amount = Amount(start, end, _value(g))
        word = g["word"]
        multiplied = bool(g["glued"] or g["spaced"] or word)
        # `теле2`, `5км`, a grade or model after a hyphen (`аи-95`, `м-11`), a petrol grade.
        amount.glued = (
            (start > 0 and masked[start - 1].isalpha())
            or (end < len(masked) and masked[end].isalpha())
            or (start > 1 and masked[start - 1] == "-" and masked[start - 2].isalpha())
            or (grades and _GRADE_RE.search(masked, max(0, start - _AT_WIDTH), start) is not None)
        )
        small = not multiplied and written.isdigit()
        # A count is a small whole number before a word: `2 кофе`, not `кофе 250 булка 100`;
        # or after a times sign with no number before it: `кофе ×2 300`.
        amount.count = (
            small
            and number == "plain"
            and len(written) <= _COUNT_DIGITS
            and (
                _WORD_AFTER_RE.match(masked, end) is not None
                or _TIMES_MARK_RE.search(masked[max(0, start - _AT_WIDTH) : start]) is not None
            )
        )
        if not multiplied and soft_by_span:
            amount.date = soft_by_span.get(m.span(number))
            if amount.date is not None and _multiplied_after(masked, end):
                amount.date = None  # `1.5 thousand`, `2.5 косаря`
        amount.at_time = (
            small
            and int(written) <= _HOURS
            and _AT_RE.search(masked, max(0, start - _AT_WIDTH), start) is not None
        )
        # Glued to letters (`х250` joins only as a product), a `2к`, a `1e5`, a signed or
        # a dated number: none is part of a longer number.
        closed = bool(
            (multiplied and not word) or g["sci"] or g["sign"] or amount.date or amount.glued
        )
        found.append((amount, _factor(word) if word else None, closed))
    return found


def _phrases(
    masked: str, digits: list[tuple[Amount, Decimal | None, bool]], *, spelled: bool = True
) -> list[Amount]:
    """Numbers in digits and words composed into the amounts they make together.

    `spelled`: whether the text may hold number words at all.
    """
    words = _number_words(masked, [(a.start, a.end) for a, _, _ in digits]) if spelled else []
    if not words and not any(factor for _, factor, _ in digits):
        return [a for a, _, _ in digits]  # digits alone, none with a word multiplier
    items = [
        Item(a.start, a.end, Word(Role.DIGITS, a.value), i, factor, closed)
        for i, (a, factor, closed) in enumerate(digits)
    ]
    items = sorted(items + words, key=lambda i: i.start)
    amounts = []
    for phrase in numerals.compose(masked, items):
        if phrase.indexes and not phrase.spelled:
            single = digits[phrase.indexes[0]][0]
            if (single.start, single.end) == (phrase.start, phrase.end):
                amounts.append(single)
                continue
        amount = Amount(phrase.start, phrase.end, phrase.value, spelled=phrase.spelled)
        amount.pieces, amount.items = phrase.pieces, phrase.count
        amount.currency = phrase.currency
        amount.count = (
            phrase.counted
            and phrase.value == phrase.value.to_integral_value()
            and phrase.value < _COUNT_LIMIT
            and _WORD_AFTER_RE.match(masked, phrase.end) is not None
        )
        amounts.append(amount)
    return amounts


def _number_words(masked: str, spans: list[tuple[int, int]]) -> list[Item]:
    """The number words of a text, outside the spans of numbers read in digits."""
    found = []
    n = 0
    lookup = numerals.lookup
    for m in _WORD_CHAIN_RE.finditer(masked):
        chain = m[0]
        if "-" not in chain:
            parts: Iterable[re.Match[str]] = (m,)
        elif all(map(lookup, chain.split("-"))):
            parts = LETTERS_RE.finditer(masked, m.start(), m.end())  # `twenty-five`, `пол-ляма`
        else:
            continue  # `books-a-million` is a name
        for part in parts:
            word = lookup(part[0])
            if word is None:
                continue
            start = part.start()
            while n < len(spans) and spans[n][1] <= start:
                n += 1
            if n < len(spans) and spans[n][0] <= start:
                continue  # `тысяч` of `5 тысяч`, already read with its number
            found.append(Item(start, part.end(), word))
    return found


def _multiplied_after(text: str, end: int) -> bool:
    after = _NEXT_WORD_RE.match(text, end)
    word = numerals.lookup(after[1]) if after else None
    return word is not None and word.role in (Role.MULTIPLIER, Role.HUNDRED)


def _factor(word: str) -> Decimal:
    return next(factor for prefix, factor in _WORD_MULTIPLIERS if word.startswith(prefix))


def _multiply(text: str, amounts: list[Amount]) -> list[Amount]:
    """`4х250` and `3 пирожка по 70` as the one amount they make."""
    result: list[Amount] = []
    for amount in amounts:
        last = result[-1] if result else None
        product = None if last is None else _product(text, last, amount)
        if product is None:
            result.append(amount)
        else:
            result[-1] = product
    return result


def _product(text: str, left: Amount, right: Amount) -> Amount | None:
    # Either side may look like a date (`2.5 x 4`, `2 coffees at 4.5 each`): the product
    # says it is not one.
    gap = text[left.end : right.start]
    if not left.currency and _TIMES_RE.fullmatch(gap):
        # `4х250`, `4 x 250`, `2 шт * 150`: both sides are read, whichever is the count.
        return Amount(
            left.start,
            right.end,
            left.value * right.value,
            currency=right.currency,
            currency_spans=right.currency_spans,
            product=not right.currency,
        )
    count = left.items if left.pieces else left.value if left.count else None
    if count is None or left.currency or count != count.to_integral_value():
        return None
    per = _PER_RE.fullmatch(gap)
    if per is None and _WORDS_RE.fullmatch(gap) is None:
        return None
    after = max((e for _, e in right.currency_spans), default=right.end)
    each = _EACH_RE.match(text, max(after, right.end))
    if per is None and each is None:
        return None  # `2 кофе 500`: a count and a price, not a price each
    # `3 пирожка по 70`: the count stays in the note with its items; the price leaves it.
    parts = ((left.end + per.start("per"), right.end),) if per else right.spans()
    if each is not None:
        parts += (each.span(),)
    return Amount(
        left.start,
        each.end() if each else right.end,
        count * right.value,
        currency=right.currency,
        currency_spans=right.currency_spans,
        parts=parts,
        spelled=right.spelled,
    )


def _join_minor(text: str, amounts: list[Amount]) -> list[Amount]:
    """`5 руб 50 коп`, `2 dollars 25 cents`: the whole and its hundredths, one amount."""
    joined: list[Amount] = []
    for amount in amounts:
        last = joined[-1] if joined else None
        if (
            last is not None
            and amount.minor
            and not last.minor
            and last.currency == amount.currency
            and _AND_RE.fullmatch(
                text, max((e for _, e in last.currency_spans), default=last.end), amount.start
            )
        ):
            last.parts = last.spans() + amount.spans()
            last.end = amount.end
            last.value += amount.value
            last.currency_spans += amount.currency_spans
            last.count = last.glued = last.at_time = False
        else:
            joined.append(amount)
    return joined


def _join_sums(text: str, amounts: list[Amount]) -> list[Amount]:
    joined: list[Amount] = []
    for amount in amounts:
        last = joined[-1] if joined else None
        plus = None
        if last is not None:
            after = max((e for _, e in last.currency_spans if e > last.end), default=last.end)
            plus = _PLUS_RE.fullmatch(text, after, amount.start)
        if last is not None and plus is not None:
            last.parts = (*last.spans(), plus.span("plus"), *amount.spans())
            last.end = amount.end
            last.value += amount.value
            last.currency = last.currency or amount.currency
            last.currency_spans += amount.currency_spans
            last.count = last.glued = last.at_time = last.product = last.pieces = False
            last.spelled = last.spelled and amount.spelled
            last.date = None
        else:
            joined.append(amount)
    return joined


def choose(amounts: list[Amount]) -> Amount | None:
    """The amount: a number with a currency, else a plain one, else a count, else a date."""
    best: Amount | None = None
    for amount in amounts:
        if best is None or amount.rank() > best.rank():
            best = amount
    return best
