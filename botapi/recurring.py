"""The recurring rules' actions: create_recurring, list_recurring, update_recurring and
delete_recurring (registered in `botapi.actions`). Each handler makes one service call,
reading through selectors; a rule's kind decides the write scope it needs."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Scope
from botapi import results, schemas
from botapi.caller import Caller, insufficient_scope
from botapi.outcome import Outcome, Payload, amount, payload_error
from botapi.outcome import category as payload_category
from core.errors import ActionError
from finance.models import Kind, RecurringRule
from finance.selectors.recurring import recurring_get, recurring_list
from finance.selectors.suggestions import suggestion_list
from finance.services.recurring import (
    When,
    recurring_create,
    recurring_delete,
    recurring_skip_next,
    recurring_update,
)
from finance.services.recurring_words import recurring_create_from_text
from finance.services.suggestions import recurring_from_suggestion, suggestion_dismiss

KIND_SCOPES = {Kind.EXPENSE: Scope.EXPENSES_WRITE, Kind.INCOME: Scope.INCOMES_WRITE}
# Field-less refusals of the services, by code: the payload field each is about.
FIELDS = {
    "amount_out_of_range": "amount",
    "amount_precision": "amount",
    "unknown_currency": "currency",
    "category_not_found": "category",
    "category_ambiguous": "category",
    "category_kind_mismatch": "category",
    "category_archived": "category",
    "nothing_to_skip": "skip_next",
}


def _check_scope(caller: Caller, kind: str, action: str) -> None:
    scope = KIND_SCOPES[Kind(kind)]
    if not caller.may((scope,)):
        raise insufficient_scope((scope,), action)


def _date(payload: Payload, name: str) -> date | None:
    value = payload.get(name)
    return date.fromisoformat(value) if value is not None else None


def _when(payload: Payload) -> When:
    return When(
        frequency=payload["frequency"],
        interval=payload.get("interval", 1),
        day=results.day_value(payload.get("day")),
        weekday=results.weekday_value(payload.get("weekday")),
        start_date=_date(payload, "start_date"),
        end_date=_date(payload, "end_date"),
        count=payload.get("count"),
    )


def _required(name: str) -> ActionError:
    message = _("This field is required.")
    return schemas.invalid([{"path": f"payload.{name}", "code": "required", "message": message}])


def create_recurring(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    kind = payload.get("kind")
    try:
        if "suggestion_id" in payload:
            rule = recurring_from_suggestion(
                user=caller.user,
                ledger=caller.ledger,
                suggestion_id=payload["suggestion_id"],
                source=caller.source,
            )
        else:
            if "text" not in payload and "frequency" not in payload:
                raise _required("frequency")
            if "text" not in payload and "category" not in payload:
                raise _required("category")
            category = payload_category(caller, payload, kind)
            when = _when(payload) if "frequency" in payload else None
            if "text" in payload:
                rule = recurring_create_from_text(
                    user=caller.user,
                    ledger=caller.ledger,
                    text=payload["text"],
                    kind=kind,
                    currency=payload.get("currency"),
                    category=category,
                    when=when,
                    source=caller.source,
                )
            else:
                assert category is not None and when is not None
                rule = recurring_create(
                    user=caller.user,
                    ledger=caller.ledger,
                    kind=kind or category.kind,
                    amount=amount(payload["amount"]),
                    currency=payload.get("currency"),
                    category=category,
                    when=when,
                    note=payload.get("note", ""),
                    source=caller.source,
                )
    except ValidationError as exc:
        raise payload_error(exc, fields=FIELDS, default="text") from None
    # The rule's kind is known only now (a text's words decide it): refused, the
    # dispatcher's transaction takes the rule back with the refusal.
    _check_scope(caller, rule.kind, "create_recurring")
    return Outcome(results.RecurringResult.of(rule), created=True, obj=rule)


def list_recurring(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    rules = recurring_list(user=caller.user, ledger=caller.ledger)
    suggested = suggestion_list(user=caller.user, ledger=caller.ledger)
    return Outcome(
        results.RecurringListResult(
            tuple(results.RecurringResult.of(r) for r in rules), tuple(suggested)
        )
    )


def _rule_not_found() -> ActionError:
    # Another ledger's rule is as unknown as a missing one.
    message = _("No such recurring rule.")
    return schemas.invalid(
        [{"path": "payload.id", "code": "recurring_not_found", "message": message}]
    )


def _rule(caller: Caller, pk: int, action: str) -> RecurringRule:
    rule = recurring_get(user=caller.user, ledger=caller.ledger, pk=pk)
    if rule is None:
        raise _rule_not_found()
    _check_scope(caller, rule.kind, action)
    return rule


_CHANGES = (
    *("amount", "currency", "category", "note", "frequency", "interval", "day", "weekday"),
    *("start_date", "end_date", "count", "paused"),
)


def update_recurring(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    rule = _rule(caller, payload["id"], "update_recurring")
    if not set(payload) & {*_CHANGES, "skip_next"}:
        message = _("Give something to change, or skip_next or paused.")
        raise schemas.invalid(
            [{"path": "payload", "code": "nothing_to_change", "message": message}]
        )
    changes: dict[str, object] = {}
    try:
        if "category" in payload:
            changes["category"] = payload_category(caller, payload, rule.kind)
        if "amount" in payload:
            changes["amount"] = amount(payload["amount"])
        for name in ("currency", "note", "interval", "count", "paused", "frequency"):
            if name in payload:
                changes[name] = payload[name]
        for name in ("start_date", "end_date"):
            if name in payload:
                changes[name] = _date(payload, name)
        if "day" in payload:
            changes["day"] = results.day_value(payload["day"])
        if "weekday" in payload:
            changes["weekday"] = results.weekday_value(payload["weekday"])
        if changes:
            rule = recurring_update(rule=rule, user=caller.user, source=caller.source, **changes)  # type: ignore[arg-type]
        if payload.get("skip_next"):
            recurring_skip_next(rule=rule, user=caller.user, source=caller.source)
            rule.refresh_from_db()
    except ValidationError as exc:
        raise payload_error(exc, fields=FIELDS, default="id") from None
    return Outcome(results.RecurringResult.of(rule), obj=rule)


def delete_recurring(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    pk = payload["id"]
    if isinstance(pk, str):  # a suggestion's id: dismissed for good
        _check_scope(caller, Kind.EXPENSE, "delete_recurring")
        try:
            suggestion = suggestion_dismiss(
                user=caller.user, ledger=caller.ledger, suggestion_id=pk, source=caller.source
            )
        except ValidationError:
            message = _("No such suggestion: it may have been added or dismissed already.")
            raise schemas.invalid(
                [{"path": "payload.id", "code": "suggestion_not_found", "message": message}]
            ) from None
        return Outcome(
            results.RecurringDeletedResult(suggestion=results.suggestion_data(suggestion))
        )
    rule = _rule(caller, pk, "delete_recurring")
    result = results.RecurringDeletedResult(recurring=results.RecurringResult.of(rule))
    if not recurring_delete(rule=rule, user=caller.user, source=caller.source):
        raise _rule_not_found()  # a concurrent request deleted it first
    return Outcome(result)
