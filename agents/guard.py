"""The MCP server's outermost layer: every error it answers over HTTP is JSON.

- A lost PostgreSQL or Redis connection (the token's lookup, the rate limiter) is a
  503 with Retry-After and the contract's body, logged as one line, as the bot API
  answers it; inside a handler it is a JSON-RPC error whose `data` is that body
  (`unavailable`), never a traceback per request.
- The SDK's own refusals (421 a Host, 403 an Origin, 413 a body too large, 400, 405,
  406) come in plain text or empty: they are given the contract's body, their status
  kept.
- Anything else unexpected is a 500 with the contract's body (and its traceback logged
  once, as Django does).
"""

import json
import logging
from typing import Any

from mcp.shared.exceptions import MCPError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("kopilka.outage")
errors = logging.getLogger("agents.mcp")

# JSON-RPC's range for a server's own errors (-32000 to -32099): the service is briefly
# unavailable; `data` has the contract's body and how long to wait.
SERVICE_UNAVAILABLE = -32000
UNAVAILABLE_MESSAGE = f"The service is briefly unavailable. Try again in {RETRY_AFTER_SECONDS} s."
# The SDK's refusals, by status: the contract's error code, and what to say when the
# SDK said nothing.
REFUSALS = {
    400: ("bad_request", "The request is not valid."),
    403: ("origin_not_allowed", "This Origin may not call the MCP server."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Use POST."),
    406: ("not_acceptable", "Accept application/json and text/event-stream."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send application/json."),
    421: ("host_not_allowed", "This Host is not one the MCP server answers."),
}


def body(error: str, message: str) -> dict[str, Any]:
    return {"error": error, "message": message}


def log_outage(where: str, exc: BaseException) -> None:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.warning("503 MCP %s: %s: %s", where, type(exc).__name__, first)


def unavailable(where: str, exc: BaseException) -> MCPError:
    """The JSON-RPC error a handler raises for a lost database or cache: one log line."""
    log_outage(where, exc)
    data = {**body("service_unavailable", UNAVAILABLE_MESSAGE), "retry_after": RETRY_AFTER_SECONDS}
    return MCPError(code=SERVICE_UNAVAILABLE, message=UNAVAILABLE_MESSAGE, data=data)


async def respond(
    send: Send, status: int, content: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    encoded = json.dumps(content, ensure_ascii=False).encode("utf-8")
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(encoded)).encode()),
        *((k.lower().encode(), v.encode("latin-1")) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": encoded})


class Guard:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        held: Message | None = None  # a refusal's start, until its body is read
        text = b""

        async def guarded(message: Message) -> None:
            nonlocal started, held, text
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                headers = dict(message.get("headers", []))
                json_body = headers.get(b"content-type", b"").startswith(b"application/json")
                if status >= 400 and not json_body:
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                text += message.get("body", b"")
                if message.get("more_body", False):
                    return
                status = int(held["status"])
                error, default = REFUSALS.get(status, ("http_error", "The request was refused."))
                said = text.decode("utf-8", "replace").strip()[:200]
                kept = {
                    k.decode("latin-1"): v.decode("latin-1")
                    for k, v in held.get("headers", [])
                    if k.lower() not in (b"content-type", b"content-length")
                }
                held = None
                await respond(send, status, body(error, said or default), kept)
                return
            await send(message)

        try:
            await self.app(scope, receive, guarded)
        except Exception as exc:
            if started:
                raise  # the answer is on its way: nothing better can be said now
            if is_outage(exc):
                log_outage(f"{scope.get('method', '')} {scope.get('path', '')}", exc)
                await respond(
                    send,
                    503,
                    body("service_unavailable", UNAVAILABLE_MESSAGE),
                    {"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
                return
            errors.exception("MCP: %s %s", scope.get("method", ""), scope.get("path", ""))
            await respond(send, 500, body("server_error", "Something went wrong on our side."))
