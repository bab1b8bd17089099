"""Idempotency keys: a write's answer stored under its key, and its replay."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from botapi.models import IdempotencyKey


def retention() -> timedelta:
    return timedelta(hours=settings.BOT_IDEMPOTENCY_RETENTION_HOURS)


def fingerprint(*, action: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"action": action, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# Stored after the action's writes, in their transaction: the unique (user, key) decides
# between concurrent twins. An INSERT that meets a twin's uncommitted row waits for that
# transaction; if it commits, ON CONFLICT applies and nothing is returned (the caller
# rolls its own writes back and replays the twin's answer); if it rolls back, this insert
# goes through. A row past the retention period is taken over as if it were new.
_STORE_SQL = f"""
INSERT INTO {IdempotencyKey._meta.db_table} AS k
    (user_id, key, action, fingerprint, status_code, response, created_at)
VALUES (%(user_id)s, %(key)s, %(action)s, %(fingerprint)s, %(status)s, %(response)s, %(now)s)
ON CONFLICT (user_id, key) DO UPDATE
    SET action = EXCLUDED.action, fingerprint = EXCLUDED.fingerprint,
        status_code = EXCLUDED.status_code, response = EXCLUDED.response,
        created_at = EXCLUDED.created_at
    WHERE k.created_at < %(expired_before)s
RETURNING k.id
"""


def idempotency_store(
    *, user: User, key: str, action: str, fingerprint: str, status: int, body: dict[str, Any]
) -> bool:
    """Store the answer under the key; False when a twin's answer holds the key already."""
    now = timezone.now()
    params: dict[str, Any] = {
        "user_id": user.pk,
        "key": key,
        "action": action,
        "fingerprint": fingerprint,
        "status": status,
        "response": json.dumps(body, ensure_ascii=False),
        "now": now,
        "expired_before": now - retention(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_STORE_SQL, params)
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status: int
    body: dict[str, Any]


def idempotency_stored(*, user: User, key: str) -> StoredAnswer | None:
    """The answer stored under the user's key within the retention period, if any."""
    stored = (
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__gte=timezone.now() - retention()
        )
        .only("fingerprint", "status_code", "response")
        .first()
    )
    if stored is None or stored.status_code is None:
        return None
    return StoredAnswer(stored.fingerprint, stored.status_code, json.loads(stored.response))


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete stored keys older than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - retention()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
