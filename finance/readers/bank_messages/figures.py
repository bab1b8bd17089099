"""Sums of money in a notification, and what each one is: the operation's, a balance, a fee.

A figure is a number with a currency next to it (`550р`, `1 234,56 ₽`, `$45.67`,
`12.50 USD`, `-€4.20`): banks always print one, so a bare number (a card's digits, an ATM's
id, a time) is never read as money. The words just before a figure name its role:
`Баланс: 12 345р`, `Доступно 1 000 ₽`, `available balance is $80` are balances and never
the amount; `Комиссия 15р` is a fee beside the operation.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.money import is_known

# One character for one (positions stay those of the text read): spaces as spaces and
# minus signs as hyphens.
CLEAN = str.maketrans(
    dict.fromkeys("\t\u00a0\u2007\u2009\u202f\u2002\u2003\u2004\u2005\u2006", " ")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
    | {"\u2019": "'"}
)

SYMBOLS = {
    "₽": "RUB", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₸": "KZT", "₴": "UAH",
    "₺": "TRY", "₾": "GEL", "֏": "AMD", "₼": "AZN", "₹": "INR", "₩": "KRW", "₪": "ILS",
    "฿": "THB", "₫": "VND", "zł": "PLN", "Kč": "CZK", "US$": "USD", "C$": "CAD", "A$": "AUD",
}  # fmt: skip
# Symbols written before the number in their own countries: `1234 $45.67` is 45.67.
_PREFIX_FIRST = frozenset({"$", "€", "£", "¥", "US$", "C$", "A$", "₹", "₩", "₪"})
_WORDS = {"р": "RUB", "руб": "RUB", "рубль": "RUB", "рубля": "RUB", "рублей": "RUB"}
_WORDS |= {"rur": "RUB", "тг": "KZT", "грн": "UAH", "сум": "UZS", "tl": "TRY"}

_NUMBER = r"""
    (?<![\d.,/])(?<!\d:)
    (?P<number>
        (?P<spaces>\d{1,3}(?:\ \d{3})+(?:[.,]\d{1,2})?)   # 12 345,67
      | (?P<commas>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?)      # 1,234.56
      | (?P<dots>\d{1,3}(?:\.\d{3})+,\d{1,2})             # 1.234,56
      | (?P<plain>\d+(?:[.,]\d{1,2})?)                    # 550  550.5  550,00
    )
    (?![\d]|[.,]\d)
"""
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_CODE = r"[A-Z]{3}(?![A-Za-z])"
_WORD = r"(?i:руб(?:л[ьяей]+)?\.?|р\.?|rur|тг|грн|сум|tl)(?![^\W\d_])"
_SIGN = r"(?:(?<=[\s(:;,])|^)(?P<sign>[-+])?"
AFTER_RE = re.compile(_SIGN + _NUMBER + rf"\ ?(?P<currency>{_SYMBOL}|{_CODE}|{_WORD})", re.VERBOSE)
BEFORE_RE = re.compile(
    _SIGN + rf"(?P<currency>{_SYMBOL}|{_CODE})\ ?(?P<sign2>[-+])?" + _NUMBER, re.VERBOSE
)


class Role(StrEnum):
    OPERATION = "operation"
    BALANCE = "balance"  # the balance, the available amount
    LIMIT = "limit"  # a credit limit, an alert's threshold
    FEE = "fee"
    CASHBACK = "cashback"  # the cashback a purchase will earn
    CONVERTED = "converted"  # the operation's amount in another currency, in brackets


_ROLE_BEFORE = {
    Role.BALANCE: r"""
        (?:баланс(?:\ (?:карты|счета|счёта))?|доступно|доступный\ (?:остаток|баланс)
          |(?<!на\ )остаток(?:\ (?:на\ )?(?:карт[еы]|сч[её]т[еау]?))?|ostatok|dostupno|dostupny\ ostatok
          |balans|(?:available\ |new\ |current\ |account\ |your\ )*balance(?:\ is)?(?:\ now)?|available
          |kontostand|saldo|verfügbar|balance\ now)
    """,
    Role.LIMIT: r"""
        (?:(?:кредитный\ |доступный\ )?лимит|limit|exceeded|more\ than|above|превысил[аи]?)
    """,
    Role.FEE: r"(?:комиссия|komissiya|komissia|fee|commission|gebühr)",
    Role.CASHBACK: r"(?:к[еэ]шб[еэ]к|cashback|cash\ back|бонус(?:ов|ы)?|баллов|баллы)",
}
_ROLE_BEFORE_RE = {
    role: re.compile(
        rf"(?:^|[^\w]){pattern}\s*(?:составляет|составит|будет|is|was|:|-|=)?\s*[:\-=]?\s*\(?\s*$",
        re.IGNORECASE | re.VERBOSE,
    )
    for role, pattern in _ROLE_BEFORE.items()
}
# `12 345 ₽ доступно.`: a label after the figure, ending its clause.
_BALANCE_AFTER_RE = re.compile(
    r"\ +(?:доступно|available|remaining)\ *(?:$|[.,;\n])", re.IGNORECASE | re.VERBOSE
)
_BRACKET_BEFORE_RE = re.compile(r"(?:\(|≈|~|или)\s*$")
_WINDOW = 48


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    value: Decimal
    currency: str
    sign: str  # "-", "+" or ""
    role: Role
    label: int  # where the words that gave the role begin (`start` when none did)


def _value(m: re.Match[str]) -> Decimal:
    if m["spaces"]:
        return Decimal(m["spaces"].replace(" ", "").replace(",", "."))
    if m["commas"]:
        return Decimal(m["commas"].replace(",", ""))
    if m["dots"]:
        return Decimal(m["dots"].replace(".", "").replace(",", "."))
    return Decimal(m["plain"].replace(",", "."))


def _code(token: str) -> str | None:
    if token in SYMBOLS:
        return SYMBOLS[token]
    word = token.lower().rstrip(".")
    if word.startswith("руб"):
        return "RUB"
    if word in _WORDS:
        return _WORDS[word]
    if token == "RUR":
        return "RUB"
    return token if is_known(token) else None


@dataclass
class _Match:
    start: int
    end: int
    value: Decimal
    currency: str
    sign: str
    symbol: str
    before: bool  # the currency comes before the number


def _matches(text: str) -> list[_Match]:
    found = []
    for regex, before in ((BEFORE_RE, True), (AFTER_RE, False)):
        for m in regex.finditer(text):
            code = _code(m["currency"])
            if code is None:
                continue
            sign = m["sign"] or (m["sign2"] if before else None) or ""
            found.append(_Match(m.start(), m.end(), _value(m), code, sign, m["currency"], before))
    found.sort(key=lambda f: (f.start, -f.end))
    kept: list[_Match] = []
    for f in found:
        last = kept[-1] if kept else None
        if last is None or f.start >= last.end:
            kept.append(f)
            continue
        # Two readings share a currency: `1234 $45.67` (the dollar goes with what follows),
        # `12.50 USD 1 150 RUB` (the code goes with what precedes).
        shared = f.symbol if f.before else last.symbol
        prefer_before = shared in _PREFIX_FIRST
        if f.before == prefer_before and last.before != prefer_before:
            kept[-1] = f
    return kept


def find(text: str) -> list[Figure]:
    """Every figure in a text (cleaned with CLEAN), in order, each with its role."""
    figures: list[Figure] = []
    operation: Figure | None = None  # the latest operation's figure
    for f in _matches(text):
        # A label is on its figure's line.
        window_start = max(0, f.start - _WINDOW)
        window_start = max(window_start, text.rfind("\n", window_start, f.start) + 1)
        window = text[window_start : f.start]
        role, label = Role.OPERATION, f.start
        for candidate, regex in _ROLE_BEFORE_RE.items():
            m = regex.search(window)
            if m is not None:
                role, label = candidate, window_start + m.start()
                break
        else:
            if _BALANCE_AFTER_RE.match(text, f.end):
                role = Role.BALANCE
            elif (
                operation is not None
                and _BRACKET_BEFORE_RE.search(window)
                and not text[operation.end : f.start].strip(" (≈~")
            ):
                role = Role.CONVERTED
        figure = Figure(f.start, f.end, f.value, f.currency, f.sign, role, label)
        figures.append(figure)
        if role is Role.OPERATION:
            operation = figure
    return figures
