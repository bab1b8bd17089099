"""Numbers in words: Russian numerals in every case, English ones, and the slang for sums.

`пятьсот сорок`, `две с половиной тысячи`, `полтора косаря`, `2 тыс. 300`, `a hundred
and ten`: a phrase of number words (and digits, where people mix them) is composed by
the grammar of numerals, largest part first. Russian forms come from pymorphy3's
dictionary (every case of `пятьсот`: `пятисот`, `пятистам`, `пятьюстами`, ...), so
the table below names each number once. A number word that counts the items after it
(`три пирожка`) is marked as such; amounts.py decides what it is.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import NamedTuple

from finance.textparse import words


class Role(Enum):
    DIGITS = "a number in digits"
    UNIT = "1-9"
    TEEN = "10-19"
    TENS = "20-90"
    HUNDREDS = "100-900 as one word"
    HUNDRED = "English `hundred`: multiplies what comes before it"
    MULTIPLIER = "тысяча, штука, косарь, сотка, grand: a count of them, or one alone"
    COUNT = "полтора, пол, пару, `a`: a count that only a multiplier after it makes a number"
    HALF = "пол- glued to a multiplier: полтыщи"
    AND = "English `and` inside a number: a hundred and ten"
    WITH = "`с` of `две с половиной`"
    HALF_NOUN = "`половиной` of `две с половиной`"


class Word(NamedTuple):
    role: Role
    value: Decimal
    # A multiplier that stands for a sum alone (`косарь`, `тысяча`); `кусок` and `grand`
    # need a count before them (`кусок торта` is cake).
    alone: bool = True
    # `штука`, `кусок`: after a count they may be pieces (`3 штуки яблок`), not thousands.
    pieces: bool = False
    currency: str | None = None  # `fiver`, `tenner`: British notes
    english: bool = False


_RU_CARDINALS = {
    "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20,
    "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70,
    "восемьдесят": 80, "девяносто": 90, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
    "полтораста": 150,
}  # fmt: skip
# Nouns for round sums, declined by the dictionary: (value, stands alone, may be pieces).
_RU_MULTIPLIERS = {
    "тысяча": (1000, True, False),  # its forms include тыща, тыщи, тыщу
    "тыщонка": (1000, True, False),
    "миллион": (1_000_000, True, False),
    "миллиард": (1_000_000_000, True, False),
    "штука": (1000, True, True),
    "косарь": (1000, True, False),
    "косарик": (1000, True, False),
    "кусок": (1000, False, True),
    "ярд": (1_000_000_000, False, False),
    "сотня": (100, True, False),
    "сотка": (100, True, False),
    "стольник": (100, True, False),
    "пятихатка": (500, True, False),
    "пятисотка": (500, True, False),
    "полтинник": (50, True, False),
    "полтос": (50, True, False),
    "четвертак": (25, True, False),
    "червонец": (10, True, False),
    "чирик": (10, True, False),
}


def _counted(role: Role, names: str, first: int, step: int = 1) -> dict[str, Word]:
    return {
        w: Word(role, Decimal(first + n * step), english=w.isascii())
        for n, w in enumerate(names.split())
    }


# Forms the dictionary lacks or files under another word.
_RU_EXTRA = {
    "сто": Word(Role.HUNDREDS, Decimal(100)),
    "ста": Word(Role.HUNDREDS, Decimal(100)),
    **_counted(Role.MULTIPLIER, "лям ляма ляму лямом ляме лямы лямов лямам лямами лямах", 10**6, 0),
    "тыс": Word(Role.MULTIPLIER, Decimal(1000), alone=False),
    "тыщ": Word(Role.MULTIPLIER, Decimal(1000)),
    "млн": Word(Role.MULTIPLIER, Decimal(1_000_000), alone=False),
    "млрд": Word(Role.MULTIPLIER, Decimal(1_000_000_000), alone=False),
    "пятихат": Word(Role.MULTIPLIER, Decimal(500)),
    # `3 косых`: a thousand, but only after a count (`косой` alone is an adjective).
    **dict.fromkeys(
        ("косая", "косые", "косую", "косых"), Word(Role.MULTIPLIER, Decimal(1000), alone=False)
    ),
    **dict.fromkeys(("полтора", "полторы", "полутора"), Word(Role.COUNT, Decimal("1.5"))),
    **dict.fromkeys(("пара", "пару", "пары"), Word(Role.COUNT, Decimal(2))),
    "пол": Word(Role.COUNT, Decimal("0.5")),
}


_EN = {
    **_counted(Role.UNIT, "one two three four five six seven eight nine", 1),
    **_counted(
        Role.TEEN,
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen",
        10,
    ),
    **_counted(Role.TENS, "twenty thirty forty fifty sixty seventy eighty ninety", 20, 10),
    "hundred": Word(Role.HUNDRED, Decimal(100), english=True),
    "thousand": Word(Role.MULTIPLIER, Decimal(1000), english=True),
    "million": Word(Role.MULTIPLIER, Decimal(1_000_000), english=True),
    "billion": Word(Role.MULTIPLIER, Decimal(1_000_000_000), english=True),
    "grand": Word(Role.MULTIPLIER, Decimal(1000), alone=False, english=True),
    "fiver": Word(Role.MULTIPLIER, Decimal(5), currency="GBP", english=True),
    "tenner": Word(Role.MULTIPLIER, Decimal(10), currency="GBP", english=True),
    "a": Word(Role.COUNT, Decimal(1), english=True),
    "an": Word(Role.COUNT, Decimal(1), english=True),
    "and": Word(Role.AND, Decimal(0), english=True),
    "с": Word(Role.WITH, Decimal(0)),
    "половиной": Word(Role.HALF_NOUN, Decimal("0.5")),
}


def _role(value: int) -> Role:
    if value < 10:
        return Role.UNIT
    if value < 20:
        return Role.TEEN
    if value < 100:
        return Role.TENS
    return Role.HUNDREDS


def _lexeme(lemma: str) -> set[str]:
    parses = words.analyzer().parse(lemma)
    best = next(
        (p for p in parses if p.normal_form == lemma and p.tag.POS in {"NUMR", "NOUN", "ADJF"}),
        parses[0],
    )
    return {f.word.replace("ё", "е") for f in best.lexeme}


@cache
def table() -> dict[str, Word]:
    """Every number word, lower case with ё as е, in every form people write it."""
    found: dict[str, Word] = {}
    for lemma, n in _RU_CARDINALS.items():
        word = Word(_role(n), Decimal(n))
        found |= dict.fromkeys(_lexeme(lemma), word)
    for lemma, (n, alone, pieces) in _RU_MULTIPLIERS.items():
        word = Word(Role.MULTIPLIER, Decimal(n), alone=alone, pieces=pieces)
        # `сотня` lists `сот` (honeycombs too): a three-letter form is no safe number.
        found |= dict.fromkeys((f for f in _lexeme(lemma) if len(f) > 3), word)
    found |= _RU_EXTRA | _EN
    # `полтыщи`, `полкосаря`, `пол-ляма`: half of a multiplier in its genitive form.
    for form, word in list(found.items()):
        if word.role is Role.MULTIPLIER and word.alone and word.currency is None:
            found.setdefault("пол" + form, Word(Role.HALF, word.value / 2))
    return found


class Item(NamedTuple):
    """A number or number word at its place in the text."""

    start: int
    end: int
    word: Word
    # For digits: the Amount's index; its value in `word.value`, and `factor` the
    # multiplier already read with it (`2 тыс` is 2000 with factor 1000).
    digit: int = -1
    factor: Decimal | None = None
    closed: bool = False  # `2к`, `1e5`, `15.11`: joins no phrase


@dataclass
class Phrase:
    start: int
    end: int
    value: Decimal
    indexes: tuple[int, ...]  # the digit items it holds
    spelled: bool  # it holds a word
    pieces: bool  # a count times `штука`/`кусок`: maybe pieces, not thousands
    counted: bool  # it ends in a plain number, which may count the items after it
    count: Decimal | None  # that count, before a `штуки` that may be pieces
    currency: str | None


_NO_LIMIT = Decimal("Infinity")


@dataclass
class _Builder:
    start: int
    end: int
    total: Decimal = Decimal(0)
    group: Decimal | None = None
    # Which part of a group may come next: 3 hundreds, 2 tens, 1 units, 0 nothing.
    slot: int = 3
    limit: Decimal = _NO_LIMIT  # every later part must be below the last multiplier
    digits_group: bool = False
    pending: bool = False  # the group is a COUNT that needs a multiplier after it
    kept_end: int = 0  # where the phrase ends if a pending count is dropped
    indexes: tuple[int, ...] = ()
    spelled: bool = False
    pieces: bool = False
    counted: bool = False
    count: Decimal | None = None
    currency: str | None = None
    closed: bool = False
    english: bool = True  # every word so far is English
    # `two fifty`, `twelve ninety nine`: English says the cents after the whole as a
    # number of its own (2.50); `cents_slot` as `slot`, for the cents' units.
    cents: Decimal | None = None
    cents_slot: int = 2

    def take(self, item: Item) -> bool:
        """Add the item to the phrase, or say that it starts another one."""
        if self.closed:
            return False
        role, value = item.word.role, item.word.value
        if role is Role.DIGITS:
            if self.group is not None or self.total == 0 or self.pending or item.closed:
                return False
            if item.factor is None:
                if value != value.to_integral_value() or value >= self.limit or self.pieces:
                    return False  # `3 штуки 200`: three pieces at 200, maybe
                self._group(value, 0, digits=True)
            else:
                if value >= self.limit:
                    return False
                self.total += value
                self.limit = item.factor
                self.counted = False
        elif self.cents is not None:
            if role is not Role.UNIT or self.cents_slot != 1:
                return False
            self.cents += value
            self.cents_slot = 0
        elif role in _SMALL_OR_HUNDREDS:
            need = _SLOT_NEEDED[role]
            if self.digits_group or self.pending:
                return False
            if self.slot < need and not self._spoken_thousands(role, item):
                return self._spoken_cents(role, item)
            total = (self.group or 0) + value
            if total >= self.limit:
                return False
            self._group(total, _SLOT_AFTER[role])
        elif role is Role.HUNDRED:
            if self.group is None:
                if self.total:
                    return False
                group = value
            elif self.group < 100 and self.slot < 2:
                group = self.group * 100
            else:
                return False
            if group >= self.limit:
                return False
            self.pending = False
            self._group(group, 2)
        elif role is Role.MULTIPLIER:
            if value >= self.limit:
                return False
            if self.group is None:
                if self.total or not item.word.alone:
                    return False
                self.total = value
            else:
                if item.word.pieces and self.group == self.group.to_integral_value():
                    self.pieces = True
                    self.count = self.group
                self.total += self.group * value
            self.group, self.slot, self.limit, self.pending = None, 3, value, False
            self.counted = False
            self.currency = self.currency or item.word.currency
        else:
            return False  # COUNT, HALF and AND only start a phrase or are handled before
        self._took(item)
        return True

    def _took(self, item: Item) -> None:
        self.end = item.end
        self.kept_end = item.end
        self.english = self.english and item.word.english
        if item.word.role is not Role.DIGITS:
            self.spelled = True
        else:
            self.indexes += (item.digit,)

    def _spoken_thousands(self, role: Role, item: Item) -> bool:
        """`две двести`, `пять пятьсот`: Russian leaves out the thousand (2200, 5500)."""
        if role is not Role.HUNDREDS or self.group is None or self.total or self.english:
            return False
        if self.group >= _HUNDRED or self.digits_group:
            return False
        self.total, self.group, self.slot, self.limit = self.group * 1000, None, 3, _THOUSAND
        return True

    def _spoken_cents(self, role: Role, item: Item) -> bool:
        if (
            role not in (Role.TEEN, Role.TENS)
            or not (self.english and item.word.english)
            or self.group is None
            or self.group >= _HUNDRED
            or self.total
            or self.digits_group
        ):
            return False
        self.cents, self.cents_slot = item.word.value, 1 if role is Role.TENS else 0
        self._took(item)
        return True

    def _group(self, value: Decimal, slot: int, *, digits: bool = False) -> None:
        self.group, self.slot, self.digits_group = value, slot, digits
        self.counted = True

    def add_half(self, end: int) -> bool:
        """`две с половиной`: a half more than the whole number before it."""
        if self.group is None or self.pending or self.group != self.group.to_integral_value():
            return False
        if self.slot > 1:  # `двести с половиной` is no way to say it
            return False
        self.group += Decimal("0.5")
        self.slot = 0
        self.end = self.kept_end = end
        self.spelled = True
        self.counted = False
        return True

    def phrase(self, text: str = "") -> Phrase | None:
        group = None if self.pending else self.group
        end = self.kept_end
        if self.pending and self.group == _ONE_AND_A_HALF and _ALONE_RE.match(text, self.end):
            # `такси полторы`, `полтора на бенз`: a thousand and a half said short.
            group, end, self.counted = _ONE_AND_A_HALF * 1000, self.end, False
        # Any other pending count (`пару` with no multiplier after it) is no number.
        value = self.total + (group or 0) + (self.cents or 0) / _HUNDRED
        if not value or end <= self.start:
            return None
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))  # 1500, not 1500.0
        return Phrase(
            start=self.start,
            end=end,
            value=value,
            indexes=self.indexes,
            spelled=self.spelled,
            pieces=self.pieces,
            counted=self.counted and not self.pending and self.cents is None,
            count=self.count,
            currency=self.currency,
        )


def _start(item: Item) -> _Builder | None:
    role, value = item.word.role, item.word.value
    builder = _Builder(item.start, item.end, kept_end=item.end)
    if role is Role.DIGITS:
        builder.indexes = (item.digit,)
        if item.factor is None:
            builder.group, builder.slot, builder.digits_group = value, 0, True
            builder.counted, builder.closed = True, item.closed
        else:
            builder.total, builder.limit = value, item.factor
        return builder
    builder.spelled, builder.english = True, item.word.english
    if role is Role.COUNT:
        builder.group, builder.slot, builder.pending = value, 0, True
        builder.kept_end = item.start
        return builder
    if role is Role.HALF:
        builder.total, builder.limit = value, value * 2
        return builder
    builder.end = builder.kept_end = item.start
    return builder if builder.take(item) else None


def _joined(text: str, end: int, start: int, *, comma: bool = False) -> bool:
    """Whether only spaces and hyphens (and a comma, if allowed) stand between two parts."""
    return all(c.isspace() or c == "-" or (comma and c == ",") for c in text[end:start])


def compose(text: str, items: Sequence[Item]) -> Iterator[Phrase]:
    """The number phrases that the items, in order of position, make in `text`."""
    builder: _Builder | None = None
    for i, item in enumerate(items):
        # `nine thousand, nine hundred`: English writes a comma after a multiplier.
        if builder is not None and not _joined(
            text, builder.end, item.start, comma=builder.group is None and builder.total > 0
        ):
            if (phrase := builder.phrase(text)) is not None:
                yield phrase
            builder = None
        role = item.word.role
        if role in _GLUE:
            # `a hundred and ten`, `две с половиной`: glue inside a number, never one alone.
            following = items[i + 1] if i + 1 < len(items) else None
            if (
                builder is not None
                and following is not None
                and _joined(text, item.end, following.start)
                and (
                    (role is Role.AND and following.word.role in _SMALL)
                    or (role is Role.WITH and following.word.role is Role.HALF_NOUN)
                )
            ):
                builder.end = item.end
                continue
            if role is Role.HALF_NOUN and builder is not None and builder.add_half(item.end):
                continue
            if builder is not None and (phrase := builder.phrase(text)) is not None:
                yield phrase
            builder = None
            continue
        if builder is None or not builder.take(item):
            if builder is not None and (phrase := builder.phrase(text)) is not None:
                yield phrase
            builder = _start(item)
    if builder is not None and (phrase := builder.phrase(text)) is not None:
        yield phrase


_GLUE = frozenset({Role.AND, Role.WITH, Role.HALF_NOUN})
_SMALL_OR_HUNDREDS = frozenset({Role.UNIT, Role.TEEN, Role.TENS, Role.HUNDREDS})
_SLOT_NEEDED = {Role.UNIT: 1, Role.TEEN: 2, Role.TENS: 2, Role.HUNDREDS: 3}
_SLOT_AFTER = {Role.UNIT: 0, Role.TEEN: 0, Role.TENS: 1, Role.HUNDREDS: 2}
_HUNDRED, _THOUSAND = Decimal(100), Decimal(1000)
_ONE_AND_A_HALF = Decimal("1.5")
# What may follow a `полторы` that stands for 1500: the end, punctuation, a preposition,
# money. A noun (`полтора литра`) makes it a count.
_ALONE_RE = re.compile(
    r"\s*(?:$|[^\w\s]|(?:на|за|в|по|с|и|р|руб[а-я]*|рубл[а-я]*|₽|р\.)(?![^\W\d_]))"
)
_SMALL = frozenset({Role.UNIT, Role.TEEN, Role.TENS})


def lookup(token: str) -> Word | None:
    """The number word a lower-case token is, if it is one."""
    return table().get(token.replace("ё", "е") if "ё" in token else token)
