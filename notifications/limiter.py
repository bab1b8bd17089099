"""Telegram's limits across every worker on every host: about 25 messages a second in
all and one a second per chat, kept in Redis (one atomic script per message).

`acquire(chat)` blocks until the message may go. The window slides, and is a little
longer than a second (WINDOW_MS): between the check and the message reaching Telegram
threads and networks add jitter, and no second as Telegram counts it may see more than
the cap. Redis' own clock is used, so hosts need not agree.
"""

import threading
import time
import uuid
from collections import deque

from django.conf import settings
from django_redis import get_redis_connection

# KEYS: the overall window (a sorted set of send times), the chat's key.
# ARGV: messages per window overall (0: no cap), ms between messages to one chat, an id,
# the window in ms.
# Returns 0 when the message may go now, else the milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local chat_wait = redis.call('PTTL', KEYS[2])
if chat_wait > 0 then return chat_wait end
local cap = tonumber(ARGV[1])
if cap > 0 then
  local window = tonumber(ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= cap then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window - now)
  end
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) end
return 0
"""

WINDOW_MS = 1100
GLOBAL_KEY = "kopilka:telegram:sent"
CHAT_KEY = "kopilka:telegram:chat:{}"

_script = None
_script_lock = threading.Lock()


def _redis_acquire(chat: str) -> int:
    global _script
    if _script is None:
        with _script_lock:
            _script = get_redis_connection("default").register_script(_ACQUIRE)
    wait: int = _script(
        keys=[GLOBAL_KEY, CHAT_KEY.format(chat)],
        args=[
            settings.TELEGRAM_RATE_PER_SECOND,
            settings.TELEGRAM_CHAT_INTERVAL_MS,
            uuid.uuid4().hex,
            WINDOW_MS,
        ],
    )
    return wait


# Without Redis (a development server with one worker) the same rule, per process.
_local_lock = threading.Lock()
_local_sent: deque[float] = deque()
_local_chats: dict[str, float] = {}


def _local_acquire(chat: str) -> int:
    now = time.monotonic()
    with _local_lock:
        until = _local_chats.get(chat, 0.0)
        if until > now:
            return max(1, int((until - now) * 1000))
        cap = settings.TELEGRAM_RATE_PER_SECOND
        if cap > 0:
            window = WINDOW_MS / 1000
            while _local_sent and _local_sent[0] <= now - window:
                _local_sent.popleft()
            if len(_local_sent) >= cap:
                return max(1, int((_local_sent[0] + window - now) * 1000))
            _local_sent.append(now)
        _local_chats[chat] = now + settings.TELEGRAM_CHAT_INTERVAL_MS / 1000
        if len(_local_chats) > 10_000:
            _local_chats.clear()
        return 0


def acquire(chat: str) -> None:
    take = _redis_acquire if settings.REDIS_URL else _local_acquire
    while (wait := take(chat)) > 0:
        time.sleep(wait / 1000)
