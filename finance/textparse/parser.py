"""Free text to the fields of one transaction: pure, no database, no clock."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import MAX_AMOUNT, is_known
from finance.textparse import amounts, dates, emoji, money, words
from finance.textparse.categories import GAP, CategoryEntry, CategoryIndex

KINDS = frozenset({"expense", "income"})

AMOUNT_NOT_FOUND = "The text states no amount; write it as a number, such as “кофе 250”."
AMOUNT_OUT_OF_RANGE = "The amount must be greater than zero and less than 1,000,000,000,000."
UNKNOWN_CURRENCY = "“{code}” is not an ISO 4217 currency code."
INVALID_DATE = "“{words}” is not a day that exists."
NO_CATEGORY = "There is no {kind} category to file this under."

# Every kind of space as a plain one and every dash as a hyphen, one character for one, so
# that positions in the cleaned text are positions in what the person typed.
_CLEAN = str.maketrans(
    dict.fromkeys("\t\n\r\f\v\u00a0\u2007\u2009\u202f\u2002\u2003\u2004\u2005\u2006", " ")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")
    | {"\u2019": "'", "\u02bc": "'"}
)
_BLOT = "\x00"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")
_TOKEN_OR_GAP_RE = re.compile(f"{words.WORD_RE.pattern}|{_BLOT}+")
# The words without which dates.TIME_RE and amounts.NOT_AMOUNT_RE find nothing (with `:`,
# `№`, `#` and at least ten digits).
_TIME_WORDS = frozenset(
    {"am", "pm", "m", "clock", "утра", "вечера", "ночи", "дня", "час", "часа", "часов"}
    | {"часам", "часу", "ч"}
)
_NUMBERED = frozenset(("no", "nr", "г", "гг", "год", "года", "году"))
_NO_DIGITS = str.maketrans("", "", "0123456789")
_PHONE_DIGITS = 10
_EDGE_PUNCTUATION = " ,.;:-+=/\\|!?*"


@dataclass(frozen=True)
class Problem:
    path: str  # the payload field at fault: payload.text, payload.date, payload.currency
    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)  # what `message` was filled with


class ParseError(Exception):
    """The text cannot be recorded; `problems` lists every reason, each with its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.code}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ParseResult:
    amount: Decimal
    currency: str
    date: dt.date
    category: CategoryEntry
    note: str
    matched: str = ""  # the keyword that chose the category; "" for the fallback
    # False when the text says nothing about the category and it is the kind's fallback
    # (`Прочее`/`Other`): a chat can ask instead of filing it away silently.
    category_guessed: bool = True

    @property
    def category_id(self) -> int:
        return self.category.id

    @property
    def category_slug(self) -> str:
        return self.category.slug


def _lower(text: str) -> tuple[str, str]:
    cleaned = text.translate(_CLEAN)
    lowered = cleaned.lower()
    if len(lowered) != len(cleaned):
        # A few letters grow when lower-cased (`İ`); keep those as they are.
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in cleaned)
    return cleaned, lowered


def _blot(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _BLOT * (end - start)
    return "".join(chars)


def _note(text: str, spans: list[tuple[int, int]]) -> str:
    kept, position = [], 0
    for start, end in sorted(spans):
        if start > position:
            kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    # `кофе тысяча, такси`: no space left before the comma the amount stood before.
    parts = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(kept)).split()
    # `в Пятёрочке продуктов на 734,90`: the amount's preposition has nothing left to govern.
    while parts and parts[-1].lower().strip(_EDGE_PUNCTUATION) in words.STOPWORDS | {""}:
        parts.pop()
    return " ".join(parts).strip(_EDGE_PUNCTUATION)


def parse(
    text: str,
    *,
    kind: str,
    index: CategoryIndex,
    default_currency: str,
    today: dt.date,
    date: dt.date | None = None,
    currency: str | None = None,
) -> ParseResult:
    """Read amount, currency, date, category and note from `text`, or raise ParseError.

    `date` and `currency`, when given, win over what the text says.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    problems: list[Problem] = []
    cleaned, low = _lower(text)
    if words.MIXED_RE.search(low):
        # `вчерa` with a Latin `a`: one script per word, letter for letter, before reading.
        low = words.WORD_RE.sub(lambda m: words.unmix(m[0]), low)

    tokens = words.LETTERS_RE.findall(low)
    found_dates = dates.find(low, today, tokens)
    hard = [d for d in found_dates if not d.soft]
    soft = [d for d in found_dates if d.soft]
    # Most texts hold no hour and no phone number: skip what cannot match (~3 µs).
    times = []
    if ":" in low or not _TIME_WORDS.isdisjoint(tokens):
        times += [m.span() for m in dates.TIME_RE.finditer(low)]
    if (
        len(low) - len(low.translate(_NO_DIGITS)) >= _PHONE_DIGITS
        or "№" in low
        or "#" in low
        or not _NUMBERED.isdisjoint(tokens)
    ):
        times += [m.span() for m in amounts.NOT_AMOUNT_RE.finditer(low)]
    masked = _blot(low, [(d.start, d.end) for d in hard] + times)
    currencies = [c for c in money.find(cleaned, low) if masked[c.start] != _BLOT]
    candidates = amounts.find(low, masked, currencies, soft, tokens)
    amount = amounts.choose(candidates)

    if amount is None:
        problems.append(Problem("payload.text", "amount_not_found", AMOUNT_NOT_FOUND))
    elif not 0 < amount.value <= MAX_AMOUNT:
        problems.append(Problem("payload.text", "amount_out_of_range", AMOUNT_OUT_OF_RANGE))

    # A `15.11` that turned out to be (part of) the amount is not a date.
    used_dates = [
        d
        for d in found_dates
        if not (
            d.soft
            and amount is not None
            and any(d.start < end and start < d.end for start, end in amount.spans())
        )
    ]
    if date is None:
        stated = used_dates[0] if used_dates else None
        if stated is not None and stated.value is None:
            stated_text = cleaned[stated.start : stated.end]
            problems.append(
                Problem(
                    "payload.text",
                    "invalid_date",
                    INVALID_DATE.format(words=stated_text),
                    {"words": stated_text},
                )
            )
        date = stated.value if stated is not None and stated.value else today

    if currency is not None:
        code = currency.strip().upper()
        if not is_known(code):
            problems.append(
                Problem(
                    "payload.currency",
                    "unknown_currency",
                    UNKNOWN_CURRENCY.format(code=currency),
                    {"code": currency},
                )
            )
        currency = code
    else:
        anywhere = (c.code for c in currencies if c.place is money.Place.ANYWHERE)
        currency = (amount.currency if amount else None) or next(anywhere, default_currency)

    removed = [(d.start, d.end) for d in used_dates]
    removed += [(c.start, c.end) for c in currencies if c.place is money.Place.ANYWHERE]
    if amount is not None:
        removed += [*amount.spans(), *amount.currency_spans]
    leftover = _blot(low, removed)
    tokens = [GAP if t[0] == _BLOT else t for t in _TOKEN_OR_GAP_RE.findall(leftover)]
    match = index.match(kind, tokens, emoji.find(leftover))
    if match is None:
        problems.append(
            Problem(
                "payload.text", "category_not_found", NO_CATEGORY.format(kind=kind), {"kind": kind}
            )
        )

    if problems or amount is None or match is None:
        raise ParseError(problems)
    return ParseResult(
        amount=amount.value,
        currency=currency,
        date=date,
        category=match.category,
        note=_note(cleaned, removed),
        matched=match.alias,
        category_guessed=match.guessed,
    )
