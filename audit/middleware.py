import ipaddress
import re
import uuid
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from audit import context

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _from_trusted_proxy(remote_addr: str) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return False
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


@cache
def _trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: X-Real-IP as nginx sets it, never X-Forwarded-For, and only
    when the connection comes from a trusted proxy (settings.TRUSTED_PROXIES)."""
    candidates = []
    if settings.TRUST_X_REAL_IP and _from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        candidates.append(request.META.get("HTTP_X_REAL_IP", ""))
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


class RequestContextMiddleware:
    """Give every request an id (the client's X-Request-ID when sane) and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")
        if not REQUEST_ID_RE.match(request_id):
            request_id = uuid.uuid4().hex
        ctx = context.RequestContext(request_id=request_id, client_ip=client_ip(request))
        request.request_context = ctx  # type: ignore[attr-defined]
        token = context.activate(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = request_id
        return response
