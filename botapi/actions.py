"""The one registry of bot actions: schema, scope, handler, description and example.

It drives validation, scope checks, `GET /api/bot/schema`, the OpenAPI document and
the agent's prompt. Adding an action is one schema file plus one handler here.
Handlers translate a validated payload into ONE service call and present its result.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from jsonschema import Draft202012Validator

from accounts.models import ApiToken, Scope, User
from botapi import auth, schemas
from botapi.errors import ApiError, validation_details
from botapi.presenters import budget_item_data, category_data, transaction_data
from finance import selectors, services
from finance.models import Category, Kind
from finance.presenters import summary_data

SOURCE = "bot"
CATEGORY_NOT_FOUND = "No such category."
TRANSACTION_NOT_FOUND = "No such transaction."


@dataclass(frozen=True)
class ActionContext:
    user: User
    token: ApiToken
    dry_run: bool = False


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    created: bool = False
    # What the request row of the audit log points at, when the action saved something.
    obj: models.Model | None = None


Handler = Callable[[ActionContext, dict[str, Any]], Outcome]


@dataclass(frozen=True)
class Action:
    name: str
    schema: dict[str, Any]
    # Any one of them lets the request through; a handler may then demand a
    # particular one (delete_transaction: the scope of the transaction's kind).
    scopes: tuple[str, ...]
    handler: Handler
    # Writes are idempotent: their result is stored under the idempotency key.
    writes: bool
    dry_run: bool = False
    validator: Draft202012Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "validator", schemas.compile_schema(self.schema))

    @property
    def description(self) -> str:
        return str(self.schema["description"])

    def description_in(self, language: str) -> str:
        return str(self.schema.get(f"x-description-{language}", self.description))

    @property
    def example(self) -> dict[str, Any]:
        example: dict[str, Any] = self.schema["examples"][0]
        return example


# Handlers


def _payload_error(
    exc: ValidationError, *, fields: dict[str, str] | None = None, default: str
) -> ApiError:
    """A service's ValidationError as a 400 whose paths name the payload's fields."""
    if hasattr(exc, "error_dict"):
        details = validation_details(exc, "payload")
    else:
        details = []
        for error in exc.error_list:
            name = (fields or {}).get(error.code or "", default)
            details += validation_details(error, f"payload.{name}")
    return schemas.invalid(details)


def _record(ctx: ActionContext, payload: dict[str, Any], kind: str) -> Outcome:
    try:
        tx = services.record_from_text(
            user=ctx.user,
            ledger=ctx.token.ledger_id,
            kind=kind,
            text=payload["text"],
            date=date.fromisoformat(payload["date"]) if "date" in payload else None,
            currency=payload.get("currency"),
            source=SOURCE,
            dry_run=ctx.dry_run,
        )
    except ValidationError as exc:
        fields = {"unknown_currency": "currency"} if "currency" in payload else {}
        raise _payload_error(exc, fields=fields, default="text") from None
    if ctx.dry_run:
        return Outcome(transaction_data(tx))
    return Outcome(transaction_data(tx), created=True, obj=tx)


def create_expense(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    return _record(ctx, payload, Kind.EXPENSE)


def create_income(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    return _record(ctx, payload, Kind.INCOME)


def _amount(value: str | int) -> Decimal:
    # The schema admits only decimal strings and integers, so this is exact.
    return Decimal(value)


def set_budget_item(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    category_field = "category_id" if "category_id" in payload else "category"
    fields = {
        "invalid_month": "month",
        "unknown_currency": "currency",
        "amount_out_of_range": "planned_amount",
        "amount_precision": "planned_amount",
    }
    try:
        month = selectors.parse_month(payload["month"])
        if "category_id" in payload:
            category = Category.objects.filter(
                pk=payload["category_id"], ledger_id=ctx.token.ledger_id
            ).first()
            if category is None:
                # Another ledger's category is as unknown as a missing one.
                raise ValidationError(CATEGORY_NOT_FOUND, code="category_not_found")
        else:
            category = selectors.category_find(
                user=ctx.user, ledger=ctx.token.ledger_id, reference=payload["category"]
            )
        item, created = services.budget_item_set(
            user=ctx.user,
            ledger=ctx.token.ledger_id,
            month=month,
            category=category,
            planned_amount=_amount(payload["planned_amount"]),
            currency=payload.get("currency"),
            source=SOURCE,
        )
    except ValidationError as exc:
        raise _payload_error(exc, fields=fields, default=category_field) from None
    return Outcome(budget_item_data(item), created=created, obj=item)


def get_summary(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    fields = {"invalid_month": "month"}
    try:
        month = selectors.parse_month(payload["month"]) if "month" in payload else None
        summary = selectors.monthly_summary(
            user=ctx.user,
            ledger=ctx.token.ledger_id,
            month=month or ctx.user.today(),
            currency=payload.get("currency"),
        )
    except ValidationError as exc:
        raise _payload_error(exc, fields=fields, default="currency") from None
    return Outcome(summary_data(summary))


def list_categories(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    categories = selectors.category_list(
        user=ctx.user, ledger=ctx.token.ledger_id, kind=payload.get("kind")
    )
    return Outcome({"categories": [category_data(c, with_kind=True) for c in categories]})


KIND_SCOPES = {Kind.EXPENSE: Scope.EXPENSES_WRITE, Kind.INCOME: Scope.INCOMES_WRITE}


def delete_transaction(ctx: ActionContext, payload: dict[str, Any]) -> Outcome:
    tx = selectors.transaction_get(
        user=ctx.user, ledger=ctx.token.ledger_id, pk=payload["transaction_id"], for_update=True
    )
    if tx is None:
        # Another ledger's transaction is as unknown as a missing one.
        raise schemas.invalid(
            [
                {
                    "path": "payload.transaction_id",
                    "code": "transaction_not_found",
                    "message": TRANSACTION_NOT_FOUND,
                }
            ]
        )
    scope = KIND_SCOPES[Kind(tx.kind)]
    if not auth.has_scope(ctx.token, scope):
        raise auth.insufficient_scope((scope,), "delete_transaction")
    result = {"deleted": True, "transaction": transaction_data(tx)}
    services.transaction_delete(tx=tx, user=ctx.user, source=SOURCE)
    return Outcome(result)


def _declare(
    name: str, *, scopes: tuple[str, ...], handler: Handler, writes: bool, dry_run: bool = False
) -> Action:
    return Action(
        name=name,
        schema=schemas.load(name),
        scopes=scopes,
        handler=handler,
        writes=writes,
        dry_run=dry_run,
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _declare(
            "create_expense",
            scopes=(Scope.EXPENSES_WRITE,),
            handler=create_expense,
            writes=True,
            dry_run=True,
        ),
        _declare(
            "create_income",
            scopes=(Scope.INCOMES_WRITE,),
            handler=create_income,
            writes=True,
            dry_run=True,
        ),
        _declare(
            "set_budget_item",
            scopes=(Scope.BUDGETS_WRITE,),
            handler=set_budget_item,
            writes=True,
        ),
        _declare("get_summary", scopes=(Scope.SUMMARIES_READ,), handler=get_summary, writes=False),
        _declare(
            "list_categories",
            scopes=(Scope.SUMMARIES_READ,),
            handler=list_categories,
            writes=False,
        ),
        _declare(
            "delete_transaction",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=delete_transaction,
            writes=True,
        ),
    )
}


def envelope_schema() -> dict[str, Any]:
    """The request envelope, its `action` limited to the registry's names."""
    schema = schemas.load("envelope")
    properties = {**schema["properties"]}
    properties["action"] = {**properties["action"], "enum": list(ACTIONS)}
    return {**schema, "properties": properties}


ENVELOPE: Draft202012Validator = schemas.compile_schema(envelope_schema())


def example_request(action: Action) -> dict[str, Any]:
    return {
        "action": action.name,
        "payload": action.example,
        "idempotency_key": str(uuid.uuid5(uuid.NAMESPACE_URL, f"kopilka:example:{action.name}")),
    }


def registry_document() -> dict[str, Any]:
    """What `GET /api/bot/schema` serves: the envelope and every action."""
    return {
        "endpoint": "POST /api/bot/actions",
        "authentication": {"header": auth.HEADER},
        "envelope": envelope_schema(),
        "actions": {
            name: {
                "description": action.description,
                "scope": " or ".join(action.scopes),
                "scopes": list(action.scopes),
                "idempotent": action.writes,
                "dry_run": action.dry_run,
                "schema": action.schema,
                "example": example_request(action),
            }
            for name, action in ACTIONS.items()
        },
    }
