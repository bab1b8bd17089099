"""`X-Bot-Token` authentication for DRF, with the per-address brake on failures."""

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.services import api_token_authenticate
from accounts.tokens import is_well_formed
from botapi import ratelimit
from core.errors import ActionError, ApiError

HEADER = "X-Bot-Token"
META_KEY = "HTTP_X_BOT_TOKEN"
WWW_AUTHENTICATE = 'Bot-Token realm="kopilka", header="X-Bot-Token"'

TOKEN_MISSING = gettext_lazy("Send the bot token in the X-Bot-Token header.")
TOKEN_MALFORMED = gettext_lazy("This is not a Kopilka bot token (a mistyped or truncated one?).")
TOKEN_INVALID = gettext_lazy("The bot token is unknown, expired or revoked.")


def authentication_failed(code: str, message: "str | StrPromise") -> ApiError:
    message = str(message)
    return ApiError(
        status_code=401,
        error="authentication_failed",
        message=message,
        details=[{"path": HEADER, "code": code, "message": message}],
        headers={"WWW-Authenticate": WWW_AUTHENTICATE},
    )


class ApiTokenAuthentication(BaseAuthentication):
    """Returns (user, token) like DRF's own; every failure is a 401 and counts against
    the client's address."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken]:
        ratelimit.check_address(request._request)
        raw = request.META.get(META_KEY, "")
        if not raw:
            code, message = "token_missing", TOKEN_MISSING
        elif not is_well_formed(raw):
            code, message = "token_malformed", TOKEN_MALFORMED
        else:
            token = api_token_authenticate(raw)
            if token is not None:
                return token.user, token
            code, message = "token_invalid", TOKEN_INVALID
        ratelimit.count_failed_authentication(request._request)
        raise authentication_failed(code, message)

    def authenticate_header(self, request: Request) -> str:
        return WWW_AUTHENTICATE


def insufficient_scope(scopes: tuple[str, ...], action: str) -> ActionError:
    needed = _(" or ").join(scopes)
    message = _("This caller lacks the scope %(scope)s, which %(action)s needs.") % {
        "scope": needed,
        "action": action,
    }
    detail = _("Requires %(scope)s.") % {"scope": needed}
    return ActionError(
        status=403,
        error="insufficient_scope",
        message=message,
        details=[{"path": "action", "code": "insufficient_scope", "message": detail}],
    )
