"""Numbers in a text, and which of them is the amount."""

import re
from dataclasses import dataclass
from decimal import Decimal

from finance.textparse.dates import DateMatch
from finance.textparse.money import CurrencyMatch, Place

NUMBER_RE = re.compile(
    r"""
    (?P<sign>(?<![^\s(])-)?
    (?<![0-9_])(?<![0-9][.,_])
    (?:
        (?<![^\W\d_])(?P<spaces>[1-9][0-9]{0,2}(?:\ [0-9]{3})+(?:[.,][0-9]{1,2})?)  # 1 299,50  45 000
      | (?P<commas>[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?)     # 1,299.50
      | (?P<dots>[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]{1,2})?)       # 1.299,50 (not 0.001)
      | (?P<under>[1-9][0-9]{0,2}(?:_[0-9]{3})+(?:[.,][0-9]{1,2})?)     # 1_000
      | (?P<sci>[0-9]+(?:[.,][0-9]+)?e[+-]?[0-9]{1,2})               # 1e5  2.5e3
      | (?P<plain>[0-9]+(?:[.,][0-9]+)?)                            # 250  734,90  12.5
    )
    # Never a piece of a number: `1_00` or `1e5x` is no amount rather than a wrong one.
    (?![0-9_])(?![.,_][0-9])(?!e[+-]?[0-9])
    (?:
        # `к`/`k`/`m` only glued to the number: `500 к врачу` is not half a million.
        (?P<glued>кк|kk|[кk]|mln|m|bn)(?![^\W\d_])
      | \ ?(?P<word>тысяч[а-я]*|тыс\.?|тыщ[а-я]*|млн\.?|миллион[а-я]*|млрд\.?|миллиард[а-я]*)
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
_PLUS_RE = re.compile(r"\s*\+\s*")
_WORD_AFTER_RE = re.compile(r"\s+[^\W\d_]")

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
)


@dataclass
class Amount:
    start: int
    end: int
    value: Decimal
    currency: str | None = None
    currency_spans: tuple[tuple[int, int], ...] = ()
    # What makes a number less likely to be the price: `2 кофе`, `теле2`, `5км`, `15.11`.
    count: bool = False
    glued: bool = False
    date: DateMatch | None = None

    def rank(self) -> int:
        if self.currency:
            return 3
        if self.date is not None:
            return 0
        return 1 if self.count or self.glued else 2


def _value(m: re.Match[str]) -> Decimal:
    if m["spaces"]:
        digits = m["spaces"].replace(" ", "").replace(",", ".")
    elif m["commas"]:
        digits = m["commas"].replace(",", "")
    elif m["dots"]:
        digits = m["dots"].replace(".", "").replace(",", ".")
    elif m["under"]:
        digits = m["under"].replace("_", "").replace(",", ".")
    elif m["sci"]:
        # `1e5` as 100000, not 1E+5; the exponent has at most two digits.
        digits = format(Decimal(m["sci"].replace(",", ".")), "f")
    else:
        digits = m["plain"].replace(",", ".")
    # Past 40 digits it is out of range whatever it is. A finite stand-in, not Infinity:
    # `+` sums of such numbers must stay numbers (Infinity - Infinity is an error).
    value = _TOO_LARGE if len(digits) > _MAX_DIGITS else Decimal(digits)
    if m["glued"]:
        value *= MULTIPLIERS[m["glued"]]
    elif m["word"]:
        value *= next(
            factor for prefix, factor in _WORD_MULTIPLIERS if m["word"].startswith(prefix)
        )
    return -value if m["sign"] else value


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
    for c in (after, before):
        if c is not None:
            amount.currency = amount.currency or c.code
            amount.currency_spans += ((c.start, c.end),)


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def find(
    text: str, masked: str, currencies: list[CurrencyMatch], soft_dates: list[DateMatch]
) -> list[Amount]:
    """The amounts a lower-cased text may state, `+` sums joined, in order.

    `masked` is `text` with the dates and times blotted out.
    """
    amounts: list[Amount] = []
    soft_by_span = {(d.start, d.end): d for d in soft_dates}
    for m in NUMBER_RE.finditer(masked):
        start, end = m.span()
        number = next(g for g in _NUMBER_GROUPS if m[g])
        amount = Amount(start, end, _value(m))
        multiplied = bool(m["glued"] or m["word"])
        # `теле2`, `5км`, and a grade or model after a hyphen: `аи-95`, `м-11`.
        amount.glued = (
            (start > 0 and masked[start - 1].isalpha())
            or (end < len(masked) and masked[end].isalpha())
            or (start > 1 and masked[start - 1] == "-" and masked[start - 2].isalpha())
        )
        # A count is a small whole number before a word: `2 кофе`, not `кофе 250 булка 100`.
        amount.count = (
            number == "plain"
            and not multiplied
            and m[number].isdigit()
            and len(m[number]) <= _COUNT_DIGITS
            and _WORD_AFTER_RE.match(masked, end) is not None
        )
        if not multiplied:
            amount.date = soft_by_span.get(m.span(number))
        amounts.append(amount)
    starting = {c.start: c for c in currencies}
    ending = {c.end: c for c in currencies}
    for amount in amounts:
        _attach_currency(amount, text, starting, ending)
        if amount.currency:
            amount.count = False
    return _join_sums(masked, amounts)


def _join_sums(text: str, amounts: list[Amount]) -> list[Amount]:
    joined: list[Amount] = []
    for amount in amounts:
        last = joined[-1] if joined else None
        if last is not None and _PLUS_RE.fullmatch(text, last.end, amount.start):
            last.end = amount.end
            last.value += amount.value
            last.currency = last.currency or amount.currency
            last.currency_spans += amount.currency_spans
            last.count = last.glued = False
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
