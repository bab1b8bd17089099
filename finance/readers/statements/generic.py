"""Any CSV with a date and an amount column: the columns chosen by their headings (Russian
or English) or by the person, dates and decimal signs recognised or chosen.

This is the reading the cabinet's CSV import does (`finance/data/imports.py` delegates here), so
a file previews the same whichever door it came through.
"""

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from finance.readers.statements import formulas, text
from finance.readers.statements.errors import Code, FileError, RowError
from finance.readers.statements.rows import Kind, RowMaker, StatementRow

FIELDS = ("date", "amount", "currency", "category", "note", "kind")
REQUIRED = ("date", "amount")
DELIMITERS = (";", ",", "\t")

# Headings as Kopilka, other expense apps and Russian banks write them.
HEADINGS = {
    "date": ("date", "дата", "дата операции", "дата платежа", "transaction date", "day"),
    "amount": ("amount", "сумма", "сумма операции", "сумма платежа", "sum", "value"),
    "currency": ("currency", "валюта", "валюта операции", "currency code"),
    "category": ("category", "категория", "категория операции"),
    "note": ("note", "описание", "комментарий", "назначение", "description", "memo", "comment"),
    "kind": ("kind", "type", "тип", "вид", "тип операции"),
}
KIND_WORDS = {
    Kind.EXPENSE: frozenset({"expense", "расход", "списание", "debit", "-", "out"}),
    Kind.INCOME: frozenset(
        {"income", "доход", "поступление", "пополнение", "зачисление", "credit", "+", "in"}
    ),
    Kind.REFUND: frozenset({"refund", "возврат"}),
}
DATE_LAYOUTS = ("auto", "dmy", "mdy", "ymd")
DECIMAL_STYLES = ("auto", "comma", "dot")

_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TIME)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY_SIGNS = str.maketrans("", "", "₽$€£¥₸₴₺")
# A currency's code or name written beside the number: `12.50 USD`, `1 250 руб.`.
_WORDS_AROUND = re.compile(r"^[^\W\d_]+\.?\s*|\s*[^\W\d_]+\.?$")


@dataclass(frozen=True)
class CsvOptions:
    mapping: Mapping[str, int | None] | None = None  # field -> column; None: by the headings
    date_format: str = "auto"  # one of DATE_LAYOUTS
    decimal: str = "auto"  # one of DECIMAL_STYLES


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]  # the rows after the header that hold anything


def sniff_delimiter(line: str) -> str:
    return max(DELIMITERS, key=line.count)


def read_table(content: str) -> Table:
    """The heading row and the rows of CSV text; a text of fewer than two rows is refused."""
    first = content.lstrip("\ufeff").splitlines()[0] if content.strip() else ""
    try:
        lines = [
            row
            for row in csv.reader(
                io.StringIO(content, newline=""), delimiter=sniff_delimiter(first)
            )
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as e:
        raise FileError(Code.MALFORMED, f"not CSV: {e}") from None
    if len(lines) < 2:
        raise FileError(Code.EMPTY, "no rows under the heading")
    return Table(header=[h.strip() for h in lines[0]], rows=lines[1:])


def guess_mapping(header: Sequence[str]) -> dict[str, int | None]:
    lowered = [" ".join(h.lower().replace("_", " ").split()) for h in header]
    return {
        name: next((i for i, h in enumerate(lowered) if h in HEADINGS[name]), None)
        for name in FIELDS
    }


def parse_date(value: str, layout: str, *, row: int) -> tuple[date, time | None]:
    """A date (and the time after it, if any) written in `layout`; "auto" is ISO or day
    first, as most of the world and every Russian bank writes it."""
    value = value.strip()
    if layout in ("auto", "ymd"):
        match = _YEAR_FIRST.fullmatch(value)
        if match:
            y, m, d, hh, mm, ss = match.groups()
            day = text.make_date(int(y), int(m), int(d), row=row, raw=value)
            return day, text.make_time(hh, mm, ss, row=row, raw=value)
    if layout in ("auto", "dmy", "mdy"):
        match = _YEAR_LAST.fullmatch(value)
        if match:
            a, b, y, hh, mm, ss = match.groups()
            d, m = (b, a) if layout == "mdy" else (a, b)
            year = int(y) + (2000 if len(y) == 2 else 0)
            day = text.make_date(year, int(m), int(d), row=row, raw=value)
            return day, text.make_time(hh, mm, ss, row=row, raw=value)
    raise RowError(Code.BAD_DATE, f"not a date in the {layout} layout", row=row, value=value)


def decimal_style(values: Sequence[str]) -> str:
    """Comma or point as the decimal sign, from the amounts that show one unambiguously."""
    for value in values:
        value = _SPACES.sub("", value)
        if re.search(r",\d{1,2}$", value) or re.search(r"\.\d{3},", value):
            return "comma"
        if re.search(r"\.\d{1,2}$", value) or re.search(r",\d{3}\.", value):
            return "dot"
    return "comma"


def parse_amount(value: str, style: str, *, row: int) -> Decimal:
    """A signed amount; a currency's sign, code or name written beside it is let be."""
    bare = _WORDS_AROUND.sub("", value.strip().translate(_CURRENCY_SIGNS)).strip()
    try:
        return text.amount(bare, decimal="," if style == "comma" else ".", row=row)
    except RowError as e:
        raise RowError(e.code, e.detail, row=row, value=value) from None


def parse_kind(value: str) -> Kind | None:
    word = value.strip().lower()
    return next((kind for kind, words in KIND_WORDS.items() if word in words), None)


def cell(row: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    # Our own export protects formula-like text with apostrophes: take them off again.
    return formulas.restore(row[index].strip())


def check_mapping(mapping: Mapping[str, int | None]) -> None:
    for name in REQUIRED:
        if mapping.get(name) is None:
            raise FileError(Code.COLUMNS_MISSING, f"no {name} column", value=name)


def read(
    content: bytes, *, default_currency: str, options: CsvOptions | None = None
) -> Iterator[StatementRow]:
    options = options or CsvOptions()
    table = read_table(text.decode(content))
    yield from rows(table, default_currency=default_currency, options=options)


def rows(table: Table, *, default_currency: str, options: CsvOptions) -> Iterator[StatementRow]:
    m = options.mapping if options.mapping is not None else guess_mapping(table.header)
    check_mapping(m)
    amounts = [cell(r, m["amount"]) for r in table.rows]
    style = options.decimal if options.decimal != "auto" else decimal_style(amounts)
    # Without a kind column, a column with a minus anywhere is signed; else all is spending.
    signed = m.get("kind") is None and any(a.startswith(("-", "−")) for a in amounts)
    maker = RowMaker()
    for cells in table.rows:
        index = maker.next_index()
        day, at = parse_date(cell(cells, m["date"]), options.date_format, row=index)
        value = parse_amount(cell(cells, m["amount"]), style, row=index)
        kind: Kind | None
        if m.get("kind") is not None:
            kind = parse_kind(cell(cells, m["kind"]))
            if kind is None:
                raise RowError(
                    Code.MALFORMED,
                    "neither expense nor income",
                    row=index,
                    value=cell(cells, m["kind"]),
                )
            value = -abs(value) if kind == Kind.EXPENSE else abs(value)
        elif signed:
            kind = None  # by the sign, as every reader does
        else:
            kind, value = Kind.EXPENSE, -abs(value)
        code = cell(cells, m.get("currency"))
        yield maker.make(
            index=index,
            day=day,
            at=at,
            signed=value,
            currency=maker.currency(code or default_currency, row=index),
            description=cell(cells, m.get("note"))[:500],
            bank_category=cell(cells, m.get("category")),
            kind=kind,
        )
