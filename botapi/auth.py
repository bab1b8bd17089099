"""The bot token at every door that takes one (the bot endpoint, the MCP server): the
one check, the one 401 (the 429 is `core.errors.rate_limited`), and DRF's view of it
for the bot endpoint.

A failed authentication counts against the client's address; an address that has
failed too often has its further failures refused (429). A valid token always passes.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.services import api_token_authenticate
from accounts.tokens import is_well_formed
from botapi import ratelimit
from core.errors import ApiError, RateLimitExceeded, rate_limited

HEADER = "X-Bot-Token"
META_KEY = "HTTP_X_BOT_TOKEN"
WWW_AUTHENTICATE = 'Bot-Token realm="kopilka", header="X-Bot-Token"'

TOKEN_MISSING = gettext_lazy("Send the bot token in the X-Bot-Token header.")
TOKEN_MALFORMED = gettext_lazy("This is not a Kopilka bot token (a mistyped or truncated one?).")
TOKEN_INVALID = gettext_lazy("The bot token is unknown, expired or revoked.")


def authentication_failed(
    code: str,
    message: "str | StrPromise",
    *,
    path: str,
    challenge: str = "",
    status: int = 401,
) -> ApiError:
    """A door's refusal of who is asking: `path` names what was wrong (the header),
    `challenge` is the WWW-Authenticate of a door that takes a token."""
    message = str(message)
    return ApiError(
        status_code=status,
        error="authentication_failed",
        message=message,
        details=[{"path": path, "code": code, "message": message}],
        headers={"WWW-Authenticate": challenge} if challenge else None,
    )


@dataclass(frozen=True)
class Presented:
    """The token a request carries, where it came, and what a 401 there says."""

    raw: str
    path: str  # the header it came in
    challenge: str  # the door's WWW-Authenticate
    missing: "str | StrPromise"  # what to say when there is none


def bot_token(request: HttpRequest) -> Presented:
    """The bot endpoint's token: X-Bot-Token."""
    raw = request.META.get(META_KEY, "")
    return Presented(raw, HEADER, WWW_AUTHENTICATE, TOKEN_MISSING)


def authenticate(request: HttpRequest, presented: Presented) -> ApiToken:
    """The active token presented, or an ApiError: 401, or 429 for an address that has
    failed too often."""
    if not presented.raw:
        code, message = "token_missing", presented.missing
    elif not is_well_formed(presented.raw):
        code, message = "token_malformed", TOKEN_MALFORMED
    else:
        token = api_token_authenticate(presented.raw)
        if token is not None:
            return token
        code, message = "token_invalid", TOKEN_INVALID
    try:
        ratelimit.count_failed_authentication(request)
    except RateLimitExceeded as exc:
        raise rate_limited(exc.retry_after) from None
    raise authentication_failed(code, message, path=presented.path, challenge=presented.challenge)


def check_token(request: HttpRequest, token: ApiToken) -> None:
    """Count one request for `token`; past the token's rate, refuse it (429)."""
    try:
        ratelimit.check_token(request, token)
    except RateLimitExceeded as exc:
        raise rate_limited(exc.retry_after) from None


class ApiTokenAuthentication(BaseAuthentication):
    """`authenticate` as DRF (and the OpenAPI document) see it: (user, token)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken]:
        token = authenticate(request._request, bot_token(request._request))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return WWW_AUTHENTICATE
