"""Who calls the MCP server: the bot token, checked on every HTTP request to /mcp.

An ASGI layer in front of the SDK's transport. It takes the token from
`Authorization: Bearer kop_...` or `X-Bot-Token`, refuses a missing or wrong one with a
401 and `WWW-Authenticate: Bearer` (counting the failure against the client's address,
as the bot endpoint does), and hands the token to the MCP handlers in the ASGI scope.
The server is stateless, so a revoked token stops working at its next request.
"""

import io
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest
from django.utils import translation
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts.models import ApiToken
from accounts.services import api_token_authenticate
from accounts.tokens import is_well_formed
from audit import context
from audit.middleware import REQUEST_ID_RE, client_ip
from audit.models import Source
from botapi import auth as bot_auth
from botapi import dispatch, ratelimit
from botapi.errors import ApiError, RateLimitExceeded

SCOPE_KEY = "kopilka.caller"
AUTHORIZATION = "Authorization"
WWW_AUTHENTICATE = 'Bearer realm="kopilka"'


@dataclass(frozen=True)
class Authenticated:
    """What the MCP handlers know of the request: its token, language and audit context."""

    token: ApiToken
    language: str
    request: HttpRequest  # for the rate limiter, which counts in Django's cache
    request_context: context.RequestContext


def raw_token(request: HttpRequest) -> tuple[str, str]:
    """The token the request carries and the header it came in."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), AUTHORIZATION
    return request.META.get(bot_auth.META_KEY, "").strip(), bot_auth.HEADER


def _failed(code: str, message: object, header: str) -> ApiError:
    text = str(message)
    return ApiError(
        status_code=401,
        error="authentication_failed",
        message=text,
        details=[{"path": header, "code": code, "message": text}],
        headers={"WWW-Authenticate": WWW_AUTHENTICATE},
    )


def authenticate(request: HttpRequest) -> ApiToken:
    """The request's active token, or an ApiError (401, or 429 for an address that has
    failed too often). Runs in Django's thread: it queries the database."""
    ratelimit.check_address(request)
    raw, header = raw_token(request)
    if not raw:
        code, message = "token_missing", bot_auth.TOKEN_MISSING
    elif not is_well_formed(raw):
        code, message = "token_malformed", bot_auth.TOKEN_MALFORMED
    else:
        token = api_token_authenticate(raw)
        if token is not None:
            return token
        code, message = "token_invalid", bot_auth.TOKEN_INVALID
    ratelimit.count_failed_authentication(request)
    raise _failed(code, message, header)


def request_context(request: HttpRequest) -> context.RequestContext:
    request_id = request.META.get("HTTP_X_REQUEST_ID", "")
    if not REQUEST_ID_RE.match(request_id):
        request_id = uuid.uuid4().hex
    return context.RequestContext(request_id=request_id, client_ip=client_ip(request))


def _refusal(request: HttpRequest, ctx: context.RequestContext) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Authenticate, or say how to refuse: (status, body, headers); status 0 is a pass."""
    started = time.perf_counter()
    with translation.override(translation.get_language_from_request(request)):
        try:
            request.kopilka_token = authenticate(request)  # type: ignore[attr-defined]
            return 0, {}, {}
        except ApiError as exc:
            status, error, body = exc.status_code, exc.error, {"error": exc.error, "message": exc.message, "details": exc.details}
            headers = exc.headers
        except RateLimitExceeded as exc:
            status, error = 429, "rate_limited"
            body = {"error": error, "message": rate_limited_message(exc.retry_after)}
            headers = {"Retry-After": str(exc.retry_after)}
    token = context.activate(ctx)
    try:
        audit = dispatch.RequestAudit(source=Source.MCP, started=started)
        audit.write(status=status, error=error, codes=[d["code"] for d in body.get("details", [])])
    finally:
        context.deactivate(token)
    return status, body, headers


def rate_limited_message(retry_after: int) -> str:
    from botapi.errors import RATE_LIMITED_MESSAGE

    return f"{RATE_LIMITED_MESSAGE} Try again in {retry_after} s."


def _check(scope: Scope) -> tuple[int, dict[str, Any], dict[str, str], Authenticated | None]:
    close_old_connections()
    try:
        request = ASGIRequest(scope, io.BytesIO())
        ctx = request_context(request)
        status, body, headers = _refusal(request, ctx)
        if status:
            return status, body, headers, None
        token: ApiToken = request.kopilka_token  # type: ignore[attr-defined]
        language = token.user.language
        if request.META.get("HTTP_ACCEPT_LANGUAGE"):
            language = translation.get_language_from_request(request)
        return 0, {}, {}, Authenticated(token, language, request, ctx)
    finally:
        close_old_connections()


class TokenAuthentication:
    """ASGI middleware: authenticate every request to `path`; pass the rest through."""

    def __init__(self, app: ASGIApp, *, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        status, body, headers, caller = await sync_to_async(_check, thread_sensitive=True)(scope)
        if caller is None:
            await _respond(send, status, body, headers)
            return
        scope[SCOPE_KEY] = caller
        request_id = caller.request_context.request_id

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_request_id)


async def _respond(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        *((name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})
