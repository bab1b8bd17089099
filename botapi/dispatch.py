"""One door for every channel: `perform(caller=..., action=..., payload=..., key=...)`.

The bot endpoint, the messengers and the MCP server are admitted (`botapi.admission`),
then all end here, where the rest happens once: the envelope and the payload are
validated (every problem at once), the scope is checked, the handler runs once per
idempotency key, and the request leaves its audit row. The channel gets the action's
typed result (`botapi.results`) with the contract's JSON body rendered from it. A
refusal is an `ActionError` whose messages are in the caller's language; the channel
renders it.
"""

import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from audit.models import AuditLog
from audit.services import audit_flush, audit_record, collected
from botapi import actions, results, schemas, services
from botapi.actions import Action
from botapi.caller import Caller, insufficient_scope
from botapi.outcome import Outcome
from core.errors import ActionError
from ledgers.access import LedgerForbidden, LedgerNotFound

REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Performed:
    """A performed (or replayed) action: its typed result, the contract's success body
    rendered from it, and what it made."""

    action: str
    value: results.Result
    body: dict[str, Any]
    created: bool = False
    replayed: bool = False
    obj: Model | None = None

    @property
    def result(self) -> dict[str, Any]:
        """The body's `result`: the value as JSON."""
        result: dict[str, Any] = self.body["result"]
        return result


def perform(
    *, caller: Caller, action: Any, payload: Any, key: Any, dry_run: Any = False
) -> Performed:
    """Perform one action for `caller`, or raise ActionError. The arguments are checked
    here, whatever their types, so a channel may pass on what it was sent."""
    return perform_envelope(
        caller=caller, envelope=envelope(action=action, payload=payload, key=key, dry_run=dry_run)
    )


def envelope(*, action: Any, payload: Any, key: Any, dry_run: Any = False) -> dict[str, Any]:
    """The request envelope of a channel that passes the action's parts on one by one."""
    built = {"action": action, "payload": payload, "idempotency_key": key}
    if dry_run is not False:
        built["dry_run"] = dry_run
    return built


def perform_envelope(
    *, caller: Caller, envelope: Any, audit: "RequestAudit | None" = None
) -> Performed:
    """`perform` for a whole request envelope as a client sent it (the bot endpoint's body).
    `audit`: the request's row, begun by the door that admitted it (None: begun here)."""
    audit = audit or RequestAudit(source=caller.source)
    audit.identify(caller)
    with translation.override(caller.language):
        try:
            performed = _perform(caller, envelope, audit)
        except ActionError as exc:
            audit.write(status=exc.status, error=exc.error, codes=exc.codes())
            raise
        except Exception:
            audit.write(status=500, error="server_error")
            raise
    if not audit.written:
        audit.write(status=201 if performed.created else 200, obj=performed.obj)
    return performed


def _perform(caller: Caller, envelope: Any, audit: "RequestAudit") -> Performed:
    action, key, dry_run = _validate_envelope(envelope, audit)
    if not caller.may(action.scopes):
        raise insufficient_scope(action.scopes, action.name)
    payload = envelope["payload"]
    details = schemas.problems(action.validator, payload, "payload")
    if dry_run and not action.dry_run:
        message = _("%(action)s has no dry run.") % {"action": action.name}
        details.append({"path": "dry_run", "code": "dry_run_unsupported", "message": message})
    if details:
        raise schemas.invalid(details)
    if dry_run or not action.writes:
        outcome = _handle(action, caller, payload, dry_run)
        return _performed(action, key, outcome, dry_run=dry_run)
    return _perform_once(caller, action, payload, key, audit)


def _validate_envelope(envelope: Any, audit: "RequestAudit") -> tuple[Action, str, bool]:
    details = schemas.problems(actions.ENVELOPE, envelope)
    action = None
    if isinstance(envelope, dict):
        action = actions.ACTIONS.get(str(envelope.get("action")))
        audit.action = action.name if action is not None else ""
        if isinstance(envelope.get("idempotency_key"), str):
            # As sent, but a NUL, which a text column cannot hold (a refused key may have one).
            audit.key = envelope["idempotency_key"][:255].replace("\x00", "\ufffd")
        audit.dry_run = envelope.get("dry_run") is True
    for detail in details:
        if detail["path"] == "action" and detail["code"] == "invalid_choice":
            detail["code"] = "unknown_action"
    if details:
        # The payload's own problems too, when the action is known: every problem at once.
        if action is not None and isinstance(envelope.get("payload"), dict):
            details += schemas.problems(action.validator, envelope["payload"], "payload")
        raise schemas.invalid(details)
    assert action is not None  # the envelope's schema admits only the registry's names
    return action, envelope["idempotency_key"], envelope.get("dry_run", False)


def _handle(action: Action, caller: Caller, payload: dict[str, Any], dry_run: bool) -> Outcome:
    """Run the handler; the ledger's refusals (not a member, a read-only member) become
    the dispatcher's own, so that every channel renders them."""
    try:
        return action.handler(caller, payload, dry_run)
    except LedgerNotFound:
        raise ActionError(
            status=404, error="ledger_not_found", message=_("No such ledger.")
        ) from None
    except LedgerForbidden as exc:
        raise ActionError(status=403, error=exc.code, message=exc.message) from None


class _Taken(Exception):
    """A twin's answer holds the key: roll this request's writes back and replay it."""


def _perform_once(
    caller: Caller, action: Action, payload: dict[str, Any], key: str, audit: "RequestAudit"
) -> Performed:
    """Run a write once per (user, key): a repeat of the same request gets the stored
    answer back, the same key with another request a 400.

    The answer is stored after the writes, in their transaction, with their audit rows
    and the request's own, so that a write costs one commit. Twins run at once and the
    key's unique index lets one of them commit; the others roll back and replay it.
    """
    digest = services.fingerprint(action=action.name, payload=payload)
    try:
        with transaction.atomic():
            with collected() as rows:
                outcome = _handle(action, caller, payload, False)
                performed = _performed(action, key, outcome)
                status = 201 if performed.created else 200
                audit.row(status=status, obj=performed.obj)
            audit_flush(rows)
            audit.written = True
            if not services.idempotency_store(
                user=caller.user,
                key=key,
                action=action.name,
                fingerprint=digest,
                status=status,
                body=performed.body,
            ):
                raise _Taken
        return performed
    except _Taken:
        audit.written = False
        stored = services.idempotency_stored(user=caller.user, key=key)
    except ActionError:
        # A refusal can be a twin's doing (it deleted what this one would delete): then
        # the twin's answer is this request's answer too.
        stored = services.idempotency_stored(user=caller.user, key=key)
        if stored is None or stored.fingerprint != digest:
            raise
    if stored is None or stored.fingerprint != digest:
        raise ActionError(
            status=400,
            error="idempotency_key_reused",
            message=_(
                "This idempotency key was already used for a different request. "
                "Use a fresh key for every new request."
            ),
        )
    audit.replayed = True
    assert action.replay is not None  # only writes are stored
    return Performed(
        action.name,
        action.replay(stored.body["result"]),
        stored.body,
        created=stored.status == 201,
        replayed=True,
    )


def _performed(action: Action, key: str, outcome: Outcome, *, dry_run: bool = False) -> Performed:
    body: dict[str, Any] = {
        "ok": True,
        "action": action.name,
        "idempotency_key": key,
        "result": outcome.value.data(),
    }
    if dry_run:
        body["dry_run"] = True
    return Performed(action.name, outcome.value, body, created=outcome.created, obj=outcome.obj)


@dataclass
class RequestAudit:
    """The request's audit row, filled in as the request goes, written once. Never the
    token itself. The door that admits a request begins it (`botapi.admission`) and
    writes it for what it refuses before `perform`; the dispatcher writes it for the
    rest, in the transaction of the writes it reports when there are any."""

    source: str
    started: float = field(default_factory=time.perf_counter)
    user: User | None = None
    token: ApiToken | None = None
    ledger_id: int | None = None
    channel_ref: str = ""
    action: str = ""
    key: str = ""
    dry_run: bool = False
    replayed: bool = False
    written: bool = False

    def identify(self, caller: Caller) -> None:
        self.user, self.token = caller.user, caller.token
        self.ledger_id = caller.ledger_id
        self.channel_ref = caller.channel_ref

    def identify_token(self, token: ApiToken) -> None:
        """Who is asking, known before the caller is (a door's token)."""
        self.user, self.token, self.ledger_id = token.user, token, token.ledger_id

    def row(
        self,
        *,
        status: int,
        error: str = "",
        codes: list[str] | None = None,
        obj: Model | None = None,
    ) -> AuditLog:
        details: dict[str, Any] = {}
        if codes:
            details["codes"] = codes[:20]
        if self.replayed:
            details["replayed"] = True
        if self.dry_run:
            details["dry_run"] = True
        if self.channel_ref:
            details["channel"] = self.channel_ref
        return audit_record(
            source=self.source,
            action=self.action,
            user=self.user,
            token=self.token,
            ledger=self.ledger_id,
            obj=obj,
            status_code=status,
            error_code=error,
            idempotency_key=self.key,
            duration_ms=round((time.perf_counter() - self.started) * 1000, 3),
            details=details,
        )

    def write(self, **fields: Any) -> None:
        """Write the row now, on its own: it outlives the rolled-back writes it reports."""
        self.row(**fields)
        self.written = True

    def close(self, *, status: int, error: str = "", codes: list[str] | None = None) -> None:
        """Write the row with the request's answer, unless the dispatcher has written it."""
        if not self.written:
            self.write(status=status, error=error, codes=codes)
