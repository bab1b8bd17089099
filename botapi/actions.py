"""The one registry of bot actions: schema, scope, handler, description and example.

It drives validation, scope checks, `GET /api/bot/schema`, the OpenAPI document and
the agent's prompt. Adding an action is one schema file plus one handler here.
Handlers translate a validated payload into ONE service call and return its result,
typed (`botapi.results`).
"""

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from accounts.models import Scope
from botapi import auth, recurring, results, schemas
from botapi.caller import Caller, insufficient_scope
from botapi.outcome import Handler, Outcome, Payload
from botapi.outcome import amount as _amount
from botapi.outcome import category as _category
from botapi.outcome import payload_error as _payload_error
from core import db
from core.errors import ActionError
from finance.models import Kind, Transaction
from finance.months import is_past, parse_month
from finance.readers.receipts import (
    MAX_IMAGE_BYTES,
    FileTooLarge,
    FiscalReceipt,
    ReceiptError,
    parse_fiscal_qr,
    read_receipt_photo,
)
from finance.selectors.balances import ledger_balances, settlement_get
from finance.selectors.captures import match_get
from finance.selectors.categories import (
    category_find,
    category_get,
    category_list,
    looks_like_income,
)
from finance.selectors.forecast import forecast_for
from finance.selectors.splits import SplitView, split_view
from finance.selectors.summary import monthly_summary
from finance.selectors.transactions import transaction_get
from finance.services.bank_messages import bank_messages_record
from finance.services.budget import budget_item_set
from finance.services.captures import MATCH_NOT_FOUND, capture_record_separately
from finance.services.receipts import KINDS as RECEIPT_KINDS
from finance.services.receipts import receipt_problem, receipt_record
from finance.services.settlements import settlement_create, settlement_delete
from finance.services.splits import SplitMember, SplitRequest
from finance.services.text import record_from_text
from finance.services.transactions import transaction_delete, transaction_update


@dataclass(frozen=True)
class Action:
    name: str
    schema: dict[str, Any]
    # Any one of them lets the request through; a handler may then demand a
    # particular one (delete_transaction: the scope of the transaction's kind).
    scopes: tuple[str, ...]
    handler: Handler
    # Writes are idempotent: their result is stored under the idempotency key, as JSON,
    # and `replay` reads it back.
    writes: bool
    replay: Callable[[dict[str, Any]], results.Result] | None = None
    dry_run: bool = False
    # The most bytes a request for it may have (its envelope read as sent).
    max_body: int = schemas.MAX_BODY_BYTES
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


# Handlers: each turns a validated payload into one service call (reading through
# selectors) and returns its typed result. A service's ValidationError becomes the 400 of
# the contract, its paths naming the payload's fields.


# A split's refusals are about the payload's `split`.
SPLIT_FIELDS = dict.fromkeys(
    (
        "split_personal_ledger",
        "split_not_expense",
        "split_not_member",
        "split_member_repeated",
        "split_share_missing",
        "split_share_invalid",
        "split_amount_precision",
        "split_empty",
        "split_amounts_mismatch",
    ),
    "split",
)


def _split_request(data: dict[str, Any]) -> SplitRequest:
    """The payload's `split` (its schema admits only decimal strings and integers)."""
    members = tuple(
        SplitMember(user_id=m["user"], share=Decimal(m["share"]) if "share" in m else None)
        for m in data.get("members", [])
    )
    return SplitRequest(mode=data["mode"], members=members)


def _split_of(tx: Transaction) -> SplitView | None:
    # Only an expense of a shared ledger is split: nothing to read for the rest.
    if tx.kind != Kind.EXPENSE or tx.pk is None:
        return None
    return split_view(tx)


def _record(caller: Caller, payload: Payload, dry_run: bool, kind: str) -> Outcome:
    try:
        category = _category(caller, payload, kind)
        tx = record_from_text(
            user=caller.user,
            ledger=caller.ledger,
            kind=kind,
            text=payload["text"],
            date=date.fromisoformat(payload["date"]) if "date" in payload else None,
            currency=payload.get("currency"),
            category=category,
            source=caller.source,
            dry_run=dry_run,
            split=_split_request(payload["split"]) if "split" in payload else None,
        )
    except ValidationError as exc:
        fields = {"unknown_currency": "currency"} if "currency" in payload else {}
        raise _payload_error(exc, fields={**fields, **SPLIT_FIELDS}, default="text") from None
    warnings: tuple[results.Warning, ...] = ()
    if kind == Kind.EXPENSE and category is None and looks_like_income(tx.note):
        message = _("This reads like an income; it was recorded as an expense.")
        warnings = (results.Warning("looks_like_income", message),)
    split = _split_of(tx) if tx.ledger.personal_for_id is None else None
    result = results.TransactionResult.of(tx, warnings=warnings, split=split)
    if dry_run:
        return Outcome(result)
    return Outcome(result, created=True, obj=tx)


def create_expense(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    return _record(caller, payload, dry_run, Kind.EXPENSE)


def create_income(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    return _record(caller, payload, dry_run, Kind.INCOME)


def set_budget_item(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    category_field = "category_id" if "category_id" in payload else "category"
    fields = {
        "invalid_month": "month",
        "unknown_currency": "currency",
        "amount_out_of_range": "planned_amount",
        "amount_precision": "planned_amount",
    }
    try:
        month = parse_month(payload["month"])
        if "category_id" in payload:
            category = category_get(
                user=caller.user, ledger=caller.ledger, pk=payload["category_id"]
            )
        else:
            category = category_find(
                user=caller.user, ledger=caller.ledger, reference=payload["category"]
            )
        item, created = budget_item_set(
            user=caller.user,
            ledger=caller.ledger,
            month=month,
            category=category,
            planned_amount=_amount(payload["planned_amount"]),
            currency=payload.get("currency"),
            source=caller.source,
        )
    except ValidationError as exc:
        raise _payload_error(exc, fields=fields, default=category_field) from None
    return Outcome(results.BudgetItemResult.of(item), created=created, obj=item)


def get_summary(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    fields = {"invalid_month": "month"}
    try:
        month = parse_month(payload["month"]) if "month" in payload else caller.user.today()
        # A past month may be read a little behind; this month's from the primary.
        past = is_past(month, today=caller.user.today())
        summary = monthly_summary(
            user=caller.user,
            ledger=caller.ledger,
            month=month,
            currency=payload.get("currency"),
            using=db.heavy_reads() if past else db.PRIMARY,
        )
    except ValidationError as exc:
        raise _payload_error(exc, fields=fields, default="currency") from None
    # The current month also says where it is heading (None for any other month).
    forecast = forecast_for(user=caller.user, ledger=caller.ledger, summary=summary)
    return Outcome(results.SummaryResult(summary, forecast))


def list_categories(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    categories = category_list(user=caller.user, ledger=caller.ledger, kind=payload.get("kind"))
    return Outcome(results.CategoriesResult(tuple(map(results.category_ref, categories))))


# A refund is money back on spending: whoever may record expenses may record it.
KIND_SCOPES = {
    Kind.EXPENSE: Scope.EXPENSES_WRITE,
    Kind.INCOME: Scope.INCOMES_WRITE,
    Kind.REFUND: Scope.EXPENSES_WRITE,
}


def _transaction_not_found() -> ActionError:
    # Another user's transaction is as unknown as a missing one.
    message = _("No such transaction.")
    return schemas.invalid(
        [{"path": "payload.transaction_id", "code": "transaction_not_found", "message": message}]
    )


def delete_transaction(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    tx = transaction_get(user=caller.user, ledger=caller.ledger, pk=payload["transaction_id"])
    if tx is None:
        raise _transaction_not_found()
    scope = KIND_SCOPES[Kind(tx.kind)]
    if not caller.may((scope,)):
        raise insufficient_scope((scope,), "delete_transaction")
    result = results.DeletedResult(results.TransactionResult.of(tx))
    if not transaction_delete(tx=tx, user=caller.user, source=caller.source):
        raise _transaction_not_found()  # a concurrent request deleted it first
    return Outcome(result)


def update_transaction(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    tx = transaction_get(user=caller.user, ledger=caller.ledger, pk=payload["transaction_id"])
    if tx is None:
        raise _transaction_not_found()
    scope = KIND_SCOPES[Kind(tx.kind)]
    if not caller.may((scope,)):
        raise insufficient_scope((scope,), "update_transaction")
    changes = {"category_id", "category", "amount", "date", "split"} & set(payload)
    if not changes or {"category_id", "category"} <= changes:
        message = _(
            "Give one of category_id or category, or an amount, a date or a split to change."
        )
        raise schemas.invalid(
            [{"path": "payload", "code": "nothing_to_change", "message": message}]
        )
    category_field = "category_id" if "category_id" in payload else "category"
    fields = {
        "amount_out_of_range": "amount",
        "amount_precision": "amount",
        "category_kind_mismatch": category_field,
        "category_archived": category_field,
        **SPLIT_FIELDS,
    }
    try:
        category = None
        if "category_id" in payload:
            category = category_get(
                user=caller.user, ledger=caller.ledger, pk=payload["category_id"]
            )
        elif "category" in payload:
            category = category_find(
                user=caller.user,
                ledger=caller.ledger,
                reference=payload["category"],
                kind=Kind(tx.kind).category_kind,
            )
        tx = transaction_update(
            tx=tx,
            user=caller.user,
            amount=_amount(payload["amount"]) if "amount" in payload else None,
            category=category,
            date=date.fromisoformat(payload["date"]) if "date" in payload else None,
            source=caller.source,
            split=_split_request(payload["split"]) if "split" in payload else None,
        )
    except ValidationError as exc:
        raise _payload_error(exc, fields=fields, default=category_field) from None
    return Outcome(results.TransactionResult.of(tx, split=_split_of(tx)), obj=tx)


# Households: who owes whom, and settling up


def get_balances(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    try:
        balances = ledger_balances(
            user=caller.user, ledger=caller.ledger, currency=payload.get("currency")
        )
    except ValidationError as exc:
        raise _payload_error(exc, default="currency") from None
    return Outcome(results.BalancesResult(balances))


def record_settlement(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    fields = {
        "amount_out_of_range": "amount",
        "amount_precision": "amount",
        "unknown_currency": "currency",
        "settlement_same_person": "to",
        "settlement_personal_ledger": "from",
    }
    try:
        settlement = settlement_create(
            user=caller.user,
            ledger=caller.ledger,
            from_user_id=payload["from"],
            to_user_id=payload["to"],
            amount=_amount(payload["amount"]),
            currency=payload.get("currency"),
            date=date.fromisoformat(payload["date"]) if "date" in payload else None,
            source=caller.source,
        )
    except ValidationError as exc:
        unknown = [e for e in exc.error_list if e.code == "settlement_unknown_person"]
        if unknown and unknown[0].params and unknown[0].params.get("user") == payload["to"]:
            fields["settlement_unknown_person"] = "to"
        raise _payload_error(exc, fields=fields, default="from") from None
    return Outcome(results.SettlementResult.of(settlement), created=True, obj=settlement)


def delete_settlement(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    settlement = settlement_get(user=caller.user, ledger=caller.ledger, pk=payload["settlement_id"])
    if settlement is None or not settlement_delete(
        user=caller.user, settlement=settlement, source=caller.source
    ):
        message = _("No such settlement.")
        raise schemas.invalid(
            [{"path": "payload.settlement_id", "code": "settlement_not_found", "message": message}]
        )
    return Outcome(results.SettlementResult.of(settlement, deleted=True))


def record_bank_messages(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    # Either scope admits the request; each notification then needs its own kind's.
    allowed = {kind for kind, scope in KIND_SCOPES.items() if caller.may((scope,))}
    try:
        items = bank_messages_record(
            user=caller.user,
            ledger=caller.ledger,
            text=payload["text"],
            source=caller.source,
            record_transfers=payload.get("record_transfers", False),
            kinds=allowed,
        )
    except ValidationError as exc:
        raise _payload_error(exc, default="text") from None
    recorded = [i.transaction for i in items if i.outcome == "recorded"]
    first = recorded[0] if recorded else None
    return Outcome(results.BankMessagesResult.of(items), created=bool(recorded), obj=first)


def _match_not_found() -> ActionError:
    message = str(MATCH_NOT_FOUND)
    return schemas.invalid(
        [{"path": "payload.match_id", "code": "match_not_found", "message": message}]
    )


def record_separately(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    match = match_get(user=caller.user, ledger=caller.ledger, pk=payload["match_id"])
    if match is None:
        raise _match_not_found()
    scope = KIND_SCOPES[Kind(match.kind)]
    if not caller.may((scope,)):
        raise insufficient_scope((scope,), "record_separately")
    try:
        tx = capture_record_separately(
            user=caller.user, ledger=caller.ledger, match_id=match.pk, source=caller.source
        )
    except ValidationError as exc:
        if exc.code == "match_not_found":  # a concurrent request undid it first
            raise _match_not_found() from None
        raise _payload_error(exc, default="match_id") from None
    return Outcome(results.TransactionResult.of(tx), created=True, obj=tx)


# A receipt's photo: the image's bytes as base64, as an agent sends them (a data: URL too).
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)
_BASE64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")
INVALID_BASE64 = _("The image must be base64 (of a JPEG, PNG, WebP or HEIC file).")


def _photo(value: str) -> bytes:
    text = "".join(_DATA_URL.sub("", value, count=1).split()).encode("ascii", "replace")
    # The decoded size is known before decoding: 4 characters for every 3 bytes.
    if len(text) * 3 // 4 - text.count(b"=") > MAX_IMAGE_BYTES:
        raise receipt_problem(FileTooLarge("too large", limit=str(MAX_IMAGE_BYTES)))
    if len(text) % 4 or not _BASE64.match(text):
        raise ValidationError(INVALID_BASE64, code="invalid_base64")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(INVALID_BASE64, code="invalid_base64") from None


def _fiscal(payload: Payload) -> FiscalReceipt:
    name = "qr" if "qr" in payload else "image"
    try:
        if name == "qr":
            return parse_fiscal_qr(payload["qr"])
        return read_receipt_photo(_photo(payload["image"]))
    except ReceiptError as exc:
        raise ValidationError({name: [receipt_problem(exc)]}) from None
    except ValidationError as exc:
        raise ValidationError({name: exc.error_list}) from None


def record_receipt(caller: Caller, payload: Payload, dry_run: bool) -> Outcome:
    fields = {
        "category_kind_mismatch": "category",
        "category_archived": "category",
        "category_not_found": "category",
    }
    try:
        fiscal = _fiscal(payload)
        # A seller's payout (n=3) is an income: it needs the incomes' scope as well.
        scope = KIND_SCOPES[RECEIPT_KINDS[fiscal.kind]]
        if not caller.may((scope,)):
            raise insufficient_scope((scope,), "record_receipt")
        category = _category(caller, payload, RECEIPT_KINDS[fiscal.kind].category_kind)
        recorded = receipt_record(
            user=caller.user,
            ledger=caller.ledger,
            receipt=fiscal,
            category=category,
            text=payload.get("text", ""),
            source=caller.source,
        )
    except ValidationError as exc:
        default = "qr" if "qr" in payload else "image"
        raise _payload_error(exc, fields=fields, default=default) from None
    result = results.ReceiptResult(
        duplicate=recorded.duplicate,
        transaction=results.TransactionResult.of(recorded.transaction),
        receipt=results.ReceiptBrief.of(recorded.receipt),
    )
    if recorded.duplicate:
        return Outcome(result)
    return Outcome(result, created=True, obj=recorded.transaction)


def _declare(
    name: str,
    *,
    scopes: tuple[str, ...],
    handler: Handler,
    replay: Callable[[dict[str, Any]], results.Result] | None = None,
    dry_run: bool = False,
    max_body: int = schemas.MAX_BODY_BYTES,
) -> Action:
    return Action(
        name=name,
        schema=schemas.load(name),
        scopes=scopes,
        handler=handler,
        writes=replay is not None,
        replay=replay,
        dry_run=dry_run,
        max_body=max_body,
    )


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _declare(
            "create_expense",
            scopes=(Scope.EXPENSES_WRITE,),
            handler=create_expense,
            replay=results.TransactionResult.from_data,
            dry_run=True,
        ),
        _declare(
            "create_income",
            scopes=(Scope.INCOMES_WRITE,),
            handler=create_income,
            replay=results.TransactionResult.from_data,
            dry_run=True,
        ),
        _declare(
            "set_budget_item",
            scopes=(Scope.BUDGETS_WRITE,),
            handler=set_budget_item,
            replay=results.BudgetItemResult.from_data,
        ),
        _declare("get_summary", scopes=(Scope.SUMMARIES_READ,), handler=get_summary),
        _declare(
            "list_categories",
            scopes=(Scope.SUMMARIES_READ,),
            handler=list_categories,
        ),
        _declare(
            "delete_transaction",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=delete_transaction,
            replay=results.DeletedResult.from_data,
        ),
        _declare(
            "update_transaction",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=update_transaction,
            replay=results.TransactionResult.from_data,
        ),
        # Recurring rules (botapi.recurring): the kind's write scope, checked by the handler.
        _declare(
            "create_recurring",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=recurring.create_recurring,
            replay=results.RecurringResult.from_data,
        ),
        _declare(
            "list_recurring", scopes=(Scope.SUMMARIES_READ,), handler=recurring.list_recurring
        ),
        _declare(
            "update_recurring",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=recurring.update_recurring,
            replay=results.RecurringResult.from_data,
        ),
        _declare(
            "delete_recurring",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=recurring.delete_recurring,
            replay=results.RecurringDeletedResult.from_data,
        ),
        _declare("get_balances", scopes=(Scope.SUMMARIES_READ,), handler=get_balances),
        # Paying back a share of the expenses: the expenses' scope.
        _declare(
            "record_settlement",
            scopes=(Scope.EXPENSES_WRITE,),
            handler=record_settlement,
            replay=results.SettlementResult.from_data,
        ),
        _declare(
            "delete_settlement",
            scopes=(Scope.EXPENSES_WRITE,),
            handler=delete_settlement,
            replay=results.SettlementResult.from_data,
        ),
        _declare(
            "record_bank_messages",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=record_bank_messages,
            replay=results.BankMessagesResult.from_data,
        ),
        _declare(
            "record_separately",
            scopes=(Scope.EXPENSES_WRITE, Scope.INCOMES_WRITE),
            handler=record_separately,
            replay=results.TransactionResult.from_data,
        ),
        _declare(
            "record_receipt",
            scopes=(Scope.EXPENSES_WRITE,),
            handler=record_receipt,
            replay=results.ReceiptResult.from_data,
            max_body=schemas.MAX_UPLOAD_BODY_BYTES,
        ),
    )
}
# The most bytes a door reads before it knows the action; then the action's own limit.
LARGEST_BODY = max(action.max_body for action in ACTIONS.values())


def body_limit(envelope: Any) -> int:
    """The most bytes the request for this envelope's action may have."""
    action = ACTIONS.get(str(envelope.get("action"))) if isinstance(envelope, dict) else None
    return action.max_body if action is not None else schemas.MAX_BODY_BYTES


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
