"""ISO 20022 bank-to-customer statements (camt.053, any version), read with defusedxml.

One row per entry (`Ntry`); a batch entry's several transactions stay one row, as the bank
booked them. Quirks: the namespace differs per version (001.02 to 001.13), so tags are
read by their local names; the status is a bare code before 2019 and `<Sts><Cd>` since; a
reversal (`RvslInd`) of a debit is money back, a refund; a card payment abroad carries the
instructed amount in its own currency beside the booked one.
"""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal, InvalidOperation

from finance.readers.statements import safexml, text
from finance.readers.statements.errors import Code, FileError, RowError
from finance.readers.statements.rows import Kind, RowMaker, StatementRow, Status

_STATUSES = {"BOOK": Status.COMPLETED, "PDNG": Status.PENDING, "INFO": Status.PENDING}


def _strip_namespaces(root: ET.Element) -> None:
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]


def _at(element: ET.Element | None, *path: str) -> ET.Element | None:
    """The element down `path`, one child at a time: ElementTree's C code answers a plain
    tag itself but hands a path with slashes to its Python ElementPath, 5x slower."""
    for tag in path:
        if element is None:
            return None
        element = element.find(tag)
    return element


def _text(element: ET.Element | None, *path: str) -> str | None:
    found = _at(element, *path)
    return None if found is None else found.text


def _amount(element: ET.Element | None, *, row: int) -> tuple[Decimal, str]:
    if element is None or element.text is None:
        raise RowError(Code.BAD_AMOUNT, "no Amt", row=row)
    raw = element.text
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RowError(Code.BAD_AMOUNT, "not an amount", row=row, value=raw) from None
    value = text.checked(value, row=row, raw=raw)
    if value < 0:  # the direction is CdtDbtInd's; a signed Amt breaks the schema
        raise RowError(Code.BAD_AMOUNT, "a negative Amt", row=row, value=raw)
    return value, text.currency(element.get("Ccy", ""), row=row)


def _booked(entry: ET.Element, *, row: int) -> tuple[date, time | None]:
    for path in (("BookgDt", "DtTm"), ("BookgDt", "Dt"), ("ValDt", "DtTm"), ("ValDt", "Dt")):
        raw = _text(entry, *path)
        if raw:
            return text.day_first(raw[:19], row=row)  # the offset after the time is let be
    raise RowError(Code.BAD_DATE, "no booking date", row=row)


def _party(details: ET.Element | None, role: str) -> str | None:
    if details is None:
        return None
    party = _at(details, "RltdPties", role)
    return _text(party, "Nm") or _text(party, "Pty", "Nm")


def read(content: bytes) -> Iterator[StatementRow]:
    root = safexml.parse(content)
    _strip_namespaces(root)
    if root.find("BkToCstmrStmt") is None:
        raise FileError(Code.UNKNOWN_FORMAT, "not a camt.053 statement")
    maker = RowMaker()
    for entry in (e for s in root.iterfind("BkToCstmrStmt/Stmt") for e in s.findall("Ntry")):
        index = maker.next_index()
        amount, currency = _amount(entry.find("Amt"), row=index)
        direction = entry.findtext("CdtDbtInd", "")
        if direction not in ("CRDT", "DBIT"):
            raise RowError(
                Code.MALFORMED, "CdtDbtInd is neither CRDT nor DBIT", row=index, value=direction
            )
        day, at = _booked(entry, row=index)
        status = _STATUSES.get(
            _text(entry, "Sts", "Cd") or entry.findtext("Sts") or "", Status.PENDING
        )
        reversal = (entry.findtext("RvslInd") or "").lower() == "true"
        found = entry.find("NtryDtls")
        transactions = [] if found is None else found.findall("TxDtls")
        details = transactions[0] if len(transactions) == 1 else None
        # Who is on the other side: the creditor of money out, the debtor of money in.
        counterpart = _party(details, "Cdtr" if direction == "DBIT" else "Dbtr")
        remittance = _at(details, "RmtInf")
        lines = [] if remittance is None else [u.text or "" for u in remittance.findall("Ustrd")]
        description = " ".join(filter(None, lines)) or (
            (details.findtext("AddtlTxInf") if details is not None else None)
            or entry.findtext("AddtlNtryInf")
            or ""
        )
        signed = -amount if direction == "DBIT" else amount
        account_signed, account_currency = None, None
        instructed = _at(details, "AmtDtls", "InstdAmt", "Amt")
        if instructed is not None and instructed.get("Ccy") not in (None, currency):
            account_signed, account_currency = signed, currency
            amount, currency = _amount(instructed, row=index)
            signed = -amount if direction == "DBIT" else amount
        yield maker.make(
            index=index,
            day=day,
            at=at,
            signed=signed,
            currency=currency,
            description=description,
            status=status,
            counterpart=counterpart,
            kind=Kind.REFUND if reversal and direction == "CRDT" else None,
            account_signed=account_signed,
            account_currency=account_currency,
            bank_id=entry.findtext("AcctSvcrRef") or entry.findtext("NtryRef"),
        )
