"""A receipt's seller and line items from a receipt-checking service in the style of
proverkacheka.com: `POST {RECEIPT_CHECK_URL}` with the form fields `token` and `qrraw`
(the QR code's text); the answer is JSON

    {"code": 1, "data": {"json": {"user": "ООО «Ромашка»", "userInn": "7700000000",
     "retailPlace": "...", "retailPlaceAddress": "...", "totalSum": 125000,
     "items": [{"name": "Молоко", "price": 8990, "quantity": 2, "sum": 17980}, ...]}}}

with money in kopecks. `code`: 1 found; 0 no such receipt (it will not appear); 2 the
tax service has not received it yet; 3 and 4 too many requests, too soon; 5 the
service's own failure. Everything but 1 and 0 is worth asking again later.

Reads only: nothing is written here.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.conf import settings

USER_AGENT = "Kopilka receipts"
KOPECK = Decimal("0.01")
# Far more than any receipt's JSON; a bigger answer is not the service's.
MAX_ANSWER_BYTES = 2 * 1024 * 1024
MAX_ITEMS = 500


class CheckError(Exception):
    """The service did not give the receipt. `permanent`: asking again will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class CheckedItem:
    name: str
    price: Decimal
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True)
class CheckedReceipt:
    seller: str
    seller_inn: str
    place: str  # the shop's own name where the receipt gives one
    address: str
    items: tuple[CheckedItem, ...]


def configured() -> bool:
    return bool(settings.RECEIPT_CHECK_URL and settings.RECEIPT_CHECK_TOKEN)


def check(qr_text: str, *, client: httpx.Client | None = None) -> CheckedReceipt:
    """Ask the service about the receipt whose QR code reads `qr_text`; raise CheckError."""
    data = {"token": settings.RECEIPT_CHECK_TOKEN, "qrraw": qr_text}
    timeout = httpx.Timeout(settings.RECEIPT_CHECK_TIMEOUT, connect=5.0)
    try:
        if client is None:
            response = httpx.post(
                settings.RECEIPT_CHECK_URL,
                data=data,
                timeout=timeout,
                headers={"User-Agent": USER_AGENT},
            )
        else:
            response = client.post(settings.RECEIPT_CHECK_URL, data=data, timeout=timeout)
    except httpx.HTTPError as exc:
        # The request carries the token: its text never reaches a log line.
        raise CheckError(f"receipt check: {type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise CheckError(f"receipt check: HTTP {response.status_code}", permanent=True)
    if response.status_code != 200 or len(response.content) > MAX_ANSWER_BYTES:
        raise CheckError(f"receipt check: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise CheckError("receipt check: the answer is not JSON") from None
    return read_answer(body)


def read_answer(body: Any) -> CheckedReceipt:
    """The service's answer to the receipt, or CheckError."""
    if not isinstance(body, dict):
        raise CheckError("receipt check: an unexpected answer")
    code = body.get("code")
    if code == 0:
        raise CheckError("receipt check: no such receipt", permanent=True)
    if code != 1:
        raise CheckError(f"receipt check: code {code!r}")
    data = body.get("data")
    document = data.get("json") if isinstance(data, dict) else None
    if not isinstance(document, dict):
        raise CheckError("receipt check: the answer holds no receipt")
    raw_items = document.get("items")
    items = tuple(
        item
        for item in (_item(raw) for raw in (raw_items if isinstance(raw_items, list) else []))
        if item is not None
    )[:MAX_ITEMS]
    return CheckedReceipt(
        seller=_text(document.get("user"), 255),
        seller_inn=_text(document.get("userInn"), 12),
        place=_text(document.get("retailPlace"), 255),
        address=_text(document.get("retailPlaceAddress") or document.get("retailPlaceAddres"), 500),
        items=items,
    )


def _text(value: Any, limit: int) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 <= number < Decimal(10) ** 12 else None


def _item(raw: Any) -> CheckedItem | None:
    if not isinstance(raw, dict):
        return None
    name = _text(raw.get("name"), 500)
    price, quantity, amount = (_number(raw.get(k)) for k in ("price", "quantity", "sum"))
    if not name or price is None or quantity is None or amount is None:
        return None
    return CheckedItem(
        name=name,
        price=(price * KOPECK).quantize(KOPECK),
        quantity=quantity.quantize(Decimal("0.001")),
        amount=(amount * KOPECK).quantize(KOPECK),
    )
