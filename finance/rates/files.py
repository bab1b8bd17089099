"""Reading exchange-rate files: a plain `date,base,quote,rate` CSV, or the ECB's layout.

The ECB publishes `eurofxref-hist.csv` (and `.zip`) with one row per day,
`Date,USD,JPY,...` columns and `N/A` where a currency has no rate, all against EUR;
its daily `eurofxref.csv` writes dates as `20 November 2026` and pads with spaces.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError

from core import money
from finance.rates import RateRow

ECB_BASE = "EUR"
PLAIN_COLUMNS = ["date", "base", "quote", "rate"]


def _error(line: int, message: str) -> ValidationError:
    return ValidationError(f"line {line}: {message}", code="invalid_rates_file")


def _date(value: str, line: int) -> date:
    value = value.strip()
    for layout in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(value, layout).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise _error(line, f"{value!r} is not a date (YYYY-MM-DD)")


def _rate(value: str, line: int) -> Decimal:
    try:
        rate = Decimal(value.strip())
    except InvalidOperation:
        raise _error(line, f"{value!r} is not a number") from None
    if not rate.is_finite() or rate <= 0:
        raise _error(line, f"the rate must be positive, got {value!r}")
    return rate


def _code(value: str, line: int) -> str:
    try:
        return money.normalize_code(value)
    except ValidationError:
        raise _error(line, f"{value.strip()!r} is not an ISO 4217 currency code") from None


def read_text(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise ValidationError(
                    "the archive must hold exactly one CSV file", code="invalid_rates_file"
                )
            return archive.read(names[0]).decode("utf-8-sig")
    return path.read_text(encoding="utf-8-sig")


def parse(text: str) -> Iterator[RateRow]:
    """Yield every rate in the file, or raise ValidationError naming the bad line."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = [h.strip() for h in next(reader, [])]
    lowered = [h.lower() for h in header]
    if lowered[:4] == PLAIN_COLUMNS:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < 4:
                raise _error(line, "expected date,base,quote,rate")
            base, quote = _code(row[1], line), _code(row[2], line)
            if base == quote:
                raise _error(line, f"base and quote are both {base}")
            yield RateRow(_date(row[0], line), base, quote, _rate(row[3], line))
    elif lowered[:1] == ["date"] and len(header) > 1:
        quotes = [_code(h, 1) if h else "" for h in header[1:]]
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            day = _date(row[0], line)
            for quote, cell in zip(quotes, row[1:], strict=False):
                if quote and cell.strip() and cell.strip().upper() != "N/A" and quote != ECB_BASE:
                    yield RateRow(day, ECB_BASE, quote, _rate(cell, line))
    else:
        raise ValidationError(
            "unknown layout: expected a `date,base,quote,rate` header or the ECB's `Date,USD,...`",
            code="invalid_rates_file",
        )
