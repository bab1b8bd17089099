"""Rate limits of the bot endpoint, counted by django-ratelimit in the shared cache (Redis).

- Per token, after authentication: each token has its own bucket.
- Per client IP, for failed authentication: once an address has failed
  `BOT_RATELIMIT_FAILED_AUTH_IP` times in the window, every request from it is refused
  before its token is even looked up, so guessing tokens is slow. Successful requests
  do not count here: many people's agents may share one address.
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from accounts.models import ApiToken
from audit.middleware import client_ip
from core.errors import RateLimitExceeded

TOKEN_GROUP = "botapi.token"
FAILED_AUTH_GROUP = "botapi.failed_auth_ip"


def _usage(
    request: HttpRequest, *, group: str, value: str, rate: str, increment: bool
) -> dict[str, Any] | None:
    return get_usage(  # type: ignore[no-any-return]
        request,
        group=group,
        key=lambda _group, _request: value,
        rate=rate,
        method=ALL,
        increment=increment,
    )


def _refuse_if(usage: dict[str, Any] | None, *, at_limit: bool) -> None:
    if usage is None:  # RATELIMIT_ENABLE is off
        return
    over = usage["count"] >= usage["limit"] if at_limit else usage["should_limit"]
    if over:
        raise RateLimitExceeded(retry_after=usage["time_left"])


def address_key(request: HttpRequest) -> str:
    """The client's address as nginx reports it; an IPv6 client by its /64."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
    return ip


def check_address(request: HttpRequest) -> None:
    """Refuse a client whose address has used up its failed authentications (429)."""
    usage = _usage(
        request,
        group=FAILED_AUTH_GROUP,
        value=address_key(request),
        rate=settings.BOT_RATELIMIT_FAILED_AUTH_IP,
        increment=False,
    )
    _refuse_if(usage, at_limit=True)


def count_failed_authentication(request: HttpRequest) -> None:
    _usage(
        request,
        group=FAILED_AUTH_GROUP,
        value=address_key(request),
        rate=settings.BOT_RATELIMIT_FAILED_AUTH_IP,
        increment=True,
    )


def check_token(request: HttpRequest, token: ApiToken) -> None:
    """Count one request for `token`; past the token's rate, refuse it (429)."""
    usage = _usage(
        request,
        group=TOKEN_GROUP,
        value=str(token.pk),
        rate=settings.BOT_RATELIMIT_TOKEN,
        increment=True,
    )
    _refuse_if(usage, at_limit=False)
