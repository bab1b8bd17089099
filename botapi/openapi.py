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
        "missing_rates",
        "members",
    ],
    "description": (
        "The month in one currency. Totals and per-category figures exclude the amounts "
        "listed in `unconverted` (no rate converts them) and plans whose rate is missing; "
        "`missing_rates` names each missing rate. Both lists are empty when everything "
        "converted. A summary is refused (`exchange_rate_missing`) only in a currency the "
        "caller asked for that no stored rate mentions."
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
                    "remaining": MONEY,
                    "over_budget": {"type": "boolean"},
                },
            },
        },
        "members": {
            "type": "array",
            "description": "What each member of the ledger paid in the month.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["user_id", "name", "expense", "income"],
                "properties": {
                    "user_id": ID,
                    "name": STRING,
                    "expense": MONEY,
                    "income": MONEY,
                },
            },
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
    "create_expense": "BotTransaction",
    "create_income": "BotTransaction",
    "set_budget_item": "BotBudgetItem",
    "get_summary": "BotSummary",
    "list_categories": "BotCategoryList",
    "delete_transaction": "BotDeletedTransaction",
    "update_transaction": "BotTransaction",
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
