import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction

from audit import context
from audit.models import AuditLog
from core import sql

# Rows written inside `collected()` wait there to go in with one INSERT.
_collecting: contextvars.ContextVar[list[AuditLog] | None] = contextvars.ContextVar(
    "kopilka_audit_collecting", default=None
)


def audit_record(
    *,
    source: str,
    action: str,
    user: Any = None,
    actor: Any = None,
    token: Any = None,
    ledger: Any = None,
    obj: models.Model | None = None,
    status_code: int | None = None,
    error_code: str = "",
    idempotency_key: str = "",
    duration_ms: float | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row; request id and client IP come from the current request."""
    ctx = context.current()
    row = AuditLog(
        source=source,
        action=action,
        user=user,
        actor=actor,
        token=token,
        # A ledger or its id: services often hold only a row's ledger_id.
        ledger_id=getattr(ledger, "pk", ledger),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        status_code=status_code,
        error_code=error_code,
        idempotency_key=idempotency_key,
        client_ip=ctx.client_ip,
        request_id=ctx.request_id,
        duration_ms=duration_ms,
        details=details or {},
    )
    pending = _collecting.get()
    if pending is None:
        row.save(force_insert=True)
    else:
        pending.append(row)
    return row


@contextmanager
def collected() -> Iterator[list[AuditLog]]:
    """Hold back the audit rows written inside, so that the caller can add its own and
    insert them all at once (`audit_flush`) in the transaction of the writes they
    describe. Rows of a block that raised are dropped: their writes are rolled back."""
    pending: list[AuditLog] = []
    token = _collecting.set(pending)
    try:
        yield pending
    finally:
        _collecting.reset(token)


def audit_flush(pending: list[AuditLog]) -> None:
    sql.insert(pending)


REDACTED = {"redacted": True}


def audit_redact_user(*, user_id: int) -> int:
    """Erase the personal content (details, client IP, idempotency key) of the rows
    about one person, keeping what happened and when; return how many rows changed.

    The only change the append-only trigger lets through (migration 0003), and only
    while `kopilka.audit_redact` is on in this transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('kopilka.audit_redact', 'on', true)")
        cursor.execute(
            "UPDATE audit_log SET details = %s::jsonb, client_ip = NULL, idempotency_key = ''"
            " WHERE user_id = %s AND (details <> %s::jsonb OR client_ip IS NOT NULL"
            " OR idempotency_key <> '')",
            [json.dumps(REDACTED), user_id, json.dumps(REDACTED)],
        )
        changed: int = cursor.rowcount
        cursor.execute("SELECT set_config('kopilka.audit_redact', 'off', true)")
    return changed
