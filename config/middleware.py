"""Request bodies sent with `Transfer-Encoding: chunked`, read instead of seen as empty."""

import io
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse

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
                message = "Send a Content-Length: chunked bodies are not read here."
                if is_api(request):
                    return JsonResponse(error_body("length_required", message), status=411)
                return HttpResponse(message, status=411, content_type="text/plain")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = meta["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig(f"The body may have at most {limit} bytes.")
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[assignment]
        return self.get_response(request)
