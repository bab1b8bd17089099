"""Running a bot action once per idempotency key, and the request's audit row."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiToken, User
from audit.models import AuditLog, Source
from audit.services import audit_record
from botapi.actions import Action, ActionContext
from botapi.errors import ApiError
from botapi.models import IdempotencyKey

KEY_REUSED = (
    "This idempotency key was already used for a different request. "
    "Use a fresh key for every new request."
)
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Performed:
    status: int
    body: dict[str, Any]
    replayed: bool = False
    obj: Model | None = None


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


def success_body(
    *, action: str, key: str, result: dict[str, Any], dry_run: bool = False
) -> dict[str, Any]:
    body = {"ok": True, "action": action, "idempotency_key": key, "result": result}
    if dry_run:
        body["dry_run"] = True
    return body


# An INSERT that meets a concurrent twin's uncommitted row waits for that transaction:
# if it commits, ON CONFLICT applies (we replay its stored answer); if it rolls back,
# this insert goes through and we run the action ourselves. A row past the retention
# period is taken over as if it were new. RETURNING gives a row only when we own the key.
_CLAIM_SQL = f"""
INSERT INTO {IdempotencyKey._meta.db_table} AS k
    (user_id, key, action, fingerprint, status_code, response, created_at)
VALUES (%(user_id)s, %(key)s, %(action)s, %(fingerprint)s, NULL, '', %(now)s)
ON CONFLICT (user_id, key) DO UPDATE
    SET action = EXCLUDED.action, fingerprint = EXCLUDED.fingerprint,
        status_code = NULL, response = '', created_at = EXCLUDED.created_at
    WHERE k.created_at < %(expired_before)s
RETURNING k.id
"""


def _claim(*, user: User, key: str, action: str, fingerprint: str) -> int | None:
    now = timezone.now()
    params: dict[str, Any] = {
        "user_id": user.pk,
        "key": key,
        "action": action,
        "fingerprint": fingerprint,
        "now": now,
        "expired_before": now - retention(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def action_perform(
    *,
    action: Action,
    user: User,
    token: ApiToken,
    key: str,
    payload: dict[str, Any],
    dry_run: bool = False,
) -> Performed:
    """Run `action` once per (user, key): a repeat of the same request gets the stored
    answer back, the same key with another request a 400. Reads and dry runs are
    not stored."""
    ctx = ActionContext(user=user, token=token, dry_run=dry_run)
    if dry_run or not action.writes:
        outcome = action.handler(ctx, payload)
        body = success_body(action=action.name, key=key, result=outcome.result, dry_run=dry_run)
        return Performed(201 if outcome.created else 200, body, obj=outcome.obj)

    digest = fingerprint(action=action.name, payload=payload)
    with transaction.atomic():
        claimed = _claim(user=user, key=key, action=action.name, fingerprint=digest)
        if claimed is None:
            stored = IdempotencyKey.objects.get(user=user, key=key)
            if stored.fingerprint != digest or stored.status_code is None:
                raise ApiError(status_code=400, error="idempotency_key_reused", message=KEY_REUSED)
            return Performed(stored.status_code, json.loads(stored.response), replayed=True)
        # A handler's error rolls the claim back with everything else: nothing is
        # stored for a refused request, and the key stays free for a corrected one.
        outcome = action.handler(ctx, payload)
        status = 201 if outcome.created else 200
        body = success_body(action=action.name, key=key, result=outcome.result)
        IdempotencyKey.objects.filter(pk=claimed).update(
            status_code=status, response=json.dumps(body, ensure_ascii=False)
        )
    return Performed(status, body, obj=outcome.obj)


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete stored keys older than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - retention()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@dataclass
class BotRequest:
    """What the audit row of one bot request says, filled in as the request goes."""

    action: str = ""
    user: User | None = None
    token: ApiToken | None = None
    idempotency_key: str = ""
    dry_run: bool = False
    replayed: bool = False
    obj: Model | None = None


def bot_request_audit(
    *, request: BotRequest, status_code: int, body: Any, duration_ms: float
) -> AuditLog:
    """The request's audit row, written in autocommit after the action's transaction so
    that a rolled-back action keeps it. Never the token itself."""
    error_code = ""
    details: dict[str, Any] = {}
    if isinstance(body, dict) and "error" in body:
        error_code = str(body["error"])
        codes = [d.get("code", "") for d in body.get("details", []) if isinstance(d, dict)]
        if codes:
            details["codes"] = codes[:20]
    elif status_code >= 500:
        error_code = "server_error"
    if request.replayed:
        details["replayed"] = True
    if request.dry_run:
        details["dry_run"] = True
    return audit_record(
        source=Source.BOT,
        action=request.action,
        user=request.user,
        token=request.token,
        ledger=request.token.ledger_id if request.token is not None else None,
        obj=request.obj,
        status_code=status_code,
        error_code=error_code,
        idempotency_key=request.idempotency_key,
        duration_ms=round(duration_ms, 3),
        details=details,
    )
