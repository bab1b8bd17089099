"""Bank statements to rows: T-Bank's and Sber's CSV, OFX 1 and 2, QIF, camt.053 and any CSV.

A pure package: bytes in, `StatementRow`s out, no database, no network, no clock. The
format is told by the file's bytes. A file that cannot be read honestly is refused whole
with a `StatementError` (a `Code`, and the row where one is to blame); callers translate
the code. XML is read with defusedxml whatever library interprets it.

    statement = read_statement(content, default_currency="RUB", max_bytes=10 * 2**20)
    statement.format, statement.rows, statement.left_out
"""

from collections.abc import Iterator

from finance.readers.statements import banks, camt, generic, ofx, qif, text
from finance.readers.statements.detect import detect_format
from finance.readers.statements.errors import Code, FileError, RowError, StatementError
from finance.readers.statements.generic import CsvOptions
from finance.readers.statements.rows import Format, Kind, Statement, StatementRow, Status

__all__ = [
    "Code",
    "CsvOptions",
    "FileError",
    "Format",
    "Kind",
    "RowError",
    "Statement",
    "StatementError",
    "StatementRow",
    "Status",
    "detect_format",
    "iter_rows",
    "read_statement",
]


def iter_rows(
    content: bytes,
    file_format: Format,
    *,
    default_currency: str,
    csv_options: CsvOptions | None = None,
) -> Iterator[StatementRow]:
    """Every operation of a file of `file_format`, in the file's order, left-out ones included;
    `default_currency` is for the formats that name none (QIF, a CSV without the column)."""
    match file_format:
        case Format.TBANK_CSV:
            return banks.read_tbank(content)
        case Format.SBER_CSV:
            return banks.read_sber(content)
        case Format.OFX1 | Format.OFX2:
            return ofx.read(content, version=1 if file_format == Format.OFX1 else 2)
        case Format.QIF:
            return qif.read(content, default_currency=default_currency)
        case Format.CAMT053:
            return camt.read(content)
        case Format.CSV:
            return generic.read(content, default_currency=default_currency, options=csv_options)


def read_statement(
    content: bytes,
    *,
    default_currency: str,
    max_bytes: int,
    max_rows: int | None = None,
    csv_options: CsvOptions | None = None,
) -> Statement:
    """The statement in `content`: its format, its completed operations and those left out
    (pending, failed); refused with a StatementError as a whole."""
    if len(content) > max_bytes:
        raise FileError(Code.TOO_BIG, f"{len(content)} bytes, over {max_bytes}")
    if not content.strip():
        raise FileError(Code.EMPTY, "no bytes")
    text.currency(default_currency, row=None)
    found = detect_format(content)
    rows: list[StatementRow] = []
    left_out: list[StatementRow] = []
    for row in iter_rows(
        content, found, default_currency=default_currency, csv_options=csv_options
    ):
        if max_rows is not None and row.index > max_rows:
            raise FileError(Code.TOO_MANY_ROWS, f"more than {max_rows} operations")
        (rows if row.status == Status.COMPLETED else left_out).append(row)
    if not rows and not left_out:
        raise FileError(Code.EMPTY, "no operations")
    return Statement(format=found, rows=tuple(rows), left_out=tuple(left_out))
