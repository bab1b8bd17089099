"""The registry's actions as MCP tools: names, flat input schemas and annotations.

Gemini CLI drops `additionalProperties`, `anyOf` and `oneOf` from a tool's schema (and
some clients refuse them), so each action's schema is flattened for display. Nothing
is lost on the server's side: the arguments still go through the dispatcher, which
validates them against the action's own strict schema.
"""

import copy
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import mcp_types as types

from botapi import actions
from botapi.actions import Action

IDEMPOTENCY_KEY = "idempotency_key"
DRY_RUN = "dry_run"
# Keywords a flat schema keeps; anything else (combinators, $schema, examples, the
# translations) is the strict schema's business.
KEPT_KEYWORDS = {
    "type",
    "description",
    "properties",
    "required",
    "enum",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "default",
    "items",
    "minItems",
    "maxItems",
}
# Destructive: it removes what cannot be recovered.
DESTRUCTIVE = frozenset({"delete_transaction", "delete_recurring", "delete_settlement"})


def _described(schema: dict[str, Any], language: str) -> str | None:
    description = schema.get(f"x-description-{language}", schema.get("description"))
    return str(description) if description is not None else None


def flatten(schema: dict[str, Any], language: str) -> dict[str, Any]:
    """`schema` without the keywords some clients strip or refuse, described in `language`.

    A property given by `anyOf` alternatives becomes the first of them (amounts: the
    decimal string), keeping the property's own description, which names the others.
    """
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives and "type" in alternatives[0]:
        rest = {k: v for k, v in schema.items() if k not in {"anyOf", "oneOf"}}
        return flatten({**alternatives[0], **rest}, language)
    flat: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword not in KEPT_KEYWORDS:
            continue
        if keyword == "properties":
            flat[keyword] = {name: flatten(sub, language) for name, sub in value.items()}
        elif keyword == "items":
            flat[keyword] = flatten(value, language)
        elif keyword == "description":
            flat[keyword] = _described(schema, language)
        else:
            flat[keyword] = copy.deepcopy(value)
    return flat


def idempotency_key_schema(language: str) -> dict[str, Any]:
    envelope = actions.envelope_schema()["properties"][IDEMPOTENCY_KEY]
    descriptions = {
        "ru": (
            "Необязательно. Повторяете вызов после сбоя — передайте тот же ключ, и действие "
            "выполнится один раз. Для нового действия не передавайте (сервер создаст ключ)."
        ),
        "en": (
            "Optional. Reuse it when you retry this call, so that it is done once; leave it "
            "out for a new call (the server makes a fresh one)."
        ),
    }
    return {
        "type": "string",
        "pattern": envelope["pattern"],
        "description": descriptions.get(language, descriptions["en"]),
    }


def dry_run_schema(language: str) -> dict[str, Any]:
    descriptions = {
        "ru": "Только показать, что будет записано, ничего не записывая.",
        "en": "Only show what would be recorded; record nothing.",
    }
    return {"type": "boolean", "description": descriptions.get(language, descriptions["en"])}


def input_schema(action: Action, language: str) -> dict[str, Any]:
    """The tool's flat input schema: the action's fields plus the call's own options."""
    schema = flatten(action.schema, language)
    schema["type"] = "object"
    properties = schema.setdefault("properties", {})
    properties[IDEMPOTENCY_KEY] = idempotency_key_schema(language)
    if action.dry_run:
        properties[DRY_RUN] = dry_run_schema(language)
    return schema


def annotations(action: Action) -> types.ToolAnnotations:
    # Writes are idempotent under their key: a retry with the same one records once.
    return types.ToolAnnotations(
        title=action.name,
        read_only_hint=not action.writes,
        destructive_hint=action.name in DESTRUCTIVE,
        idempotent_hint=True,
        open_world_hint=False,
    )


def tool(action: Action, language: str) -> types.Tool:
    return types.Tool(
        name=action.name,
        description=action.description_in(language),
        input_schema=input_schema(action, language),
        annotations=annotations(action),
    )


def tool_list(language: str) -> list[types.Tool]:
    return [tool(action, language) for action in actions.ACTIONS.values()]


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


@dataclass(frozen=True)
class Call:
    """A tool call as the dispatcher takes it."""

    action: str
    payload: Any
    key: Any
    dry_run: Any


def call(name: str, arguments: Any) -> Call:
    """Split a tool's arguments into the action's payload and the call's options.

    Whatever they are, they are passed on: the dispatcher says what is wrong with them.
    JSON floats become Decimals, as in the bot endpoint's bodies, so that an amount sent
    as a float is refused as one ("float_not_allowed") and none loses a cent.
    """
    payload = _decimals(arguments)
    key: Any = None
    dry_run: Any = False
    if isinstance(payload, dict):
        key = payload.pop(IDEMPOTENCY_KEY, None)
        dry_run = payload.pop(DRY_RUN, False)
    if key is None:
        key = f"mcp:{uuid.uuid4()}"
    return Call(
        action=name, payload=payload if payload is not None else {}, key=key, dry_run=dry_run
    )
