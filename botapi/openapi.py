"""The bot endpoint in the OpenAPI document, described from the registry.

drf-spectacular documents the views; this hook adds the request body (one schema per
action, the actions' own JSON Schema), the result shapes, the error body and headers.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from botapi import actions
from botapi.auth import HEADER

REF = "#/components/schemas/"
STRING: dict[str, Any] = {"type": "string"}
MONEY: dict[str, Any] = {
    "type": "string",
    "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
    "examples": ["250.00"],
}
ID: dict[str, Any] = {"type": "integer"}

CATEGORY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "slug", "name"],
    "properties": {"id": ID, "slug": STRING, "name": STRING},
}
CATEGORY_WITH_KIND: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "slug", "name", "kind"],
    "properties": {**CATEGORY["properties"], "kind": {"enum": ["expense", "income"]}},
}
TRANSACTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind", "amount", "currency", "date", "category", "note", "text"],
    "properties": {
        "id": {"type": ["integer", "null"], "description": "null in a dry run"},
        "kind": {
            "enum": ["expense", "income", "refund"],
            "description": "A refund is money back for a purchase: `category` is the expense "
            "category whose spending it lowers.",
        },
        "amount": MONEY,
        "currency": STRING,
        "date": {"type": "string", "format": "date"},
        "category": {"$ref": REF + "BotCategory"},
        "note": STRING,
        "text": STRING,
        "category_guessed": {
            "type": "boolean",
            "description": "Only on a transaction just read from text: false when the text "
            "said nothing about the category and it went to the fallback (Other), "
            "so the chat may ask which category it is.",
        },
        "warnings": {
            "type": "array",
            "description": "Present when the request may not mean what it says, e.g. "
            "looks_like_income: an expense whose words name an income.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "message"],
                "properties": {"code": STRING, "message": STRING},
            },
        },
        "split": {
            "type": "object",
            "description": "Present on an expense of a shared ledger: who shares it. "
            "`share` is what was asked (a weight, an amount, 1 when equal), `amount` what "
            "it came to; the amounts add up to the expense's.",
            "additionalProperties": False,
            "required": ["mode", "members"],
            "properties": {
                "mode": {"enum": ["equal", "shares", "amounts"]},
                "members": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["user", "name", "share", "amount"],
                        "properties": {
                            "user": {"type": ["integer", "null"]},
                            "name": STRING,
                            "share": STRING,
                            "amount": MONEY,
                        },
                    },
                },
            },
        },
    },
}
BUDGET_ITEM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "month", "category", "planned_amount", "currency"],
    "properties": {
        "id": ID,
        "month": STRING,
        "category": {"$ref": REF + "BotCategory"},
        "planned_amount": MONEY,
        "currency": STRING,
    },
}
SUMMARY: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "month",
        "currency",
        "income",
        "expense",
        "balance",
        "categories",
        "unconverted",
        "unconverted_plans",
        "missing_rates",
        "members",
    ],
    "description": (
        "The month in one currency. Totals and per-category figures exclude the amounts "
        "listed in `unconverted` (no rate converts them), and the plans exclude those "
        "listed in `unconverted_plans`; `missing_rates` names each missing rate. The lists "
        "are empty when everything converted. A missing rate never fails a summary."
    ),
    "properties": {
        "month": STRING,
        "currency": STRING,
        "income": {**MONEY, "description": "Excludes `unconverted`."},
        "expense": {**MONEY, "description": "Excludes `unconverted`."},
        "balance": MONEY,
        "unconverted": {
            "type": "array",
            "description": "Money left out of the totals, per kind and currency.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["currency", "amount", "kind"],
                "properties": {
                    "currency": STRING,
                    "amount": MONEY,
                    "kind": {"enum": ["expense", "income"]},
                },
            },
            "examples": [[{"currency": "EUR", "amount": "45.20", "kind": "expense"}]],
        },
        "unconverted_plans": {
            "type": "array",
            "description": "Planned amounts left out of the plans, per currency.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["currency", "amount"],
                "properties": {"currency": STRING, "amount": MONEY},
            },
            "examples": [[{"currency": "USD", "amount": "100.00"}]],
        },
        "missing_rates": {
            "type": "array",
            "description": "Each rate (1 `from` in `to`, on or before `date`) that was not found.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to", "date"],
                "properties": {
                    "from": STRING,
                    "to": STRING,
                    "date": {"type": "string", "format": "date"},
                },
            },
            "examples": [[{"from": "EUR", "to": "RUB", "date": "2026-11-24"}]],
        },
        "categories": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["category", "kind", "planned", "spent", "remaining", "over_budget"],
                "properties": {
                    "category": {"$ref": REF + "BotCategory"},
                    "kind": {"enum": ["expense", "income"]},
                    "planned": MONEY,
                    "spent": MONEY,
                    "remaining": {
                        "anyOf": [MONEY, {"type": "null"}],
                        "description": "What is left of the plan; null for an income category.",
                    },
                    "over_budget": {"type": "boolean"},
                },
            },
        },
        "members": {
            "type": "array",
            "description": (
                "What each member of the ledger paid in the month. Someone who has left is"
                " a former member; one whose account is deleted has no id or name."
            ),
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["user_id", "name", "former_member", "expense", "income", "share"],
                "properties": {
                    "user_id": {"type": ["integer", "null"]},
                    "name": STRING,
                    "former_member": {"type": "boolean"},
                    "expense": MONEY,
                    "income": MONEY,
                    "share": {
                        **MONEY,
                        "description": "Their part of the month's split expenses.",
                    },
                },
            },
        },
        # The current month only (docs/recurring.md defines each figure).
        "forecast": {
            **MONEY,
            "description": "The current month only: spent so far + the recurring payments "
            "still due this month + the average daily variable spending of the last three "
            "months times the days left (today included).",
        },
        "recurring_due": {
            "type": "array",
            "description": "The current month only: the recurring expenses still to be recorded.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "rule_id",
                    "date",
                    "amount",
                    "currency",
                    "amount_converted",
                    "category",
                    "note",
                ],
                "properties": {
                    "rule_id": ID,
                    "date": {"type": "string", "format": "date"},
                    "amount": MONEY,
                    "currency": STRING,
                    "amount_converted": {
                        "type": ["string", "null"],
                        "description": "In the summary's currency; null when no rate converts it.",
                    },
                    "category": {"$ref": REF + "BotCategory"},
                    "note": STRING,
                },
            },
        },
        "forecast_basis": {
            "type": "object",
            "description": "The figures the forecast is made of.",
            "additionalProperties": False,
            "required": ["spent", "recurring_due", "average_daily", "days_left", "plan"],
            "properties": {
                "spent": MONEY,
                "recurring_due": MONEY,
                "average_daily": MONEY,
                "days_left": ID,
                "plan": {"type": ["string", "null"]},
            },
        },
        "safe_to_spend_today": {
            **MONEY,
            "description": "The current month only, and only when it has a plan: what is "
            "left of the plan after the spending and the recurring payments still due, over "
            "the days left (today included); never below zero.",
        },
    },
}
CATEGORY_LIST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["categories"],
    "properties": {"categories": {"type": "array", "items": {"$ref": REF + "BotCategoryWithKind"}}},
}
DELETED: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["deleted", "transaction"],
    "properties": {"deleted": {"const": True}, "transaction": {"$ref": REF + "BotTransaction"}},
}
RECURRING: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "kind",
        "amount",
        "currency",
        "category",
        "note",
        "text",
        "paid_by",
        "frequency",
        "interval",
        "day",
        "weekday",
        "start_date",
        "end_date",
        "count",
        "next_date",
        "paused",
    ],
    "properties": {
        "id": ID,
        "kind": {"enum": ["expense", "income"]},
        "amount": MONEY,
        "currency": STRING,
        "category": {"$ref": REF + "BotCategory"},
        "note": STRING,
        "text": STRING,
        "paid_by": {**ID, "description": "The member who pays (a user id)."},
        "frequency": {"enum": ["daily", "weekly", "monthly", "yearly"]},
        "interval": ID,
        "day": {"type": ["integer", "string", "null"], "description": '1-31, "last" or null.'},
        "weekday": {"type": ["string", "null"]},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": ["string", "null"], "format": "date"},
        "count": {"type": ["integer", "null"]},
        "next_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "The next date it records; null once it has ended.",
        },
        "paused": {"type": "boolean"},
    },
}
SUGGESTION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "kind",
        "amount",
        "currency",
        "category",
        "note",
        "frequency",
        "day",
        "weekday",
        "times",
        "last_date",
        "next_date",
    ],
    "properties": {
        "id": {**STRING, "description": "create_recurring's suggestion_id accepts it."},
        "kind": {"enum": ["expense"]},
        "amount": MONEY,
        "currency": STRING,
        "category": {"$ref": REF + "BotCategory"},
        "note": STRING,
        "frequency": {"enum": ["weekly", "monthly"]},
        "day": {"type": ["integer", "string", "null"]},
        "weekday": {"type": ["string", "null"]},
        "times": {**ID, "description": "How many payments the series has had."},
        "last_date": {"type": "string", "format": "date"},
        "next_date": {"type": "string", "format": "date"},
    },
}
RECURRING_LIST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["recurring", "suggested"],
    "properties": {
        "recurring": {"type": "array", "items": {"$ref": REF + "BotRecurring"}},
        "suggested": {"type": "array", "items": {"$ref": REF + "BotSuggestion"}},
    },
}
RECURRING_DELETED: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["deleted"],
    "properties": {
        "deleted": {"const": True},
        "recurring": {"$ref": REF + "BotRecurring"},
        "suggestion": {"$ref": REF + "BotSuggestion"},
    },
}
PERSON: dict[str, Any] = {
    "type": ["integer", "null"],
    "description": "A user id; null for an account since deleted.",
}
BALANCES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["balances", "settle", "currency", "unconverted", "missing_rates"],
    "description": (
        "Each person's balance per currency: paid for split expenses - their shares + "
        "settlements paid - settlements received (above zero the others owe them); they "
        "sum to zero in each currency. `settle`: the fewest transfers that zero them all."
    ),
    "properties": {
        "balances": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["user", "name", "currency", "balance"],
                "properties": {
                    "user": PERSON,
                    "name": STRING,
                    "currency": STRING,
                    "balance": MONEY,
                },
            },
        },
        "settle": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["from", "to", "amount", "currency"],
                "properties": {"from": PERSON, "to": PERSON, "amount": MONEY, "currency": STRING},
            },
        },
        "currency": {
            "type": ["string", "null"],
            "description": "The currency asked for; null: each balance in its own.",
        },
        "unconverted": {
            "type": "array",
            "description": "Currencies no stored rate converts: their balances stay in them.",
            "items": STRING,
        },
        "missing_rates": SUMMARY["properties"]["missing_rates"],
    },
}
SETTLEMENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "from", "to", "amount", "currency", "date"],
    "properties": {
        "id": ID,
        "from": PERSON,
        "to": PERSON,
        "amount": MONEY,
        "currency": STRING,
        "date": {"type": "string", "format": "date"},
        "deleted": {"const": True, "description": "Present when it was undone."},
    },
}
OPERATION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "amount", "currency", "date", "time", "counterpart", "card", "bank"],
    "properties": {
        "kind": {
            "enum": [
                "purchase", "refund", "salary", "cashback", "interest", "transfer_in",
                "transfer_out", "own_transfer", "cash_withdrawal", "fee", "declined",
            ],
        },
        "amount": {**MONEY, "description": "The operation's, never the balance."},
        "currency": STRING,
        "date": {
            "type": "string",
            "format": "date",
            "description": "The day stated, else the day it arrived (yesterday for a time "
            "later than now).",
        },
        "time": {"type": ["string", "null"], "examples": ["12:34"]},
        "counterpart": {**STRING, "description": "The merchant or person as the bank wrote it."},
        "card": {**STRING, "description": "The card's or account's last digits, or empty."},
        "bank": {**STRING, "examples": ["sber"]},
    },
}  # fmt: skip
BANK_ITEM: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["outcome", "text"],
    "properties": {
        "outcome": {
            "enum": ["recorded", "duplicate", "matched", "skipped", "not_understood"],
            "description": "recorded: a new transaction. duplicate: this notification was "
            "recorded before (the transaction it recorded). matched: the same purchase was "
            "already recorded another way, which it enriched (record_separately undoes it). "
            "skipped: nothing recorded (`reason`). not_understood: no operation found.",
        },
        "text": {**STRING, "description": "The notification as found in the text."},
        "operation": {"$ref": REF + "BotBankOperation"},
        "transaction": {"$ref": REF + "BotTransaction"},
        "reason": {
            "enum": [
                "own_transfer", "declined", "cash_withdrawal", "transfer", "insufficient_scope",
            ],
            "description": "Why a skipped one recorded nothing. transfer: to or from a "
            "person; send it again with record_transfers to record it.",
        },
        "match_id": {**ID, "description": "What record_separately undoes."},
    },
}  # fmt: skip
BANK_MESSAGES: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": REF + "BotBankItem"}}},
}
RECEIPT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["duplicate", "transaction", "receipt"],
    "properties": {
        "duplicate": {
            "type": "boolean",
            "description": "true: this receipt was recorded before (from any channel); "
            "nothing was written and `transaction` is the one it became then.",
        },
        "transaction": {"$ref": REF + "BotTransaction"},
        "receipt": {
            "type": "object",
            "additionalProperties": False,
            "required": ["fn", "i", "fp", "n", "issued_at", "total"],
            "description": "The QR code's fiscal fields; `issued_at` is the receipt's own "
            "local time, without a time zone.",
            "properties": {
                "fn": STRING,
                "i": ID,
                "fp": ID,
                "n": {"enum": [1, 2, 3, 4]},
                "issued_at": {
                    "type": "string",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$",
                    "examples": ["2026-11-24T13:05:00"],
                },
                "total": MONEY,
            },
        },
    },
}
RESULTS = {
    "create_recurring": "BotRecurring",
    "list_recurring": "BotRecurringList",
    "update_recurring": "BotRecurring",
    "delete_recurring": "BotRecurringDeleted",
    "create_expense": "BotTransaction",
    "create_income": "BotTransaction",
    "set_budget_item": "BotBudgetItem",
    "get_summary": "BotSummary",
    "list_categories": "BotCategoryList",
    "delete_transaction": "BotDeletedTransaction",
    "update_transaction": "BotTransaction",
    "get_balances": "BotBalances",
    "record_settlement": "BotSettlement",
    "delete_settlement": "BotSettlement",
    "record_bank_messages": "BotBankMessages",
    "record_separately": "BotTransaction",
    "record_receipt": "BotReceipt",
}
SUCCESS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ok", "action", "idempotency_key", "result"],
    "properties": {
        "ok": {"const": True},
        "action": {"enum": list(actions.ACTIONS)},
        "idempotency_key": STRING,
        "dry_run": {"const": True},
        "result": {"anyOf": [{"$ref": REF + name} for name in sorted(set(RESULTS.values()))]},
    },
}
ERROR: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "examples": ["validation_error"]},
        "message": STRING,
        "details": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "code", "message"],
                "properties": {"path": STRING, "code": STRING, "message": STRING},
            },
        },
    },
}
REGISTRY: dict[str, Any] = {
    "type": "object",
    "required": ["endpoint", "authentication", "envelope", "actions"],
    "properties": {
        "endpoint": STRING,
        "authentication": {"type": "object"},
        "envelope": {"type": "object"},
        "actions": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["description", "scope", "scopes", "schema", "example"],
            },
        },
    },
}

REQUEST_ID_HEADER: dict[str, Any] = {
    "X-Request-ID": {
        "description": "The request's id (the client's X-Request-ID when sane), as in the audit log.",
        "required": True,
        "schema": STRING,
    }
}


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in {"$schema", "$id", "examples"}}


def _request_schema(action: actions.Action) -> dict[str, Any]:
    envelope = actions.envelope_schema()
    properties = {
        **envelope["properties"],
        "action": {"const": action.name},
        "payload": _embedded(action.schema),
    }
    if not action.dry_run:
        properties["dry_run"] = {"const": False, "description": "Only create actions dry-run."}
    return {
        "type": "object",
        "description": action.description,
        "additionalProperties": False,
        "required": envelope["required"],
        "properties": properties,
    }


def _response(description: str, schema: str, headers: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {**REQUEST_ID_HEADER, **headers},
        "content": {"application/json": {"schema": {"$ref": REF + schema}}},
    }


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return _response(description, "BotError", headers or {})


REPLAYED: dict[str, Any] = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same key.",
        "schema": {"enum": ["true"]},
    }
}


def _action_operation(operation: dict[str, Any]) -> dict[str, Any]:
    examples = {
        name: {"summary": action.description, "value": actions.example_request(action)}
        for name, action in actions.ACTIONS.items()
    }
    return {
        **operation,
        "summary": "Perform one bot action",
        "description": (
            "One endpoint for every action of the registry (`GET /api/bot/schema`). "
            "Send a fresh `idempotency_key` with each new request: a retry with the same "
            "key and request gets the first answer with `Idempotent-Replayed: true`."
        ),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF + "BotRequest"},
                    "examples": examples,
                }
            },
        },
        "responses": {
            "200": _response("Done; nothing was created.", "BotSuccess", REPLAYED),
            "201": _response("Created.", "BotSuccess", REPLAYED),
            "400": _error(
                "`validation_error` (malformed JSON, a wrong envelope, an unknown action, a "
                "payload its schema or the parser refuses) or `idempotency_key_reused`."
            ),
            "401": _error(
                "`authentication_failed`: a missing, malformed, unknown, expired or revoked token.",
                {"WWW-Authenticate": {"required": True, "schema": STRING}},
            ),
            "403": _error("`insufficient_scope`: the token lacks the scope the action needs."),
            "429": _error(
                "`rate_limited`: too many requests for this token, or too many failed "
                "authentications from this address.",
                {"Retry-After": {"required": True, "schema": {"type": "string"}}},
            ),
        },
    }


def add_bot_actions(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the bot endpoint as the registry says."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, action in actions.ACTIONS.items():
        schemas[f"BotRequest_{name}"] = _request_schema(action)
    schemas["BotRequest"] = {
        "oneOf": [{"$ref": f"{REF}BotRequest_{name}"} for name in actions.ACTIONS],
        "discriminator": {
            "propertyName": "action",
            "mapping": {name: f"{REF}BotRequest_{name}" for name in actions.ACTIONS},
        },
    }
    schemas.update(
        {
            "BotCategory": CATEGORY,
            "BotCategoryWithKind": CATEGORY_WITH_KIND,
            "BotTransaction": TRANSACTION,
            "BotBudgetItem": BUDGET_ITEM,
            "BotSummary": SUMMARY,
            "BotCategoryList": CATEGORY_LIST,
            "BotDeletedTransaction": DELETED,
            "BotRecurring": RECURRING,
            "BotSuggestion": SUGGESTION,
            "BotRecurringList": RECURRING_LIST,
            "BotRecurringDeleted": RECURRING_DELETED,
            "BotBalances": BALANCES,
            "BotSettlement": SETTLEMENT,
            "BotBankOperation": OPERATION,
            "BotBankItem": BANK_ITEM,
            "BotBankMessages": BANK_MESSAGES,
            "BotReceipt": RECEIPT,
            "BotSuccess": SUCCESS,
            "BotError": ERROR,
            "BotRegistry": REGISTRY,
        }
    )
    paths = result.get("paths", {})
    if "post" in paths.get("/api/bot/actions", {}):
        paths["/api/bot/actions"]["post"] = _action_operation(paths["/api/bot/actions"]["post"])
    if "get" in paths.get("/api/bot/schema", {}):
        paths["/api/bot/schema"]["get"]["responses"] = {
            "200": _response("The registry of bot actions.", "BotRegistry", {})
        }
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "botapi.auth.ApiTokenAuthentication"
    name = "BotToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "A bot token (`manage.py create_bot_token`), kop_ and 36 characters.",
        }
