"""Where a notification goes: one `send(contact, text)` per channel, raising SendError.

A TemporaryError is retried later (with the provider's `retry_after` when it gave one);
a PermanentError (bot blocked, chat or address gone) turns the channel off for the user.
The Telegram sender speaks to the Bot API itself until the messaging app's transports
exist; everything else here only knows `Contact` and `send`.
"""

import smtplib
import threading
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import send_mail

from notifications import limiter
from notifications.models import Channel


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:300]


class TemporaryError(SendError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(SendError):
    pass


@dataclass(frozen=True)
class Contact:
    channel: str  # Channel
    address: str  # a Telegram chat id, an e-mail address


def send(contact: Contact, text: str, *, subject: str = "Kopilka") -> None:
    if contact.channel == Channel.TELEGRAM:
        send_telegram(contact.address, text)
    elif contact.channel == Channel.EMAIL:
        send_email(contact.address, text, subject=subject)
    else:
        raise PermanentError(f"unknown channel {contact.channel}")


def send_email(address: str, text: str, *, subject: str) -> None:
    try:
        send_mail(subject, text, None, [address])
    except smtplib.SMTPRecipientsRefused as e:
        raise PermanentError(f"the mail server refused {address}") from e
    except (smtplib.SMTPException, OSError) as e:
        raise TemporaryError(f"mail server: {type(e).__name__}") from e


# One connection pool per worker thread: httpx clients are thread-safe, but a pool per
# thread keeps one kept-alive connection per thread busy instead of contending.
_local = threading.local()


def _client() -> httpx.Client:
    client: httpx.Client | None = getattr(_local, "client", None)
    if client is None:
        client = _local.client = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))
    return client


# What Telegram says when a chat will never take our messages again.
_PERMANENT_DESCRIPTIONS = (
    "bot was blocked",
    "user is deactivated",
    "chat not found",
    "bot was kicked",
    "have no rights to send",
)


def send_telegram(chat_id: str, text: str) -> None:
    """sendMessage through the Bot API, within the shared rate limits."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise TemporaryError("TELEGRAM_BOT_TOKEN is not set")
    # The URL holds the token: never put it (or httpx's errors, which quote it) in a reason.
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/sendMessage"
    try:
        with limiter.slot(chat_id):
            response = _client().post(url, json={"chat_id": chat_id, "text": text})
    except httpx.HTTPError as e:
        raise TemporaryError(f"Telegram unreachable: {type(e).__name__}") from None
    if response.status_code == 200:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    description = str(body.get("description", ""))[:200] if isinstance(body, dict) else ""
    reason = f"Telegram {response.status_code}: {description}".strip()
    if response.status_code == 429:
        parameters = body.get("parameters") or {}
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise TemporaryError(
            reason, retry_after=float(retry_after) if retry_after is not None else None
        )
    if response.status_code in (400, 403) and any(
        d in description.lower() for d in _PERMANENT_DESCRIPTIONS
    ):
        raise PermanentError(reason)
    # 401 (our token), 5xx, anything unexpected: ours or theirs to fix, not the user's.
    raise TemporaryError(reason)
