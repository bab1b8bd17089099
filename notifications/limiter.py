"""Telegram's limits across every worker on every host: at most TELEGRAM_RATE_PER_SECOND
messages in any one second and one message per chat every TELEGRAM_CHAT_INTERVAL_MS,
kept in Redis (one atomic script per step).

A message counts against the cap from the moment its slot is granted until one second
after its send has finished (`with slot(chat): send()`), not only at the grant. Telegram
receives a message somewhere between the two, however long a busy machine keeps the
thread, the network or the receiver from moving on, so in any second of the receiver's
clock it can have received only messages that all counted at once: never more than the
cap. (Counting at the grant alone, as this module once did, left that to the jitter
between grant and receipt: the bench saw 26 in a second against a cap of 25.)
The same holds per chat: the next message to a chat is granted only
TELEGRAM_CHAT_INTERVAL_MS after the previous one to it has finished.

Grants are also kept at least 1000 / cap ms apart, so the messages of a second go out
evenly rather than in one burst. Redis' own clock is used, so hosts need not agree on
the time.
"""

import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django_redis import get_redis_connection

WINDOW_MS = 1000
# Redis' clock is read in whole milliseconds: a finished message counts a millisecond
# longer than the second, so that rounding never lets one drop out early.
COUNTED_MS = WINDOW_MS + 1
# A slot whose holder never gives it back (a killed worker) is free again after this.
# It outlasts a send: httpx gives up on Telegram within its 5 s connect and 10 s read.
LEASE_MS = 60_000

# KEYS: the messages that count (a sorted set: token -> when it stops counting), the
#   next moment a grant may be made, the chat's next free moment (all in Redis ms).
# ARGV: the cap (0: none), ms between two grants, the lease, the token, chat gap (0: none).
# Returns {1, 0}: granted; {0, ms}: not yet, ask again in ms.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap, spacing, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local gap = tonumber(ARGV[5])
if gap > 0 then
  local chat_free = tonumber(redis.call('GET', KEYS[3]) or '0')
  -- A message to the chat still being sent holds it until at least `gap` from now.
  if chat_free > now then return {0, math.min(chat_free - now, gap)} end
end
if cap > 0 then
  local next_grant = tonumber(redis.call('GET', KEYS[2]) or '0')
  if next_grant > now then return {0, next_grant - now} end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= cap then
    -- A message still being sent counts until at least a second from now.
    local first = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
    return {0, math.max(1, math.min(first, now + 1000) - now)}
  end
  redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], lease + 1000)
  if spacing > 0 then redis.call('SET', KEYS[2], now + spacing, 'PX', spacing) end
end
if gap > 0 then redis.call('SET', KEYS[3], now + lease, 'PX', lease) end
return {1, 0}
"""

# KEYS: as above. ARGV: the token, how long a finished message counts, the chat gap.
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
local gap = tonumber(ARGV[3])
if gap > 0 then redis.call('SET', KEYS[3], now + gap, 'PX', gap) end
return 1
"""


def key_prefix() -> str:
    """The cache's key prefix: every worker of a deployment shares the limits, and the
    test processes that share one Redis keep theirs apart."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'kopilka')}:telegram:"


_scripts: dict[str, Any] = {}
_scripts_lock = threading.Lock()


def _script(source: str) -> Any:
    found = _scripts.get(source)
    if found is None:
        with _scripts_lock:
            found = _scripts[source] = get_redis_connection("default").register_script(source)
    return found


def spacing_ms() -> int:
    cap = settings.TELEGRAM_RATE_PER_SECOND
    return WINDOW_MS // cap if cap > 0 else 0


def _keys(chat: str) -> list[str]:
    prefix = key_prefix()
    return [f"{prefix}counted", f"{prefix}next", f"{prefix}chat:{chat}"]


def _redis_acquire(chat: str, token: str) -> tuple[bool, int]:
    run = _script(_ACQUIRE)
    granted, wait = run(
        keys=_keys(chat),
        args=[
            settings.TELEGRAM_RATE_PER_SECOND,
            spacing_ms(),
            LEASE_MS,
            token,
            settings.TELEGRAM_CHAT_INTERVAL_MS,
        ],
    )
    return bool(granted), int(wait)


def _redis_release(chat: str, token: str) -> None:
    run = _script(_RELEASE)
    run(keys=_keys(chat), args=[token, COUNTED_MS, settings.TELEGRAM_CHAT_INTERVAL_MS])


# Without Redis (a development server with one worker) the same rule, per process, on
# the monotonic clock (seconds).
_local_lock = threading.Lock()
_local_counted: dict[str, float] = {}
_local_next = 0.0
_local_chats: dict[str, float] = {}


def _local_acquire(chat: str, token: str) -> tuple[bool, int]:
    global _local_next
    now = time.monotonic()
    cap = settings.TELEGRAM_RATE_PER_SECOND
    gap = settings.TELEGRAM_CHAT_INTERVAL_MS / 1000
    with _local_lock:
        chat_free = _local_chats.get(chat, 0.0)
        if gap and chat_free > now:
            return False, math.ceil(min(chat_free - now, gap) * 1000)
        if cap > 0:
            if _local_next > now:
                return False, math.ceil((_local_next - now) * 1000)
            for held, until in list(_local_counted.items()):
                if until <= now:
                    del _local_counted[held]
            if len(_local_counted) >= cap:
                first = min(min(_local_counted.values()), now + WINDOW_MS / 1000)
                return False, max(1, math.ceil((first - now) * 1000))
            _local_counted[token] = now + LEASE_MS / 1000
            _local_next = now + spacing_ms() / 1000
        if gap:
            if len(_local_chats) > 10_000:
                _local_chats.clear()
            _local_chats[chat] = now + LEASE_MS / 1000
        return True, 0


def _local_release(chat: str, token: str) -> None:
    now = time.monotonic()
    with _local_lock:
        if token in _local_counted:
            _local_counted[token] = now + COUNTED_MS / 1000
        if settings.TELEGRAM_CHAT_INTERVAL_MS:
            _local_chats[chat] = now + settings.TELEGRAM_CHAT_INTERVAL_MS / 1000


def acquire(chat: str) -> str:
    """Wait for a slot to send one message to `chat`; returns the token `release` takes."""
    take = _redis_acquire if settings.REDIS_URL else _local_acquire
    token = uuid.uuid4().hex
    while True:
        granted, wait = take(chat, token)
        if granted:
            return token
        time.sleep(wait / 1000)


def release(chat: str, token: str) -> None:
    """The message has been sent (or has failed): it counts for one more second."""
    (_redis_release if settings.REDIS_URL else _local_release)(chat, token)


@contextmanager
def slot(chat: str) -> Iterator[None]:
    """Hold a slot for one message to `chat` while it is being sent."""
    token = acquire(chat)
    try:
        yield
    finally:
        release(chat, token)
