from typing import Any

from django.db import models

from audit import context
from audit.models import AuditLog


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
    return AuditLog.objects.create(
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
