"""Who calls the MCP server: the bot token, checked on every HTTP request to /mcp.

An ASGI layer in front of the SDK's transport. It takes the token from
`Authorization: Bearer kop_...` or `X-Bot-Token`, refuses a missing or wrong one with a
401 and `WWW-Authenticate: Bearer` (counting the failure against the client's address,
as the bot endpoint does), and hands the token to the MCP handlers in the ASGI scope.
The server is stateless, so a revoked token stops working at its next request.
"""

import io
import json
import uuid
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts.models import ApiToken
from audit import context
from audit.middleware import REQUEST_ID_RE, client_ip
from audit.models import Source
from botapi import admission
from botapi import auth as bot_auth
from core.errors import ApiError
from core.i18n import request_language

SCOPE_KEY = "kopilka.caller"
AUTHORIZATION = "Authorization"
WWW_AUTHENTICATE = 'Bearer realm="kopilka"'
TOKEN_MISSING = gettext_lazy(
    "Send the bot token in the Authorization header (Bearer kop_...) or in X-Bot-Token."
)


@dataclass(frozen=True)
class Authenticated:
    """What the MCP handlers know of the request: its token, language and audit context."""

    token: ApiToken
    language: str
    request: HttpRequest  # for the rate limiter, which counts in Django's cache
    request_context: context.RequestContext


def presented(request: HttpRequest) -> bot_auth.Presented:
    """The token the request carries: `Authorization: Bearer`, else X-Bot-Token."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        raw, header = credentials.strip(), AUTHORIZATION
    else:
        raw, header = request.META.get(bot_auth.META_KEY, "").strip(), bot_auth.HEADER
    return bot_auth.Presented(raw, header, WWW_AUTHENTICATE, TOKEN_MISSING)


def request_context(request: HttpRequest) -> context.RequestContext:
    request_id = request.META.get("HTTP_X_REQUEST_ID", "")
    if not REQUEST_ID_RE.match(request_id):
        request_id = uuid.uuid4().hex
    return context.RequestContext(request_id=request_id, client_ip=client_ip(request))


@dataclass(frozen=True)
class Refusal:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def _language(request: HttpRequest, token: ApiToken) -> str:
    """The language the client asks for in Accept-Language, else the token owner's."""
    return request_language(request, token.user.language)


def check(scope: Scope) -> Authenticated | Refusal:
    """The request's caller, or its refusal, audited. Runs in Django's thread: the token
    is looked up in the database. Its rate limit counts each tool call, not this request."""
    close_old_connections()
    try:
        request = ASGIRequest(scope, io.BytesIO())
        ctx = request_context(request)
        entry = admission.Admission(request, source=Source.MCP)
        with translation.override(translation.get_language_from_request(request)):
            try:
                token = bot_auth.authenticate(request, presented(request))
            except ApiError as exc:
                refused = exc
                refusal = Refusal(exc.status_code, admission.refusal_body(exc), exc.headers)
            else:
                return Authenticated(token, _language(request, token), request, ctx)
        activated = context.activate(ctx)
        try:
            entry.refused(refused)
        finally:
            context.deactivate(activated)
        return refusal
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
        caller = await sync_to_async(check, thread_sensitive=True)(scope)
        if isinstance(caller, Refusal):
            await _respond(send, caller)
            return
        scope[SCOPE_KEY] = caller
        request_id = caller.request_context.request_id

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            await send(message)

        await self.app(scope, receive, send_with_request_id)


async def _respond(send: Send, refusal: Refusal) -> None:
    content = json.dumps(refusal.body, ensure_ascii=False).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        *(
            (name.lower().encode(), value.encode("latin-1"))
            for name, value in refusal.headers.items()
        ),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})
