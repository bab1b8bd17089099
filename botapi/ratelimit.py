"""Rate limits of the bot token's doors (the bot endpoint, MCP), counted in the shared
cache (Redis), so that every worker of every host sees the same counts.

- Per token, after authentication: at most BOT_RATELIMIT_TOKEN requests in any window
  of its length, wherever the window starts (a sliding log: each admitted request is
  kept, with Redis' own clock, until it is a window old). A fixed window, as
  django-ratelimit counts, lets twice the limit through around its edge: one token got
  113 requests through in 60 s against 60 a minute.
- Per client IP, failed authentications only (django-ratelimit): once an address has
  failed `BOT_RATELIMIT_FAILED_AUTH_IP` times in the window, its further failures are
  refused (429) rather than told apart (401), so guessing tokens is slow. A valid
  token passes whatever its address: behind a shared NAT one person's typos must not
  lock everyone out.
"""

import ipaddress
import math
import re
import threading
import time
import uuid
from collections import deque
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_redis import get_redis_connection

from accounts.models import ApiToken
from audit.middleware import client_ip
from core.errors import RateLimitExceeded

TOKEN_GROUP = "botapi.token"
FAILED_AUTH_GROUP = "botapi.failed_auth_ip"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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


def address_key(request: HttpRequest) -> str:
    """The client's address as nginx reports it; an IPv6 client by its /64."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
    return ip


def count_failed_authentication(request: HttpRequest) -> None:
    """Count one failed authentication from the request's address; past the address's
    limit, refuse it (429) instead of saying what was wrong."""
    usage = _usage(
        request,
        group=FAILED_AUTH_GROUP,
        value=address_key(request),
        rate=settings.BOT_RATELIMIT_FAILED_AUTH_IP,
        increment=True,
    )
    if usage is not None and usage["should_limit"]:  # None: RATELIMIT_ENABLE is off
        raise RateLimitExceeded(retry_after=usage["time_left"])


def parse_rate(rate: str) -> tuple[int, int]:
    """("60/m") -> (60, 60000): how many, in how many milliseconds ("10/5m" too)."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r}")
    return int(match[1]), int(match[2] or 1) * UNITS[match[3]] * 1000


# KEYS: the token's log (a sorted set: a request -> when it was admitted, Redis ms).
# ARGV: the limit, the window (ms), this request's id. Returns {1, 0}: admitted (and
# kept); {0, ms}: refused, the oldest kept request leaves the window in ms.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  return {0, math.max(1, oldest + window - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
"""
_script: Any = None
_script_lock = threading.Lock()


def _redis_admit(key: str, limit: int, window_ms: int) -> tuple[bool, int]:
    global _script
    if _script is None:
        with _script_lock:
            _script = get_redis_connection("default").register_script(_ADMIT)
    admitted, wait = _script(keys=[key], args=[limit, window_ms, uuid.uuid4().hex])
    return bool(admitted), int(wait)


# Without Redis (a development server with one process, a test run without it) the same
# log, per process.
_local: dict[str, deque[float]] = {}
_local_lock = threading.Lock()


def _local_admit(key: str, limit: int, window_ms: int) -> tuple[bool, int]:
    now = time.monotonic()
    window = window_ms / 1000
    with _local_lock:
        log = _local.setdefault(key, deque())
        while log and log[0] <= now - window:
            log.popleft()
        if len(log) >= limit:
            return False, max(1, math.ceil((log[0] + window - now) * 1000))
        log.append(now)
        return True, 0


def sliding_admit(name: str, rate: str) -> None:
    """Admit one request counted under `name`, at most `rate` ("60/m") in any window of
    its length; raise RateLimitExceeded (with the seconds until one leaves) past it."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    limit, window_ms = parse_rate(rate)
    # The cache's own key (prefix and version), so that clearing the cache clears it.
    key = cache.make_key(f"ratelimit:{name}")
    admit = _redis_admit if settings.REDIS_URL else _local_admit
    admitted, wait_ms = admit(key, limit, window_ms)
    if not admitted:
        raise RateLimitExceeded(retry_after=math.ceil(wait_ms / 1000))


def check_token(request: HttpRequest, token: ApiToken) -> None:
    """Count one request for `token`; past the token's rate, refuse it (429)."""
    sliding_admit(f"{TOKEN_GROUP}:{token.pk}", settings.BOT_RATELIMIT_TOKEN)
