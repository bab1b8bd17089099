"""Request bodies sent with `Transfer-Encoding: chunked`, read instead of seen as empty."""

import io
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.handlers import error_body, is_api


class ChunkedBodyMiddleware:
    """Django reads CONTENT_LENGTH bytes and a chunked request has none, so its body was
    silently empty. gunicorn decodes the chunks and marks the input as terminated
    (`wsgi.input_terminated`): read it here, bounded like any body. A server that does
    not decode them gets a 411 rather than an empty body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not meta.get("CONTENT_LENGTH"):
            if not meta.get("wsgi.input_terminated"):
                message = _("Send a Content-Length: chunked bodies are not read here.")
                if is_api(request):
                    return JsonResponse(error_body("length_required", message), status=411)
                return HttpResponse(message, status=411, content_type="text/plain")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = meta["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig(_("At most %(count)s bytes.") % {"count": limit})
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[assignment]
        return self.get_response(request)


# What a machine door's bare error responses (a view's HttpResponseNotAllowed, say) say
# in the contract's body, in the language of the request.
BARE_ERRORS = {
    400: ("validation_error", gettext_lazy("The request is not valid.")),
    401: ("authentication_failed", gettext_lazy("Authentication is required.")),
    403: ("permission_denied", gettext_lazy("You may not do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    413: ("too_large", gettext_lazy("The request body is too large.")),
    415: ("unsupported_media_type", gettext_lazy("This content type is not accepted here.")),
}
FAILED = gettext_lazy("The request failed.")
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class MachineErrorsMiddleware:
    """Every error a machine door (`/api/`, `/webhooks/`) answers is the JSON contract,
    also the bare ones a view or decorator returns without a body (`require_POST`'s 405)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.streaming
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        error, message = BARE_ERRORS.get(response.status_code, ("error", FAILED))
        contract = JsonResponse(error_body(error, str(message)), status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                contract[name] = response[name]
        return contract
