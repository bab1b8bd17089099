"""Who is trying, counted by django-ratelimit in the shared cache."""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from rest_framework.request import Request

from audit.middleware import client_ip


def ip_key(group: str, request: HttpRequest) -> str:
    # The audit middleware's notion of the client: X-Real-IP behind our nginx only.
    return client_ip(request) or "unknown"


def login_throttled(request: HttpRequest | Request, username: str) -> bool:
    """Count one password guess, by address and by username, whichever door it comes
    through (the login page or /api/auth/token/); True once either is over its rate."""
    # The cache key must encode as UTF-8: a lone surrogate ("\ud800", possible from a
    # form body) is escaped rather than failing after the per-IP counter went up.
    name = username.strip().lower().encode("utf-8", "backslashreplace").decode("utf-8")
    # Both counters go up on every attempt, so checking one never spares the other.
    by_ip = is_ratelimited(
        request, group="login-ip", key=ip_key, rate=settings.LOGIN_RATE_PER_IP, increment=True
    )
    by_name = is_ratelimited(
        request,
        group="login-user",
        key=lambda _group, _request: name,
        rate=settings.LOGIN_RATE_PER_USERNAME,
        increment=True,
    )
    return bool(by_ip or by_name)
