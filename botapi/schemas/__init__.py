"""The bot API's JSON Schemas (draft 2020-12): one file per action beside the envelope's.

Bodies are parsed with floats as `Decimal`, so a JSON float never passes an
`"integer"` and never loses a cent; amounts travel as decimal strings or integers.
"""

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError as SchemaError

from core import strictjson
from core.errors import ActionError, ApiError

SCHEMA_DIR = Path(__file__).resolve().parent
# The language of the schemas' `description`s.
SCHEMA_LANGUAGE = "en"
# Far more than any real envelope; refused before parsing.
MAX_BODY_BYTES = 64 * 1024
# An action that carries a file (record_receipt's photo: 5 MB is 6.7 MB of base64).
MAX_UPLOAD_BODY_BYTES = 8 * 1024 * 1024
INVALID_MESSAGE = gettext_lazy("The request is not valid.")
TYPE_NAMES = {
    "object": gettext_lazy("an object"),
    "array": gettext_lazy("an array"),
    "string": gettext_lazy("a string"),
    "integer": gettext_lazy("an integer"),
    "number": gettext_lazy("a number"),
    "boolean": gettext_lazy("true or false"),
    "null": "null",
}


@cache
def load(name: str) -> dict[str, Any]:
    """The schema in `<name>.json`, checked against the draft 2020-12 metaschema."""
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


# An unescaped `$`: our schemas use it only as the end anchor.
_DOLLAR = re.compile(r"(?<!\\)\$")


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    r"""`pattern` as ECMA-262 reads it, which JSON Schema specifies: Python's `$` also
    matches before a final newline ("2026-11\n") and its `\d` any script's digits."""
    return re.compile(_DOLLAR.sub(r"\\Z", pattern), re.ASCII)


def _pattern(
    validator: Draft202012Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterable[SchemaError]:
    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield SchemaError(f"{instance!r} does not match {pattern!r}")


StrictValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)


def compile_schema(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    validator: Draft202012Validator = StrictValidator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return validator


def invalid(details: list[dict[str, str]], message: str | None = None) -> ActionError:
    return ActionError(
        status=400,
        error="validation_error",
        message=str(message or INVALID_MESSAGE),
        details=details,
    )


# The body is read and parsed by the HTTP channel, before the dispatcher: its refusals
# are the HTTP layer's own errors.


def _unreadable(code: str, detail: str, message: str) -> ApiError:
    return ApiError(
        status_code=400,
        error="validation_error",
        message=message,
        details=[{"path": "", "code": code, "message": detail}],
    )


def too_large(limit: int = MAX_BODY_BYTES) -> ApiError:
    detail = _("At most %(count)s bytes.") % {"count": limit}
    return _unreadable("too_large", detail, _("The request body is too large."))


def read_body(request: HttpRequest, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request's body; one past Django's upload limit (or past `limit`, for a door
    that takes more than Django reads itself) is a 400 like any other."""
    ceiling = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if ceiling is None or limit <= ceiling:
        try:
            return request.body
        except RequestDataTooBig:
            raise too_large() from None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large(limit)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large(limit)
    return body


def parse_body(
    body: bytes, *, limit: int = MAX_BODY_BYTES, replace_surrogates: bool = False
) -> Any:
    """The JSON document in `body`, or a 400 that says what is wrong with it."""
    if len(body) > limit:
        raise too_large(limit)
    try:
        return strictjson.loads(body, replace_surrogates=replace_surrogates)
    except strictjson.MalformedJSON as exc:
        raise _unreadable(
            "malformed_json", exc.message, _("The request body is not valid JSON.")
        ) from None


def problems(
    validator: Draft202012Validator, instance: Any, prefix: str = ""
) -> list[dict[str, str]]:
    """Every way `instance` breaks the schema, as [{"path", "code", "message"}]."""
    seen: set[tuple[str, str]] = set()
    details = []
    for error in validator.iter_errors(instance):
        for detail in _describe(error, prefix):
            if (detail["path"], detail["code"]) not in seen:
                seen.add((detail["path"], detail["code"]))
                details.append(detail)
    return sorted(details, key=lambda d: d["path"])


def _path(prefix: str, parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in (prefix, *parts) if p != "")


def _describe(error: SchemaError, prefix: str) -> list[dict[str, str]]:
    path = _path(prefix, error.absolute_path)
    keyword, schema = error.validator, error.schema
    instance: Any = error.instance
    value: Any = error.validator_value
    if not isinstance(schema, dict):
        schema = {}
    if keyword == "required":
        missing = [p for p in value if p not in instance]
        return [
            {"path": _path(path, [p]), "code": "required", "message": _("This field is required.")}
            for p in missing
        ]
    if keyword == "additionalProperties":
        known = set(schema.get("properties", {}))
        return [
            {"path": _path(path, [p]), "code": "unknown_field", "message": _("No such field.")}
            for p in sorted(set(instance) - known)
        ]
    if keyword == "oneOf" and all(set(s) == {"required"} for s in value):
        names = _(" or ").join(n for s in value for n in s["required"])
        message = _("Give exactly one of %(names)s.") % {"names": names}
        return [{"path": path, "code": "one_of", "message": message}]
    if keyword in {"anyOf", "oneOf"}:
        if isinstance(instance, Decimal):
            code, message = "float_not_allowed", _("A JSON float is not accepted here.")
        else:
            code, message = "invalid", _("This value is not valid.")
        return [{"path": path, "code": code, "message": _with_hint(message, schema)}]
    if keyword == "type":
        types: list[str] = [value] if isinstance(value, str) else list(value)
        wanted = _(" or ").join(str(TYPE_NAMES.get(n, n)) for n in types)
        message = _("Expected %(types)s.") % {"types": wanted}
        return [{"path": path, "code": "invalid_type", "message": message}]
    if keyword in {"enum", "const"}:
        choices = value if keyword == "enum" else [value]
        listed = ", ".join(str(c) for c in choices)
        message = _("Expected one of: %(choices)s.") % {"choices": listed}
        return [{"path": path, "code": "invalid_choice", "message": message}]
    if keyword in {"pattern", "format"}:
        return [
            {
                "path": path,
                "code": "invalid_format",
                "message": _with_hint(_("The value is not in the expected form."), schema),
            }
        ]
    if keyword == "minLength":
        if value == 1:
            return [{"path": path, "code": "blank", "message": _("This field may not be empty.")}]
        message = _("At least %(count)s characters.") % {"count": value}
        return [{"path": path, "code": "too_short", "message": message}]
    if keyword == "maxLength":
        message = _("At most %(count)s characters.") % {"count": value}
        return [{"path": path, "code": "too_long", "message": message}]
    if keyword in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        message = _("The number is out of range.")
        return [{"path": path, "code": "out_of_range", "message": message}]
    return [{"path": path, "code": str(keyword), "message": _("This value is not valid.")}]


def description(schema: dict[str, Any], language: str) -> str | None:
    """The schema's description in `language`: `description` is English, and each other
    language's sits beside it as `x-description-<language>`. None when it has none in that
    language: an English one is no hint for a Russian reader, and would mix the languages."""
    text = schema.get("description") if language == SCHEMA_LANGUAGE else None
    text = schema.get(f"x-description-{language}", text)
    return str(text) if text is not None else None


def _with_hint(message: str, schema: dict[str, Any]) -> str:
    """The message and the field's description, when it has one in the reader's language."""
    hint = description(schema, get_language() or SCHEMA_LANGUAGE)
    return f"{message} {hint}" if hint else message
