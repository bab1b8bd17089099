"""QIF (Quicken Interchange Format) bank, cash and card accounts, interpreted by `quiffen`.

Quirks: QIF has no currency (the caller's default is used) and no fixed date order. The
whole file's order is decided here (a `.` or a first number over 12 means day first, as
Russian and European apps write; else Quicken's month first), every date and amount is
checked here with the row that holds it and written back unambiguously (ISO dates, point
decimals) before quiffen reads the file: quiffen would read `1 250,50` as 125050 and let
dateutil guess each date's order on its own.
"""

import re
from collections.abc import Iterator
from datetime import date

from quiffen import ParserException, Qif, Transaction

from finance.readers.statements import text
from finance.readers.statements.errors import Code, FileError, RowError
from finance.readers.statements.rows import RowMaker, StatementRow

_TRANSACTION_SECTIONS = ("!type:bank", "!type:cash", "!type:ccard", "!type:otha", "!type:othl")
_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")
_AMOUNT_LINES = ("T", "U", "$")


def _qif_date(raw: str, *, day_first: bool, row: int) -> date:
    # QIF writes ` 1/ 5'26`: spaces for leading zeros, an apostrophe before a short year.
    match = _DATE.fullmatch(raw.strip().replace(" ", "0").replace("'", "/"))
    if not match:
        raise RowError(Code.BAD_DATE, "not a QIF date", row=row, value=raw)
    a, b, c = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        year = int(c) + (2000 if len(c) <= 2 else 0)
    return text.make_date(year, month, day, row=row, raw=raw)


def _day_first(lines: list[str]) -> bool:
    dates = [
        _DATE.fullmatch(ln[1:].strip().replace(" ", "0").replace("'", "/"))
        for ln in lines
        if ln.startswith("D")
    ]
    for match in dates:
        if match and len(match.group(1)) <= 2:
            if "." in match.group(0) or int(match.group(1)) > 12:
                return True
            if int(match.group(2)) > 12:
                return False
    return False


def normalize(content: str) -> str:
    """The file with every transaction's date in ISO and every amount with a point, each
    checked on the way; the operation's number is its place among the transactions."""
    lines = content.splitlines()
    day_first = _day_first(lines)
    out: list[str] = []
    section = ""
    index = 1
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("!"):
            section = stripped.lower().replace(" ", "")
        elif stripped.startswith("^"):
            index += section in _TRANSACTION_SECTIONS
        elif section in _TRANSACTION_SECTIONS and stripped[:1] == "D":
            line = "D" + _qif_date(stripped[1:], day_first=day_first, row=index).isoformat()
        elif section in _TRANSACTION_SECTIONS and stripped[:1] in _AMOUNT_LINES:
            raw = stripped[1:]
            decimal = "," if re.search(r",\d{1,2}$", raw.strip()) else "."
            line = stripped[0] + str(text.amount(raw, decimal=decimal, row=index))
        out.append(line)
    return "\n".join(out)


def _category(transaction: Transaction) -> str | None:
    """The category's path (`Food:Groceries`); of a split transaction, its first part's."""
    category = transaction.category
    if category is None and transaction.splits:
        category = transaction.splits[0].category
    if category is None:
        return None
    return ":".join(c.name for c in reversed(category.traverse_up()))


def read(content: bytes, *, default_currency: str) -> Iterator[StatementRow]:
    currency = text.currency(default_currency, row=None)
    normalized = normalize(text.decode(content))
    try:
        qif = Qif.parse_string(normalized, day_first=False)
    except (ParserException, ValueError, TypeError) as e:
        raise FileError(Code.MALFORMED, f"QIF: {str(e)[:200]}") from None
    maker = RowMaker()
    for account in qif.accounts.values():
        for kind, transactions in account.transactions.items():
            if f"!type:{kind.value.lower().replace(' ', '')}" not in _TRANSACTION_SECTIONS:
                continue
            for transaction in transactions:
                if not isinstance(transaction, Transaction):
                    continue
                index = maker.next_index()
                payee = transaction.payee or (
                    f"[{transaction.to_account}]" if transaction.to_account else None
                )
                memo = transaction.memo
                yield maker.make(
                    index=index,
                    day=transaction.date.date(),
                    at=None,
                    signed=text.checked(transaction.amount, row=index, raw=str(transaction.amount)),
                    currency=currency,
                    description=" ".join(p for p in (payee, memo) if p),
                    bank_category=_category(transaction),
                    counterpart=payee,
                    bank_id=str(transaction.check_number) if transaction.check_number else None,
                )
