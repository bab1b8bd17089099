"""The CSV statements of Russian banks, read by their own headings.

T-Bank ("Операции" export): Windows-1251, `;`, every cell quoted, a status column where
only "OK" is a completed operation, the operation's and the payment's amounts and
currencies, T-Bank's category and the MCC. Sber (statement of a card account): a few lines
about the account above the heading, the date and the time in two columns, credits written
with `+` and debits with no sign, and no processing date while an operation is pending.
"""

import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from finance.readers.statements import text
from finance.readers.statements.errors import Code, FileError
from finance.readers.statements.rows import RowMaker, StatementRow, Status

TBANK_REQUIRED = ("дата операции", "статус", "сумма операции", "валюта операции", "описание")
TBANK_MARKS = frozenset({"дата операции", "статус", "сумма платежа", "mcc", "номер карты"})
SBER_REQUIRED = ("дата операции", "описание операции", "сумма в валюте операции", "валюта операции")
SBER_MARKS = frozenset(
    {"дата операции", "описание операции", "сумма в валюте счета", "код авторизации"}
)
_HEADER_SEARCH_LINES = 30  # Sber writes the account's details above the heading


def heading(cell: str) -> str:
    return " ".join(cell.strip().strip('"').lower().replace("ё", "е").split())


def find_header(content: str, marks: frozenset[str]) -> tuple[int, str] | None:
    """The line number (from 0) of the heading row holding all of `marks`, and its delimiter."""
    lines = io.StringIO(content, newline="")
    for number, line in enumerate(itertools.islice(lines, _HEADER_SEARCH_LINES)):
        for delimiter in (";", ",", "\t"):
            cells = {heading(c) for c in line.split(delimiter)}
            if marks <= cells:
                return number, delimiter
    return None


def _table(
    content: str, marks: frozenset[str], required: Sequence[str]
) -> tuple[dict[str, int], int, Iterator[list[str]]]:
    """The columns by heading, the index of a column no heading names (always empty), and
    the rows, each cut or padded to the heading row's width plus that column."""
    found = find_header(content, marks)
    if found is None:
        raise FileError(Code.COLUMNS_MISSING, "no heading row")
    number, delimiter = found
    lines = io.StringIO(content, newline="")  # line ends as csv wants them: \r, \n, \r\n only
    for _ in range(number):
        lines.readline()
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as e:
        raise FileError(Code.MALFORMED, f"CSV: {e}") from None
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        columns.setdefault(heading(cell), i)  # a heading written twice: its first column
    missing = [name for name in required if name not in columns]
    if missing:
        raise FileError(Code.COLUMNS_MISSING, f"no {missing[0]!r} column", value=missing[0])
    return columns, len(header), _rows(reader, absent=len(header))


def _rows(reader: Iterator[list[str]], *, absent: int) -> Iterator[list[str]]:
    """The rows that hold anything, stripped, cut or padded to end with an empty cell at
    `absent`, the index the headings a file lacks stand for."""
    try:
        for row in reader:
            if any(row):
                yield [c.strip() for c in row[:absent]] + [""] * (
                    absent + 1 - min(len(row), absent)
                )
    except csv.Error as e:
        raise FileError(Code.MALFORMED, f"CSV: {e}") from None


def _card(value: str) -> str | None:
    digits = "".join(c for c in value if c.isdigit())
    return digits[-4:] or None


def read_tbank(content: bytes) -> Iterator[StatementRow]:
    columns, absent, lines = _table(text.decode(content), TBANK_MARKS, TBANK_REQUIRED)
    when, status_at, amount_at, currency_at, description_at = (
        columns[name] for name in TBANK_REQUIRED
    )
    paid_at, paid_currency_at, mcc_at, category_at, card_at = (
        columns.get(name, absent)
        for name in ("сумма платежа", "валюта платежа", "mcc", "категория", "номер карты")
    )
    statuses = {"OK": Status.COMPLETED, "FAILED": Status.FAILED}
    cards: dict[str, str | None] = {}
    maker = RowMaker()
    for row in lines:
        index = maker.next_index()
        day, at = text.day_first(row[when], row=index)
        mcc, card = row[mcc_at], row[card_at]
        # The amount in the card's currency, where the file gives it whole.
        paid = row[paid_at] if row[paid_currency_at] else ""
        if card not in cards:
            cards[card] = _card(card)
        yield maker.make(
            index=index,
            day=day,
            at=at,
            signed=text.amount(row[amount_at], decimal=",", row=index),
            currency=maker.currency(row[currency_at], row=index),
            description=row[description_at],
            # Anything but OK or FAILED is an operation still on hold: left out.
            status=statuses.get(row[status_at].upper(), Status.PENDING),
            mcc=mcc if len(mcc) == 4 and mcc.isdigit() else None,
            bank_category=row[category_at],
            counterpart=row[description_at],
            account_signed=text.amount(paid, decimal=",", row=index) if paid else None,
            account_currency=maker.currency(row[paid_currency_at], row=index) if paid else None,
            card=cards[card],
        )


def read_sber(content: bytes) -> Iterator[StatementRow]:
    columns, absent, lines = _table(text.decode(content), SBER_MARKS, SBER_REQUIRED)
    when, description_at, amount_at, currency_at = (columns[name] for name in SBER_REQUIRED)
    time_at, processed_at, paid_at, paid_currency_at, category_at, code_at = (
        columns.get(name, absent)
        for name in (
            "время",
            "дата обработки",
            "сумма в валюте счета",
            "валюта счета",
            "категория",
            "код авторизации",
        )
    )
    maker = RowMaker()
    for row in lines:
        index = maker.next_index()
        day, at = text.day_first(f"{row[when]} {row[time_at]}".strip(), row=index)
        paid = row[paid_at] if row[paid_currency_at] else ""
        yield maker.make(
            index=index,
            day=day,
            at=at,
            signed=_sber_amount(row[amount_at], row=index),
            currency=maker.currency(row[currency_at], row=index),
            description=row[description_at],
            # No processing date yet: the operation is still on hold (when the column exists).
            status=Status.PENDING
            if processed_at != absent and not row[processed_at]
            else Status.COMPLETED,
            bank_category=row[category_at],
            counterpart=row[description_at],
            account_signed=_sber_amount(paid, row=index) if paid else None,
            account_currency=maker.currency(row[paid_currency_at], row=index) if paid else None,
            bank_id=row[code_at] or None,
        )


def _sber_amount(raw: str, *, row: int) -> Decimal:
    value = text.amount(raw, decimal=",", row=row)
    # Sber writes money in with a plus and money out with no sign at all.
    return value if raw.lstrip().startswith("+") else -abs(value)
