"""One error body for every JSON endpoint (the DRF EXCEPTION_HANDLER):

{"error": "<code>", "message": "<for a human>", "details": [{"path", "code", "message"}]}

Every sentence of a body is made into text when the body is made, in the language active
then: the caller's (`core.i18n.request_language`, activated by each door once it knows
who is asking), else the one LocaleMiddleware chose from Accept-Language. Messages are
kept lazy until then (gettext_lazy), so that one body never mixes two languages.
"""

import math
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.exceptions import Ratelimited
from django_redis.exceptions import ConnectionInterrupted  # type: ignore[import-untyped]
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# A lost PostgreSQL or Redis connection: a 503 with Retry-After at every door, never a
# 500. How long a client should wait before trying again: Django reconnects on the next
# request, so a restart of PostgreSQL costs about this much.
OUTAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionInterrupted,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = 5


def is_outage(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it, or one of a group's) is a lost database or
    cache connection."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OUTAGE_ERRORS):
            return True
        if isinstance(exc, BaseExceptionGroup) and any(is_outage(e) for e in exc.exceptions):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class ActionError(Exception):
    """Why an action was refused, whatever the door: the contract's body and a status
    class, written as the HTTP status the bot endpoint answers with. Each channel renders
    it its own way (a JSON body, a tool error, a chat reply). Messages are made into text
    when raised, in the language active then (the caller's, inside `perform`)."""

    def __init__(
        self,
        *,
        status: int,
        error: str,
        message: str,
        details: list[dict[str, str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.error = error
        self.message = str(message)
        self.details = [{k: str(v) for k, v in d.items()} for d in details or []]
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def codes(self) -> list[str]:
        return [d.get("code", "") for d in self.details]


class ApiError(exceptions.APIException):
    """An error with a code of the contract's own, raised by views and handlers."""

    def __init__(
        self,
        *,
        status_code: int,
        error: str,
        message: str,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail=message, code=error)
        self.status_code = status_code
        self.error = error
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def validation_details(error: DjangoValidationError, prefix: str = "") -> list[dict[str, str]]:
    """Flatten a Django ValidationError into [{"path", "code", "message"}]."""
    details = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            path = f"{prefix}.{field}" if prefix and field != "__all__" else (prefix or field)
            for e in errors:
                details += validation_details(e, path)
        return details
    for e in error.error_list:
        message = e.message % e.params if e.params else e.message
        details.append({"path": prefix, "code": e.code or "invalid", "message": str(message)})
    return details


def _drf_details(detail: Any, path: str = "") -> Iterator[dict[str, str]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = "" if key == "non_field_errors" else str(key)
            yield from _drf_details(value, f"{path}.{key}" if path and key else path or key)
    elif isinstance(detail, list):
        for item in detail:
            yield from _drf_details(item, path)
    else:
        yield {"path": path, "code": getattr(detail, "code", "invalid"), "message": str(detail)}


def error_response(
    status_code: int,
    error: str,
    message: "str | Promise",
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"error": error, "message": str(message)}
    if details:
        body["details"] = [{k: str(v) for k, v in d.items()} for d in details]
    return Response(body, status=status_code, headers=headers)


VALIDATION_MESSAGE = gettext_lazy("The request is not valid.")
MALFORMED_MESSAGE = gettext_lazy("The request body is not valid JSON.")
TOO_LARGE_MESSAGE = gettext_lazy("The request body is too large.")
RATE_LIMITED_MESSAGE = gettext_lazy("Too many requests.")
NOT_FOUND_MESSAGE = gettext_lazy("Not found.")
FORBIDDEN_MESSAGE = gettext_lazy("You may not do this.")
# A bare `Ratelimited` (from the @ratelimit decorator) does not say when its window
# ends; the longest window the API uses is a minute.
DEFAULT_RETRY_AFTER = 60


class RateLimitExceeded(Ratelimited):  # type: ignore[misc]  # untyped library
    """django-ratelimit's exception with the seconds left in the window that was exceeded."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(str(RATE_LIMITED_MESSAGE))
        self.retry_after = max(1, retry_after)


def _authentication_message(detail: Any) -> tuple[str, list[dict[str, str]]]:
    """simplejwt's errors carry a dict (detail, code, messages): its sentence, not its repr."""
    if not isinstance(detail, dict):
        return str(detail), []
    message = str(detail.get("detail", "")) or _("Authentication failed.")
    code = detail.get("code")
    details = [{"path": "", "code": str(code), "message": message}] if code else []
    return message, details


def rate_limited(retry_after: int) -> ApiError:
    """The one 429 of every API."""
    return ApiError(
        status_code=429,
        error="rate_limited",
        message=_("Too many requests. Try again in %(seconds)s s.") % {"seconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def too_large_detail(limit: int | None = None) -> dict[str, str]:
    """What a body past the size limit is told (Django's own words name a setting)."""
    count = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if limit is None else limit
    return {
        "path": "",
        "code": "too_large",
        "message": _("At most %(count)s bytes.") % {"count": count},
    }


def _rate_limited(exc: Ratelimited) -> Response:
    refusal = rate_limited(getattr(exc, "retry_after", DEFAULT_RETRY_AFTER))
    return error_response(429, refusal.error, refusal.message, headers=refusal.headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = _handle(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # An error is the JSON contract whatever the view renders when it works (the
        # docs page's HTML, the schema's YAML).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return Response(exc.body(), status=exc.status, headers=headers)
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.error, exc.message, exc.details, exc.headers)
    if isinstance(exc, DjangoValidationError):
        return error_response(400, "validation_error", VALIDATION_MESSAGE, validation_details(exc))
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            400, "validation_error", VALIDATION_MESSAGE, list(_drf_details(exc.detail))
        )
    if isinstance(exc, exceptions.ParseError):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "malformed_json"
        code = "malformed_json" if code == "parse_error" else str(code)
        message = TOO_LARGE_MESSAGE if code == "too_large" else MALFORMED_MESSAGE
        details = [{"path": "", "code": code, "message": str(exc.detail)}]
        return error_response(400, "validation_error", message, details)
    if isinstance(exc, RequestDataTooBig):
        return error_response(400, "validation_error", TOO_LARGE_MESSAGE, [too_large_detail()])
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate
        headers = dict(response.items()) if response is not None else {}
        sentence, details = _authentication_message(exc.detail)
        return error_response(401, "authentication_failed", sentence, details, headers=headers)
    if isinstance(exc, Ratelimited):
        # A PermissionDenied subclass: without this it would be a 403.
        return _rate_limited(exc)
    if isinstance(exc, exceptions.Throttled):
        refusal = rate_limited(math.ceil(getattr(exc, "wait", None) or 1))
        return error_response(429, refusal.error, refusal.message, headers=refusal.headers)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return error_response(404, getattr(exc, "code", "not_found"), NOT_FOUND_MESSAGE)
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        # A ledger's refusal (read-only member, not a manager) says which and why.
        code = getattr(exc, "code", None)
        if isinstance(code, str):
            return error_response(403, code, str(getattr(exc, "message", exc)))
        return error_response(403, "permission_denied", FORBIDDEN_MESSAGE)
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        return error_response(exc.status_code, str(code), str(exc.detail))
    return None  # a bug: Django's 500 handling and logging take over
