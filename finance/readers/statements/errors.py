"""The refusals of a statement file: one code each, the row where there is one.

Callers translate a code into the person's language; `detail` is English for logs.
"""

from enum import StrEnum


class Code(StrEnum):
    EMPTY = "empty"
    TOO_BIG = "too_big"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_FORMAT = "unknown_format"
    BAD_ENCODING = "bad_encoding"
    XML_FORBIDDEN = "xml_forbidden"
    MALFORMED = "malformed"
    COLUMNS_MISSING = "columns_missing"
    BAD_DATE = "bad_date"
    BAD_AMOUNT = "bad_amount"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"
    UNKNOWN_CURRENCY = "unknown_currency"


class StatementError(ValueError):
    """A statement file refused: `code`, the 1-based `row` (the operation's `index`) where
    one is to blame, and the offending `value` as the file wrote it."""

    def __init__(self, code: Code, detail: str, *, row: int | None = None, value: str = "") -> None:
        self.code = code
        self.detail = detail
        self.row = row
        self.value = value[:100]
        super().__init__(f"{code}: {detail}" + (f" (row {row})" if row is not None else ""))


class FileError(StatementError):
    """The file as a whole: empty, too big, not a statement, hostile or broken."""

    def __init__(self, code: Code, detail: str, *, value: str = "") -> None:
        super().__init__(code, detail, value=value)


class RowError(StatementError):
    """One operation of an otherwise readable file."""

    def __init__(self, code: Code, detail: str, *, row: int, value: str = "") -> None:
        super().__init__(code, detail, row=row, value=value)
