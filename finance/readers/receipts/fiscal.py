"""The text of a Russian cash receipt's QR code (54-ФЗ) to its fields.

`t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1`: the local time
of the settlement, the total in roubles, the fiscal drive's number, the document's number,
its fiscal sign and the kind of settlement. Keys come in any order; unknown keys are
ignored. Pure: no models, no database, no clock (whether `t` is in the future is the
caller's call).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from core.money import MAX_AMOUNT
from finance.readers.receipts.errors import InvalidFiscalQR, NotFiscalQR

FIELDS = ("t", "s", "fn", "i", "fp", "n")
UINT32_MAX = 2**32 - 1  # `i` and `fp` are 32-bit unsigned in the fiscal data format

_FORMATS = {
    "t": re.compile(r"[0-9]{8}T[0-9]{4}(?:[0-9]{2})?"),
    "s": re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?"),
    "fn": re.compile(r"[0-9]{16}"),
    "i": re.compile(r"[0-9]{1,10}"),
    "fp": re.compile(r"[0-9]{1,10}"),
    "n": re.compile(r"[0-9]"),
}
# GOST R 56042 payment QRs: `ST0001` + the charset digit + the separator, `ST00012|Name=...`.
_PAYMENT = re.compile(r"ST0001[123]", re.ASCII)
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE | re.ASCII)
# A text is taken for a receipt's QR gone wrong, rather than some other QR, when it is
# `key=value&...` and names at least this many of the six fields.
_FISCAL_KEYS_NEEDED = 3
_CENT = Decimal("0.01")


class ReceiptKind(StrEnum):
    PURCHASE = "purchase"  # n=1, приход
    PURCHASE_REFUND = "purchase_refund"  # n=2, возврат прихода
    PAYOUT = "payout"  # n=3, расход: the seller pays the person
    PAYOUT_REFUND = "payout_refund"  # n=4, возврат расхода

    @property
    def n(self) -> int:
        return _N_BY_KIND[self]

    @property
    def is_refund(self) -> bool:
        return self in (ReceiptKind.PURCHASE_REFUND, ReceiptKind.PAYOUT_REFUND)


_KIND_BY_N = {
    1: ReceiptKind.PURCHASE,
    2: ReceiptKind.PURCHASE_REFUND,
    3: ReceiptKind.PAYOUT,
    4: ReceiptKind.PAYOUT_REFUND,
}
_N_BY_KIND = {kind: n for n, kind in _KIND_BY_N.items()}


@dataclass(frozen=True)
class FiscalReceipt:
    issued_at: dt.datetime  # naive: the receipt's own local time, never shifted
    total: Decimal  # roubles, two decimal places, > 0
    fn: str  # the fiscal drive's number, 16 digits
    i: int  # the fiscal document's number, 1..2**32-1
    fp: int  # the fiscal sign, 0..2**32-1
    kind: ReceiptKind
    # The QR's text as read (stripped), for a receipt-checking service; two readings of
    # one receipt compare equal however their keys were ordered.
    text: str = field(default="", compare=False)

    @property
    def dedup_key(self) -> str:
        """One receipt, one key: `fn:i:fp`, numbers without leading zeros."""
        return f"{self.fn}:{self.i}:{self.fp}"

    @property
    def qr_text(self) -> str:
        """The canonical QR text: keys in the usual order, seconds only when not zero."""
        when = self.issued_at.strftime("%Y%m%dT%H%M%S" if self.issued_at.second else "%Y%m%dT%H%M")
        return f"t={when}&s={self.total}&fn={self.fn}&i={self.i}&fp={self.fp}&n={self.kind.n}"


def parse_fiscal_qr(text: str) -> FiscalReceipt:
    """Read a QR code's text; raise NotFiscalQR or InvalidFiscalQR."""
    stripped = text.strip()
    values = _fields(stripped)
    when = _datetime(values["t"])
    total = Decimal(_valid(values, "s")).quantize(_CENT)
    if not 0 < total <= MAX_AMOUNT:
        raise _out_of_range("s", "The total must be more than zero.")
    fn = _valid(values, "fn")
    i = int(_valid(values, "i"))
    if not 0 < i <= UINT32_MAX:
        raise _out_of_range("i", "The document number must be from 1 to 4294967295.")
    fp = int(_valid(values, "fp"))
    if fp > UINT32_MAX:
        raise _out_of_range("fp", "The fiscal sign must be at most 4294967295.")
    kind = _KIND_BY_N.get(int(_valid(values, "n")))
    if kind is None:
        raise _out_of_range("n", "The kind of settlement must be 1, 2, 3 or 4.")
    return FiscalReceipt(issued_at=when, total=total, fn=fn, i=i, fp=fp, kind=kind, text=stripped)


def looks_fiscal(text: str) -> bool:
    """Whether a text is a receipt's QR, valid or not (to pick it among several codes)."""
    try:
        _fields(text.strip())
    except NotFiscalQR:
        return False
    except InvalidFiscalQR:
        return True
    return True


def _fields(text: str) -> dict[str, str]:
    if _PAYMENT.match(text):
        raise NotFiscalQR(
            "A payment QR code (GOST R 56042), not a receipt's.", looks_like="payment"
        )
    if _URL.match(text):
        raise NotFiscalQR("A link, not a receipt's QR code.", looks_like="url")
    values: dict[str, str] = {}
    repeated: list[str] = []
    for part in text.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.lower()
        if not sep or not key:
            raise NotFiscalQR("Not a receipt's QR code.", looks_like="text")
        if key in FIELDS:
            if key in values:
                repeated.append(key)
            values[key] = value
    if len(values) < _FISCAL_KEYS_NEEDED:
        raise NotFiscalQR("Not a receipt's QR code.", looks_like="text")
    for key in FIELDS:
        if key in repeated:
            raise InvalidFiscalQR(f"“{key}” is given twice.", field=key, reason="repeated")
        if key not in values:
            raise InvalidFiscalQR(f"“{key}” is missing.", field=key, reason="missing")
    return values


def _valid(values: dict[str, str], key: str) -> str:
    value = values[key]
    if not _FORMATS[key].fullmatch(value):
        raise InvalidFiscalQR(f"“{key}” is not in its format.", field=key, reason="malformed")
    return value


def _datetime(value: str) -> dt.datetime:
    value = _valid({"t": value}, "t")
    year, month, day = int(value[0:4]), int(value[4:6]), int(value[6:8])
    hour, minute, second = int(value[9:11]), int(value[11:13]), int(value[13:15] or 0)
    try:
        return dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 the receipt's own local time
    except ValueError:
        raise _out_of_range("t", "“t” is not a date and time that exists.") from None


def _out_of_range(key: str, message: str) -> InvalidFiscalQR:
    return InvalidFiscalQR(message, field=key, reason="out_of_range")
