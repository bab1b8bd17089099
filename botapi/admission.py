"""The one way in, for every door: the bot endpoint, the MCP server and the webhooks.

A request is admitted in one order whatever the door: its caller authenticated (a bot
token, a webhook's secret or signature), its token rate-limited, its body read with the
strict reader, and a refusal audited; then `perform`, and the door renders the typed
result its own way (the contract's JSON, a tool result, a chat reply).

An `Admission` is one request's passage through a door. It begins the request's one
audit row (`dispatch.RequestAudit`) and hands it to `perform`, which fills it in and
writes it; what the door refuses before `perform`, the admission writes. A door's
refusal is an `ApiError` with the contract's body; `refusal_response` renders it for
a door that is not a DRF view.
"""

import hmac
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse

from accounts.models import ApiToken
from audit.models import Source
from botapi import auth, dispatch, schemas
from botapi.caller import Caller
from core.errors import ActionError, ApiError


def refusal_body(exc: ApiError | ActionError) -> dict[str, Any]:
    """The contract's error body: {"error", "message"} and the details when there are any."""
    if isinstance(exc, ActionError):
        return exc.body()
    body: dict[str, Any] = {"error": exc.error, "message": exc.message}
    if exc.details:
        body["details"] = exc.details
    return body


def refusal_response(exc: ApiError) -> JsonResponse:
    """A door's refusal as the JSON answer of a plain Django view (the webhooks)."""
    response = JsonResponse(refusal_body(exc), status=exc.status_code)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def secret_matches(given: str, expected: str) -> bool:
    """A shared secret, compared in constant time; a missing one never matches."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def disabled(error: str, message: str) -> ApiError:
    """A door that is not configured on this server: as if it were not there."""
    return ApiError(status_code=404, error=error, message=message)


class Admission:
    """One request at a door. `audited`: whether a refusal leaves an audit row (a door
    without a caller's identity to refuse, a webhook, leaves none: anyone could write
    them, with no brake on how fast)."""

    def __init__(self, request: HttpRequest, *, source: Source, audited: bool = True) -> None:
        self.request = request
        self.audited = audited
        self.audit = dispatch.RequestAudit(source=source)

    # The steps, in their order. Authenticating a bot token is `auth.authenticate`'s,
    # called by DRF for the bot endpoint and by the MCP server's ASGI middleware.

    def admit(self, token: ApiToken) -> None:
        """A token authenticated (by DRF for the bot endpoint, by the MCP server's
        middleware for a tool call): the audit row learns whose request this is, and
        the token's rate limit counts it (429)."""
        self.audit.identify_token(token)
        auth.check_token(self.request, token)

    def verify(
        self, proven: bool, *, code: str, message: str, path: str, status: int = 401
    ) -> None:
        """A webhook's caller, proven by a shared secret or a signature, or refused."""
        if not proven:
            raise auth.authentication_failed(code, message, path=path, status=status)

    def body(
        self,
        *,
        limit: int = schemas.MAX_BODY_BYTES,
        within: Callable[[Any], int] | None = None,
        replace_surrogates: bool = False,
    ) -> Any:
        """The request's JSON body, read with the strict reader, or a 400 ApiError.
        `limit`: the most bytes the door takes (the bot's envelope is small); `within`:
        the most the body's own content may have (the action's limit), when that is less;
        `replace_surrogates`: see `strictjson.loads`."""
        raw = schemas.read_body(self.request, limit)
        try:
            document = schemas.parse_body(raw, limit=limit, replace_surrogates=replace_surrogates)
        except ApiError:
            if within is not None and len(raw) > schemas.MAX_BODY_BYTES:
                raise schemas.too_large(schemas.MAX_BODY_BYTES) from None
            raise
        if within is not None and len(raw) > within(document):
            raise schemas.too_large(within(document))
        return document

    def perform(self, caller: Caller, envelope: Any) -> dispatch.Performed:
        return dispatch.perform_envelope(caller=caller, envelope=envelope, audit=self.audit)

    # Auditing what was refused before `perform`

    def refused(self, exc: ApiError | ActionError) -> None:
        if isinstance(exc, ActionError):
            self.close(status=exc.status, error=exc.error, codes=exc.codes())
        else:
            codes = [d.get("code", "") for d in exc.details]
            self.close(status=exc.status_code, error=exc.error, codes=codes)

    def close(self, *, status: int, error: str = "", codes: list[str] | None = None) -> None:
        """The request's row with its answer, unless `perform` has written it."""
        if self.audited:
            self.audit.close(status=status, error=error, codes=codes)

    def answer(self, respond: Callable[[], HttpResponseBase]) -> HttpResponseBase:
        """`respond()`, audited by its answer: for a DRF view, whose refusals (a 401, a
        429, a 400 of the body, a 405) are already rendered when they come back."""
        try:
            response = respond()
        except Exception:
            self.close(status=500, error="server_error")
            raise
        data = getattr(response, "data", None)
        body = data if isinstance(data, dict) else {}
        codes = [d.get("code", "") for d in body.get("details", []) if isinstance(d, dict)]
        self.close(status=response.status_code, error=str(body.get("error", "")), codes=codes)
        return response
