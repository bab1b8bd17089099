"""Bytes to text and cells to values, shared by the statement readers.

Every value check lives here, so each format refuses an impossible date or amount
with the same code.
"""

import re
import unicodedata
from datetime import date, time
from decimal import Decimal, InvalidOperation

from core.money import MAX_AMOUNT, is_known
from finance.readers.statements.errors import Code, FileError, RowError

# Years a statement's operation may fall in: anything else is a broken date.
MIN_YEAR, MAX_YEAR = 1900, 2099

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# C0 controls other than tab, line feed and carriage return: a binary file or text in an
# encoding we were not told about (UTF-16 without its mark).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY = re.compile(
    r"(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_PLAIN = {
    ",": re.compile(r"([+-]?)(\d+)(?:,(\d{1,2}))?"),
    ".": re.compile(r"([+-]?)(\d+)(?:\.(\d{1,2}))?"),
}
_CENT = Decimal("0.01")
# Spaces that group thousands: regular, no-break, narrow no-break, thin, and the apostrophe.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009'")


def decode(content: bytes, *, encodings: tuple[str, ...] = ("utf-8", "cp1251")) -> str:
    """The text of `content`: by its byte-order mark, else the first of `encodings` that
    reads it whole; a file none reads, or with control characters in it, is refused."""
    for mark, codec in _BOMS:
        if content.startswith(mark):
            candidates: tuple[str, ...] = (codec,)
            break
    else:
        candidates = encodings
    for codec in candidates:
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CONTROLS.search(text):
            raise FileError(Code.BAD_ENCODING, f"control characters in {codec} text")
        return text
    raise FileError(Code.BAD_ENCODING, f"not text in {', '.join(candidates)}")


def clean(value: str | None) -> str:
    """The text as written, in one Unicode form with its runs of spaces made one space."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


def make_date(year: int, month: int, day: int, *, row: int, raw: str) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RowError(Code.BAD_DATE, f"year {year} out of range", row=row, value=raw)
    try:
        return date(year, month, day)
    except ValueError:
        raise RowError(Code.BAD_DATE, "no such day", row=row, value=raw) from None


def make_time(
    hour: str | None, minute: str | None, second: str | None, *, row: int, raw: str
) -> time | None:
    if hour is None or minute is None:
        return None
    try:
        return time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise RowError(Code.BAD_DATE, "no such time", row=row, value=raw) from None


def day_first(raw: str, *, row: int) -> tuple[date, time | None]:
    """`24.11.2026`, `24.11.2026 13:05[:00]`, `24/11/26`, or ISO `2026-11-24[T13:05:00]`."""
    value = raw.strip()
    match = _DMY.fullmatch(value)
    if match:
        d, m, y, hh, mm, ss = match.groups()
        year = int(y) + (2000 if len(y) == 2 else 0)
        day = make_date(year, int(m), int(d), row=row, raw=raw)
        return day, make_time(hh, mm, ss, row=row, raw=raw)
    match = _YMD.fullmatch(value)
    if match:
        y, m, d, hh, mm, ss = match.groups()
        day = make_date(int(y), int(m), int(d), row=row, raw=raw)
        return day, make_time(hh, mm, ss, row=row, raw=raw)
    raise RowError(Code.BAD_DATE, "not a date", row=row, value=raw)


def amount(raw: str, *, decimal: str, row: int) -> Decimal:
    """A signed amount written with `decimal` ("," or ".") as its decimal sign, spaces or
    the other sign grouping thousands, and `−`, `-` or `+` in front."""
    plain = _PLAIN[decimal].fullmatch(raw)
    if plain:  # most cells, by far: `-1250,50`; read without the general path's steps
        sign, whole, fraction = plain.groups()
        if len(whole) < 12:
            return Decimal(f"{sign}{whole}.{fraction or ''}".ljust(len(sign) + len(whole) + 3, "0"))
    value = raw.strip().translate(_GROUPING).replace("−", "-")
    grouping = "." if decimal == "," else ","
    value = value.replace(grouping, "").replace(decimal, ".")
    if not _NUMBER.fullmatch(value):
        raise RowError(Code.BAD_AMOUNT, "not an amount", row=row, value=raw)
    return checked(Decimal(value), row=row, raw=raw)


def checked(value: Decimal, *, row: int, raw: str) -> Decimal:
    """`value` if it is a finite amount a ledger can hold (two decimals, under 1e12; the
    same limits as core.money's)."""
    if not value.is_finite():
        raise RowError(Code.BAD_AMOUNT, "not a finite number", row=row, value=raw)
    if abs(value) > MAX_AMOUNT:
        raise RowError(Code.AMOUNT_OUT_OF_RANGE, "over 999,999,999,999.99", row=row, value=raw)
    try:
        exact = value.quantize(_CENT)
    except InvalidOperation:
        raise RowError(Code.AMOUNT_OUT_OF_RANGE, "too many digits", row=row, value=raw) from None
    if exact != value:
        raise RowError(Code.BAD_AMOUNT, "more than two decimals", row=row, value=raw)
    return exact


# Russian banks still write the ruble's pre-1998 code.
_CURRENCY_ALIASES = {"RUR": "RUB", "РУБ": "RUB", "РУБ.": "RUB", "₽": "RUB"}


def currency(raw: str, *, row: int | None) -> str:
    code = raw.strip().upper()
    code = _CURRENCY_ALIASES.get(code, code)
    if not is_known(code):
        if row is None:
            raise FileError(Code.UNKNOWN_CURRENCY, "not an ISO 4217 code", value=raw)
        raise RowError(Code.UNKNOWN_CURRENCY, "not an ISO 4217 code", row=row, value=raw)
    return code
