"""Sending to messengers: one `send` per channel, raising `TransportError`.

Telegram's Bot API is plain HTTPS + JSON, so a sync Django app talks to it with httpx
(python-telegram-bot is async-only). Every call goes to
`{TELEGRAM_API_URL}/bot{TOKEN}/{method}`, so a test or a local stand-in can take its place.
WhatsApp goes through Twilio's own REST client (which uses requests).
"""

import html
import json
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

logger = logging.getLogger(__name__)

# Telegram's limit on a message's text, counted after entities are parsed.
TEXT_LIMIT = 4096
# 5xx and network failures are tried this many times in all.
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class TransportError(Exception):
    """A send that failed. `permanent`: trying again will not help (blocked, bad chat).
    `status` is the HTTP status (0: none came back), `description` what the messenger
    said (or the network error's name), `retry_after` how long a 429 asked to wait."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        code: str = "",
        status: int = 0,
        description: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # Telegram: callback_data, at most 64 bytes


def chunks(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces


def telegram_enabled() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


class Telegram:
    """The Bot API over httpx. `sleep` is injectable so a 429 need not stall a test.
    `attempts`: how often 5xx and network failures are tried in all; `gate` is entered
    around every HTTP request (a rate limiter's slot)."""

    def __init__(
        self,
        *,
        token: str | None = None,
        api_url: str | None = None,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retry_after: float | None = None,
        attempts: int = ATTEMPTS,
        gate: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self.token = token if token is not None else settings.TELEGRAM_BOT_TOKEN
        self.api_url = (api_url or settings.TELEGRAM_API_URL).rstrip("/")
        self.client = client or _client()
        self.sleep = sleep
        self.max_retry_after = (
            settings.TELEGRAM_MAX_RETRY_AFTER if max_retry_after is None else max_retry_after
        )
        self.attempts = attempts
        self.gate = gate

    def call(self, method: str, payload: dict[str, Any], *, timeout: float | None = None) -> Any:
        """Call one Bot API method and return its `result`, or raise TransportError."""
        if not self.token:
            raise TransportError("TELEGRAM_BOT_TOKEN is not set", permanent=True, code="disabled")
        url = f"{self.api_url}/bot{self.token}/{method}"
        request_timeout = TIMEOUT if timeout is None else httpx.Timeout(timeout + 10, connect=5)
        attempt = 0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                with self.gate():
                    response = self.client.post(url, json=payload, timeout=request_timeout)
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                # The URL holds the token: never let it reach a log line.
                if attempt < self.attempts:
                    self.sleep(BACKOFF_SECONDS * attempt)
                    continue
                raise TransportError(
                    f"{method}: {type(exc).__name__}",
                    code="network",
                    status=response.status_code if response is not None else 0,
                    description="" if response is not None else type(exc).__name__,
                ) from None
            if isinstance(body, dict) and body.get("ok") is True:
                return body.get("result")
            error = body if isinstance(body, dict) else {}
            status = int(error.get("error_code") or response.status_code)
            said = str(error.get("description") or "")
            description = said or response.reason_phrase
            if status == 429:
                retry_after = float((error.get("parameters") or {}).get("retry_after") or 1)
                if retry_after <= self.max_retry_after and attempt < self.attempts + 1:
                    self.sleep(retry_after)
                    continue
                raise TransportError(
                    f"{method}: {description}",
                    code="rate_limited",
                    status=status,
                    description=said,
                    retry_after=retry_after,
                )
            if status >= 500 and attempt < self.attempts:
                self.sleep(BACKOFF_SECONDS * attempt)
                continue
            if status == 403:
                # "Forbidden: bot was blocked by the user", "user is deactivated", ...
                raise TransportError(
                    f"{method}: {description}",
                    permanent=True,
                    code="blocked",
                    status=status,
                    description=said,
                )
            raise TransportError(
                f"{method}: {status} {description}",
                permanent=status < 500,
                code=str(status),
                status=status,
                description=said,
            )

    def send(
        self,
        *,
        chat_id: str,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        reply_to: str = "",
    ) -> str:
        """Send `text` (plain: it is escaped for HTML mode) and return the last piece's
        message id; the buttons go with the last piece."""
        pieces = chunks(text)
        message_id = ""
        for n, piece in enumerate(pieces):
            payload: dict[str, Any] = {
                "chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id,
                "text": html.escape(piece, quote=False),
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": True},
            }
            if reply_to and n == 0:
                payload["reply_parameters"] = {
                    "message_id": int(reply_to),
                    "allow_sending_without_reply": True,
                }
            if buttons and n == len(pieces) - 1:
                payload["reply_markup"] = keyboard(buttons)
            result = self.call("sendMessage", payload)
            message_id = str((result or {}).get("message_id", ""))
        return message_id

    def answer_callback(self, *, callback_id: str, text: str = "") -> None:
        payload: dict[str, Any] = {"callback_query_id": callback_id}
        if text:
            payload["text"] = text[:200]
        self.call("answerCallbackQuery", payload)

    def file_url(self, file_path: str) -> str:
        """Where the Bot API serves a file getFile described (the URL holds the token)."""
        return f"{self.api_url}/file/bot{self.token}/{file_path}"


def keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": b.text[:64], "callback_data": b.data} for b in row] for row in rows
        ]
    }


_shared_client: httpx.Client | None = None


def _client() -> httpx.Client:
    # One pooled client per process: a webhook reply reuses the kept-alive connection.
    global _shared_client
    if _shared_client is None:
        _shared_client = httpx.Client(timeout=TIMEOUT)
    return _shared_client


def telegram() -> Telegram:
    return Telegram()


# Downloads: what a person sent (a photo, a voice message), fetched within limits.

DOWNLOAD_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# However slowly the bytes trickle in, a download ends after this many seconds.
DOWNLOAD_DEADLINE = 60.0
DOWNLOAD_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Download:
    data: bytes
    content_type: str  # as the server said it, without parameters ("" when it did not)


def _too_large(max_bytes: int) -> TransportError:
    return TransportError(
        f"the file is larger than {max_bytes} bytes", permanent=True, code="too_large"
    )


def download(
    url: str,
    *,
    max_bytes: int,
    client: httpx.Client | None = None,
    auth: httpx.Auth | tuple[str, str] | None = None,
    name: str = "download",
    deadline: float = DOWNLOAD_DEADLINE,
) -> Download:
    """GET `url`'s body, at most `max_bytes` of it, following redirects (with no
    credentials past the first host), or raise TransportError: `too_large` and 4xx are
    permanent, network failures and 5xx are not. `name` stands for the URL in errors:
    a URL may hold a token."""
    client = client or _client()
    started = time.monotonic()
    try:
        with client.stream(
            "GET", url, auth=auth, timeout=DOWNLOAD_TIMEOUT, follow_redirects=True
        ) as response:
            if response.status_code != 200:
                raise TransportError(
                    f"{name}: HTTP {response.status_code}",
                    permanent=400 <= response.status_code < 500 and response.status_code != 429,
                    code=str(response.status_code),
                    status=response.status_code,
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                if time.monotonic() - started > deadline:
                    raise TransportError(f"{name}: too slow", code="network")
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    except httpx.HTTPError as exc:
        raise TransportError(
            f"{name}: {type(exc).__name__}", code="network", description=type(exc).__name__
        ) from None
    return Download(b"".join(chunks), content_type.lower())


def telegram_file(file_id: str, *, max_bytes: int, transport: Telegram | None = None) -> Download:
    """A file a person sent the bot, by its `file_id`: getFile, then the file's URL.
    Refused as `too_large` from getFile's size before a byte is fetched."""
    transport = transport or Telegram()
    described = transport.call("getFile", {"file_id": file_id})
    if not isinstance(described, dict) or not isinstance(described.get("file_path"), str):
        raise TransportError("getFile: no file_path", permanent=True, code="no_file")
    size = described.get("file_size")
    if isinstance(size, int) and size > max_bytes:
        raise _too_large(max_bytes)
    return download(
        transport.file_url(described["file_path"]),
        max_bytes=max_bytes,
        client=transport.client,
        name="telegram file",
    )


# Twilio keeps a message's media under its API's host; a media URL elsewhere is no
# Twilio's, and the account's credentials never go there.
TWILIO_MEDIA_HOSTS = ("api.twilio.com",)


def twilio_media(
    url: str,
    *,
    max_bytes: int,
    account_sid: str | None = None,
    auth_token: str | None = None,
    client: httpx.Client | None = None,
) -> Download:
    """A file a person sent on WhatsApp (Twilio's `MediaUrl0`), fetched with the account's
    credentials (HTTP Basic: media URLs may be set to require them). Twilio answers with
    a redirect to its storage, where the credentials are not sent again."""
    parts = httpx.URL(url)
    if parts.scheme != "https" or parts.host not in TWILIO_MEDIA_HOSTS:
        raise TransportError("twilio media: not a Twilio media URL", permanent=True, code="bad_url")
    sid = settings.TWILIO_ACCOUNT_SID if account_sid is None else account_sid
    token = settings.TWILIO_AUTH_TOKEN if auth_token is None else auth_token
    return download(url, max_bytes=max_bytes, client=client, auth=(sid, token), name="twilio media")


# Twilio's limit on a WhatsApp message's body.
WHATSAPP_TEXT_LIMIT = 1600
TWILIO_TIMEOUT = 10.0
# Twilio errors that say nothing about the person, so they fail the send but keep the link:
# this server's credentials, sender, account or content (20003 authenticate, 20005 account
# not active, 20404 not found, 21606 bad From, 21656 bad ContentVariables, 63001 channel
# authentication, 63005 channel error, 63007 no such sender, 63012 provider's internal
# error, 63013 policy, 63018 rate limit, 63019-63022 content and business account, 63027-
# 63030 templates and parameters, 63032 the person is in one of Meta's experiments).
# https://www.twilio.com/docs/whatsapp/tutorial/error-codes
TWILIO_SETUP_ERRORS = frozenset(
    {20003, 20005, 20404, 21606, 21656, 63001, 63005, 63007, 63012, 63013, 63018}
    | {63019, 63020, 63021, 63022, 63027, 63028, 63029, 63030, 63032}
)


class WhatsApp:
    """Twilio's Programmable Messaging for WhatsApp: `send` returns the Message SID."""

    def __init__(
        self,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        sender: str | None = None,
        client: Client | None = None,
    ) -> None:
        self.account_sid = settings.TWILIO_ACCOUNT_SID if account_sid is None else account_sid
        self.auth_token = settings.TWILIO_AUTH_TOKEN if auth_token is None else auth_token
        self.sender = settings.TWILIO_WHATSAPP_FROM if sender is None else sender
        self._client = client

    @property
    def client(self) -> Client:
        if self._client is None:
            http = TwilioHttpClient(timeout=TWILIO_TIMEOUT)
            self._client = Client(self.account_sid, self.auth_token, http_client=http)
        return self._client

    def send(
        self,
        *,
        chat_id: str,
        text: str = "",
        content_sid: str = "",
        content_variables: dict[str, str] | None = None,
        status_callback: str = "",
    ) -> str:
        """Send free-form `text` (in pieces of 1600 characters), or the approved template
        `content_sid` with its variables; return the last Message SID."""
        if not (self.account_sid and self.auth_token and self.sender):
            raise TransportError("Twilio is not configured", permanent=True, code="disabled")
        extra: dict[str, Any] = {}
        if status_callback:
            extra["status_callback"] = status_callback
        if content_sid:
            if content_variables:
                extra["content_variables"] = json.dumps(content_variables, ensure_ascii=False)
            return self._create(chat_id, content_sid=content_sid, **extra)
        sid = ""
        for piece in chunks(text, WHATSAPP_TEXT_LIMIT):
            sid = self._create(chat_id, body=piece, **extra)
        return sid

    def _create(self, chat_id: str, **fields: Any) -> str:
        try:
            message = self.client.messages.create(from_=self.sender, to=chat_id, **fields)
        except TwilioRestException as exc:
            status = int(exc.status or 0)
            code = str(exc.code or status)
            # 429 and 5xx may pass; any other 4xx is Twilio refusing this message for good.
            permanent = 400 <= status < 500 and status != 429
            raise TransportError(
                f"twilio: {code} {exc.msg}", permanent=permanent, code=code
            ) from None
        except (TwilioException, OSError) as exc:
            # requests' errors are OSErrors; the message never names the credentials.
            raise TransportError(f"twilio: {type(exc).__name__}", code="network") from None
        return str(message.sid)


def whatsapp() -> WhatsApp:
    return WhatsApp()
