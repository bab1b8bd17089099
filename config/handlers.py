"""What Django answers by itself (400, 403, 404, 500, CSRF failures, lost services).

Machine doors (API_PREFIXES: the JSON API and inbound webhooks) always get the JSON
error contract; people get pages. A lost PostgreSQL or Redis connection is a 503 with
Retry-After on both, logged once as one line, and never a 500.
"""

import logging
import sys
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from core.errors import (
    FORBIDDEN_MESSAGE,
    NOT_FOUND_MESSAGE,
    OUTAGE_ERRORS,
    RETRY_AFTER_SECONDS,
    TOO_LARGE_MESSAGE,
    VALIDATION_MESSAGE,
    is_outage,
    too_large_detail,
)

logger = logging.getLogger("kopilka.outage")

__all__ = ["OUTAGE_ERRORS", "RETRY_AFTER_SECONDS", "is_outage"]

# Path-based, so a webhook added later is a machine door without anyone remembering to.
API_PREFIXES = ("/api/", "/webhooks/")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def error_body(error: str, message: str, details: list[dict[str, str]] | None = None) -> Any:
    body: dict[str, Any] = {"error": error, "message": message}
    if details:
        body["details"] = details
    return body


def service_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(
            error_body(
                "service_unavailable",
                _("The service is briefly unavailable. Try again in %(seconds)s s.")
                % {"seconds": RETRY_AFTER_SECONDS},
            ),
            status=503,
        )
    else:
        # No request context: its processors would read the session and the user, from
        # the database that is gone.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    logger.warning(
        "503 %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    # One line above instead of django.request's traceback of the same failure.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        body = error_body("validation_error", str(TOO_LARGE_MESSAGE), [too_large_detail()])
    else:
        body = error_body("bad_request", str(VALIDATION_MESSAGE))
    return JsonResponse(body, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(error_body("permission_denied", str(FORBIDDEN_MESSAGE)), status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse(error_body("not_found", str(NOT_FOUND_MESSAGE)), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block: the exception is the current one.
    exc = sys.exc_info()[1]
    if is_outage(exc):
        assert exc is not None
        return service_unavailable(request, exc)
    if not is_api(request):
        return defaults.server_error(request)
    message = _("Something went wrong on our side.")
    return JsonResponse(error_body("server_error", message), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if not is_api(request):
        return django_csrf_failure(request, reason)
    return JsonResponse(
        error_body("csrf_failed", _("CSRF verification failed. Request aborted.")), status=403
    )
