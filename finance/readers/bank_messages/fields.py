"""A card's last digits, a date and a time, as banks print them."""

import datetime as dt
import re
from dataclasses import dataclass

_MASK = r"(?:\*+|•+|·+|…|\.{2,}|[xX]{2,})"
CARD_RE = re.compile(
    rf"""
    # Sber: ECMC1234, MIR-1234, VISA1234, СЧЁТ1234; Gazprombank: Card1234
    \b(?:ECMC|VISA|MIR|МИР|MAES|MAESTRO|MC|AMEX|СЧ[ЁЕ]Т|CARD)[\s-]?{_MASK}?\ ?(?P<a>\d{{4,5}})\b
    # карта *1234, Карта MIR •• 1234, Счёт ··5678, card ending in 1234
  | (?:\b(?:карт[аыеуой]*|сч[её]т[аеу]?|karta|card|account|konto)\b[\s:№]*
       (?:(?:MIR|МИР|VISA|MC|Mastercard|UnionPay)\s*)?{_MASK}\s?(?P<b>\d{{4,5}})\b)
  | (?:\b(?:ending(?:\ in|\ with)?|оканчивающ\w*\ на|заканчивающ\w*\ на)\ +{_MASK}?(?P<c>\d{{4,5}})\b)
  | (?:(?<![\w*•·.]){_MASK}\ ?(?P<d>\d{{4}})\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def cards(text: str) -> list[tuple[str, int, int]]:
    """Every card or account number's last digits, with where it is written."""
    return [
        (m["a"] or m["b"] or m["c"] or m["d"], m.start(), m.end()) for m in CARD_RE.finditer(text)
    ]


TIME_RE = re.compile(
    r"(?<![\d:.,])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?"
    r"(?:\s?(?P<ampm>[AaPp])\.?[Mm]\.?(?![^\W\d_]))?(?![\d:])"
)


def times(text: str) -> list[tuple[dt.time, int, int]]:
    found = []
    for m in TIME_RE.finditer(text):
        hour = int(m["h"])
        if m["ampm"]:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
        found.append((dt.time(hour, int(m["m"]), int(m["s"] or 0)), m.start(), m.end()))
    return found


_MONTHS = {
    **dict.fromkeys(("янв", "jan"), 1), **dict.fromkeys(("фев", "feb"), 2),
    **dict.fromkeys(("мар", "mar"), 3), **dict.fromkeys(("апр", "apr"), 4),
    **dict.fromkeys(("мая", "май", "may"), 5), **dict.fromkeys(("июн", "jun"), 6),
    **dict.fromkeys(("июл", "jul"), 7), **dict.fromkeys(("авг", "aug"), 8),
    **dict.fromkeys(("сен", "sep"), 9), **dict.fromkeys(("окт", "oct"), 10),
    **dict.fromkeys(("ноя", "nov"), 11), **dict.fromkeys(("дек", "dec"), 12),
}  # fmt: skip
_MONTH = r"(?P<mon>янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[^\W\d_]*\.?"
_MONTH_FIRST = _MONTH.replace("<mon>", "<mon4>")
DATE_RE = re.compile(
    rf"""
      (?<![\d.])(?P<y1>\d{{4}})-(?P<m1>\d{{2}})-(?P<d1>\d{{2}})(?![\d])        # 2026-11-23
    | (?<![\d.,/])(?P<a>\d{{1,2}})(?P<sep>[./])(?P<b>\d{{1,2}})(?P=sep)(?P<y2>\d{{4}}|\d{{2}})(?![\d])
    | (?<![\d.,/])(?P<d3>\d{{1,2}})\ {_MONTH}(?:\ (?P<y3>\d{{4}}))?(?![\w])   # 23 ноября 2026
    | \b{_MONTH_FIRST}\ (?P<d4>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\ (?P<y4>\d{{4}}))?(?![\d])
    | (?<![\d.,/:])(?P<d5>\d{{1,2}})\.(?P<m5>\d{{2}})(?=\ +\d{{1,2}}:\d{{2}})  # 23.11 12:34
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RELATIVE_RE = re.compile(r"\b(?P<w>сегодня|вчера|today|yesterday)\b", re.IGNORECASE)


@dataclass(frozen=True)
class StatedDate:
    value: dt.date
    key: str  # as stated: `2026-11-23`, or `11-23` without a year; `` for `вчера`
    start: int
    end: int


def _year(year: str | None) -> int | None:
    if not year:
        return None
    return int(year) + 2000 if len(year) == 2 else int(year)


def _make(day: int, month: int, year: int | None, today: dt.date) -> tuple[dt.date, str] | None:
    try:
        if year is not None:
            return dt.date(year, month, day), f"{year:04d}-{month:02d}-{day:02d}"
        value = dt.date(today.year, month, day)
    except ValueError:
        return None
    if value > today:  # a day and month without a year: the latest not after today
        try:
            value = value.replace(year=today.year - 1)
        except ValueError:
            return None
    return value, f"{month:02d}-{day:02d}"


def dates(text: str, today: dt.date, *, month_first: bool = False) -> list[StatedDate]:
    """The dates a text states; `month_first` reads `11/22/2026` as November 22 (US)."""
    found = []
    for m in DATE_RE.finditer(text):
        if m["y1"]:
            made = _make(int(m["d1"]), int(m["m1"]), int(m["y1"]), today)
        elif m["a"]:
            first, second = int(m["a"]), int(m["b"])
            if m["sep"] == "/" and month_first and first <= 12:
                first, second = second, first
            made = _make(first, second, _year(m["y2"]), today)
        elif m["d3"]:
            made = _make(int(m["d3"]), _MONTHS[m["mon"][:3].lower()], _year(m["y3"]), today)
        elif m["d4"]:
            made = _make(int(m["d4"]), _MONTHS[m["mon4"][:3].lower()], _year(m["y4"]), today)
        else:
            made = _make(int(m["d5"]), int(m["m5"]), None, today)
        if made is not None:
            found.append(StatedDate(made[0], made[1], m.start(), m.end()))
    for m in _RELATIVE_RE.finditer(text):
        back = 1 if m["w"].lower() in {"вчера", "yesterday"} else 0
        found.append(StatedDate(today - dt.timedelta(days=back), "", m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found
