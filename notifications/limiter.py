"""Telegram's limits across every worker on every host: about 25 messages a second in
all and one a second per chat, kept in Redis (one atomic script per message).

`acquire(chat)` reserves the next free slot and sleeps until it. Slots are evenly
spaced, WINDOW_MS / cap apart (50 ms at 25 a second, so 20 a second at most on
average), rather than let through in bursts: between the slot and the message reaching
Telegram, a busy machine's threads and the network add jitter, and up to ~250 ms of it
still puts no more than the cap in any second as Telegram counts it.
Redis' own clock is used, so hosts need not agree on the time.
"""

import math
import threading
import time

from django.conf import settings
from django_redis import get_redis_connection

WINDOW_MS = 1250

# KEYS: the next free slot overall, the chat's next free slot (both in Redis ms).
# ARGV: ms between two messages overall (0: no cap), ms between two to one chat.
# Returns {1, ms}: a slot is reserved, send in ms; {0, ms}: the chat is busy, ask again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local chat_free = tonumber(redis.call('GET', KEYS[2]) or '0')
if chat_free > now then return {0, chat_free - now} end
local slot = now
local spacing = tonumber(ARGV[1])
if spacing > 0 then
  local free = tonumber(redis.call('GET', KEYS[1]) or '0')
  if free > slot then slot = free end
  redis.call('SET', KEYS[1], slot + spacing, 'PX', slot - now + spacing + 1000)
end
local gap = tonumber(ARGV[2])
if gap > 0 then
  redis.call('SET', KEYS[2], slot + gap, 'PX', slot - now + gap + 1000)
end
return {1, slot - now}
"""

GLOBAL_KEY = "kopilka:telegram:next"
CHAT_KEY = "kopilka:telegram:chat:{}"

_script = None
_script_lock = threading.Lock()


def spacing_ms() -> int:
    cap = settings.TELEGRAM_RATE_PER_SECOND
    return math.ceil(WINDOW_MS / cap) if cap > 0 else 0


def _redis_acquire(chat: str) -> tuple[bool, int]:
    global _script
    if _script is None:
        with _script_lock:
            _script = get_redis_connection("default").register_script(_ACQUIRE)
    reserved, wait = _script(
        keys=[GLOBAL_KEY, CHAT_KEY.format(chat)],
        args=[spacing_ms(), settings.TELEGRAM_CHAT_INTERVAL_MS],
    )
    return bool(reserved), int(wait)


# Without Redis (a development server with one worker) the same rule, per process.
_local_lock = threading.Lock()
_local_next = 0.0
_local_chats: dict[str, float] = {}


def _local_acquire(chat: str) -> tuple[bool, int]:
    global _local_next
    now = time.monotonic()
    with _local_lock:
        chat_free = _local_chats.get(chat, 0.0)
        if chat_free > now:
            return False, math.ceil((chat_free - now) * 1000)
        slot = max(now, _local_next)
        spacing = spacing_ms() / 1000
        if spacing:
            _local_next = slot + spacing
        if len(_local_chats) > 10_000:
            _local_chats.clear()
        _local_chats[chat] = slot + settings.TELEGRAM_CHAT_INTERVAL_MS / 1000
        return True, math.ceil((slot - now) * 1000)


# A thread that wakes this much after its slot (a busy machine) gives the slot up and
# takes a new one: sent late, it would bunch up with the messages of the next slots.
LATE_MS = 30


def acquire(chat: str) -> None:
    take = _redis_acquire if settings.REDIS_URL else _local_acquire
    while True:
        reserved, wait = take(chat)
        due = time.monotonic() + wait / 1000
        if wait > 0:
            time.sleep(wait / 1000)
        if reserved and time.monotonic() - due <= LATE_MS / 1000:
            return
