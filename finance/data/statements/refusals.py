"""Why a statement file is refused, in the person's language: the reader's codes
(`finance.readers.statements.Code`) and the import's own, each naming the row where one
is to blame."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finance.readers.statements import Code, StatementError

IMPORT_REPEATED = "import_repeated"
MESSAGES: dict[str, Any] = {
    Code.EMPTY: _("The file holds no operations."),
    Code.TOO_BIG: _("The file is larger than %(limit)s MB: split it, or export a shorter period."),
    Code.TOO_MANY_ROWS: _(
        "The file holds more than %(limit)s operations: export a shorter period."
    ),
    Code.UNKNOWN_FORMAT: _(
        "This is not a statement Kopilka reads: export a CSV, OFX, QIF or camt.053 file "
        "from your bank."
    ),
    Code.BAD_ENCODING: _(
        "The file's text is in no encoding Kopilka reads (UTF-8, UTF-16 or Windows-1251)."
    ),
    Code.XML_FORBIDDEN: _(
        "The file's XML declares entities or a document type, which Kopilka does not read."
    ),
    Code.MALFORMED: _("The file is damaged, or not what it says it is."),
    Code.COLUMNS_MISSING: _("Choose the column that holds the %(value)s."),
    Code.BAD_DATE: _("“%(value)s” is not a date."),
    Code.BAD_AMOUNT: _("“%(value)s” is not an amount."),
    Code.AMOUNT_OUT_OF_RANGE: _(
        "“%(value)s” is out of range: an amount is over zero and under 1,000,000,000,000."
    ),
    Code.UNKNOWN_CURRENCY: _("“%(value)s” is not a currency code."),
    IMPORT_REPEATED: _(
        "This statement was already imported on %(date)s: every operation in it is in the "
        "books, so nothing was imported again."
    ),
}
ROW = _("Row %(row)s: %(problem)s")
COLUMNS = {"date": _("date"), "amount": _("amount")}


def refusal(code: str, *, row: int | None = None, **params: object) -> ValidationError:
    """A refusal of the file: `code`, and the `row` to blame (an operation's number in the
    file, from 1) where there is one, kept in the error's params."""
    message = MESSAGES.get(code, MESSAGES[Code.MALFORMED])
    if row is None:
        return ValidationError(message, code=str(code), params=params or None)
    problem = str(message % params) if params else str(message)
    return ValidationError(ROW, code=str(code), params={"row": row, "problem": problem})


def statement_refusal(exc: StatementError, **params: object) -> ValidationError:
    """The reader's refusal as the person reads it."""
    value: object = exc.value
    if exc.code == Code.COLUMNS_MISSING:
        value = COLUMNS.get(exc.value, exc.value)
    return refusal(exc.code, row=exc.row, value=value, **params)


def row_of(error: ValidationError) -> int | None:
    """The row a refusal names, if any."""
    params = getattr(error, "params", None) or {}
    row = params.get("row")
    return row if isinstance(row, int) else None
