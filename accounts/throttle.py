"""Keys for django-ratelimit: who is trying, counted in the shared cache."""

from django.http import HttpRequest

from audit.middleware import client_ip


def ip_key(group: str, request: HttpRequest) -> str:
    # The audit middleware's notion of the client: X-Real-IP behind our nginx only.
    return client_ip(request) or "unknown"


def username_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()
