"""QIF (Quicken Interchange Format) bank, cash and card accounts.

Quirks: QIF has no currency (the caller's default is used) and no fixed date order. The
whole file's order is decided here (a `.` or a first number over 12 means day first, as
Russian and European apps write; else Quicken's month first), and every date and amount
is checked here with the row that holds it.

Two readers, one result. What banks and money apps export is one or more
`!Type:Bank|Cash|CCard|Oth A|Oth L` sections of plain records (`D` date, `T`/`U` amount,
`P` payee, `M` memo, `L` category or `[transfer account]`, `N` number, `C` cleared, `A`
address, `^` end): `_read_plain` reads those lines itself, in one pass. Any other file
(accounts, category and class lists, investments, splits, options, comments, a line
`_read_plain` does not know) goes to `quiffen`, which knows all of QIF: its dates and
amounts are checked and written back unambiguously first (ISO dates, point decimals;
quiffen would read `1 250,50` as 125050 and let dateutil guess each date's order). Why
both: quiffen builds a pydantic model per transaction and parses every date with
dateutil, whatever format it is told, and offers neither a fixed date format nor a way
to skip validation: 100,000 records took ~20 CPU-s, two thirds of the 30 s an import
may take, against ~3 s in the plain reader. The plain reader gives way to quiffen
wherever it is unsure, so a file it reads is one quiffen reads the same (the tests
compare the two), and a file it does not read is read, or refused, exactly as before.
One difference on purpose: a plain record's category is the path the file wrote, where
quiffen may graft it under an earlier record's category of the same name.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from quiffen import ParserException, Qif, Transaction

from finance.readers.statements import text
from finance.readers.statements.errors import Code, FileError, RowError
from finance.readers.statements.rows import RowMaker, StatementRow

_TRANSACTION_SECTIONS = ("!type:bank", "!type:cash", "!type:ccard", "!type:otha", "!type:othl")
_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")
_COMMA_DECIMALS = re.compile(r",\d{1,2}$")
_AMOUNT_LINES = ("T", "U", "$")
# quiffen's account types, spelled as it requires them after `!Type:`.
_ACCOUNT_TYPES = ("Bank", "Cash", "CCard", "Oth A", "Oth L")


class _Record(NamedTuple):
    day: date
    amount: Decimal
    payee: str | None
    memo: str | None
    to_account: str | None
    category: str | None  # the path, `Food:Groceries`
    number: int | str | None


class _NotPlain(Exception):
    """The file is more than `_read_plain` reads: quiffen reads it."""


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


def _qif_amount(raw: str, *, row: int) -> Decimal:
    decimal = "," if _COMMA_DECIMALS.search(raw.strip()) else "."
    return text.amount(raw, decimal=decimal, row=row)


def _day_first(lines: Iterable[str]) -> bool:
    dates = (
        _DATE.fullmatch(ln[1:].strip().replace(" ", "0").replace("'", "/"))
        for ln in lines
        if ln.startswith("D")
    )
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
            line = stripped[0] + str(_qif_amount(stripped[1:], row=index))
        out.append(line)
    return "\n".join(out)


def _account_type(line: str) -> str:
    """The account type of a section's header line, if `_read_plain` reads the section."""
    if "!Type" not in line or line.count(":") != 1:
        raise _NotPlain
    if line.lower().replace(" ", "") not in _TRANSACTION_SECTIONS:
        raise _NotPlain
    kind = line.split(":")[1].strip()
    if kind not in _ACCOUNT_TYPES:
        raise _NotPlain
    return kind


def _read_plain(lines: list[str], *, day_first: bool) -> list[_Record]:
    """The records of a file of plain bank records, grouped by account type in the order
    the types first appear (as quiffen gives them); `_NotPlain` for any other file.

    Each line is taken as `normalize` and then quiffen take it: a date or amount is
    checked, in the file's order, with the same row number; a field's code is the line's
    first character, its value the rest as written."""
    groups: dict[str, list[_Record]] = {}
    kind: str | None = None
    index = 1  # as `normalize` counts: every `^` of a transaction section
    fields: dict[str, object] = {}
    started = False  # the section (the lines since the last `^`) has a line other than blanks
    days: dict[str, date] = {}  # a statement's dates repeat: each is read once
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        code = stripped[0]
        if code == "^":
            if line[0] != "^" or stripped != "^":
                raise _NotPlain
            if kind is not None:
                index += 1
                if fields:
                    groups.setdefault(kind, []).append(_record(fields))
            fields, started = {}, False
            continue
        if code == "!":
            if started or line[0] != "!":
                raise _NotPlain
            kind = _account_type(line)
            started = True
            continue
        if kind is None:
            raise _NotPlain  # records before any header; quiffen says so
        started = True
        if code == "D":
            raw = stripped[1:]
            day = days.get(raw)
            if day is None:
                day = days[raw] = _qif_date(raw, day_first=day_first, row=index)
            fields["D"] = day
        elif code in "TU":
            fields["T"] = _qif_amount(stripped[1:], row=index)
        elif line[0] in "PMNCA":
            fields[line[0]] = line[1:]
        elif line[0] == "L":
            value = line[1:]
            if "L" in fields or "/" in value:  # a second category, a class: quiffen's
                raise _NotPlain
            fields["L"] = value
        else:
            raise _NotPlain
    if fields and kind is not None:
        groups.setdefault(kind, []).append(_record(fields))
    if not groups:
        raise _NotPlain
    return [record for records in groups.values() for record in records]


def _record(fields: dict[str, object]) -> _Record:
    day, amount = fields.get("D"), fields.get("T")
    if not isinstance(day, date) or not isinstance(amount, Decimal):
        raise _NotPlain  # quiffen refuses a record without either
    number: int | str | None = None
    raw_number = fields.get("N")
    if isinstance(raw_number, str):
        try:
            number = int(raw_number)
        except ValueError:
            number = raw_number
    category = fields.get("L")
    to_account = None
    if isinstance(category, str) and category.startswith("["):
        to_account, category = category[1:-1], None
    payee, memo = fields.get("P"), fields.get("M")
    return _Record(
        day=day,
        amount=amount,
        payee=payee if isinstance(payee, str) else None,
        memo=memo if isinstance(memo, str) else None,
        to_account=to_account,
        category=category if isinstance(category, str) else None,
        number=number,
    )


def _category(transaction: Transaction) -> str | None:
    """The category's path (`Food:Groceries`); of a split transaction, its first part's."""
    category = transaction.category
    if category is None and transaction.splits:
        category = transaction.splits[0].category
    if category is None:
        return None
    return ":".join(c.name for c in reversed(category.traverse_up()))


def _read_quiffen(content: str) -> Iterator[_Record]:
    normalized = normalize(content)  # a row's refusal, before quiffen's MALFORMED
    try:
        qif = Qif.parse_string(normalized, day_first=False)
    except (ParserException, ValueError, TypeError) as e:
        raise FileError(Code.MALFORMED, f"QIF: {str(e)[:200]}") from None
    for account in qif.accounts.values():
        for kind, transactions in account.transactions.items():
            if f"!type:{kind.value.lower().replace(' ', '')}" not in _TRANSACTION_SECTIONS:
                continue
            for transaction in transactions:
                if not isinstance(transaction, Transaction):
                    continue
                yield _Record(
                    day=transaction.date.date(),
                    amount=transaction.amount,
                    payee=transaction.payee,
                    memo=transaction.memo,
                    to_account=transaction.to_account,
                    category=_category(transaction),
                    number=transaction.check_number,
                )


def read(content: bytes, *, default_currency: str, plain: bool = True) -> Iterator[StatementRow]:
    """The file's rows; `plain=False` has quiffen read even a plain file (for the tests
    that hold the two readers to the same result)."""
    currency = text.currency(default_currency, row=None)
    decoded = text.decode(content)
    records: Iterable[_Record] | None = None
    if plain:
        lines = decoded.splitlines()
        try:
            records = _read_plain(lines, day_first=_day_first(lines))
        except _NotPlain:
            records = None
    if records is None:
        records = _read_quiffen(decoded)
    maker = RowMaker()
    for record in records:
        index = maker.next_index()
        payee = record.payee or (f"[{record.to_account}]" if record.to_account else None)
        yield maker.make(
            index=index,
            day=record.day,
            at=None,
            signed=text.checked(record.amount, row=index, raw=str(record.amount)),
            currency=currency,
            description=" ".join(p for p in (payee, record.memo) if p),
            bank_category=record.category,
            counterpart=payee,
            bank_id=str(record.number) if record.number else None,
        )
