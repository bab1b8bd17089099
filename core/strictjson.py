"""One strict JSON reader for every JSON door (the bot endpoint and the DRF API).

Python's `json` accepts what JSON (RFC 8259) does not or what we cannot store: NaN and
Infinity, duplicate keys (the last one silently wins), integers of thousands of digits
(slow to convert, then refused by `int()`), nesting deep enough to exhaust the stack and
lone surrogates. Each is refused here with a message that says which it was.
"""

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far beyond any real request; deeper documents are refused before they reach a serializer.
MAX_DEPTH = 32
# What `json` leaves of "\ud800" (a pair it makes into one character).
_SURROGATE = re.compile("[\ud800-\udfff]")
# Amounts have at most 14 digits; ids and years far fewer.
MAX_NUMBER_CHARS = 40


class MalformedJSON(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedJSON(
                _("Duplicate key %(key)r: each key may appear once.") % {"key": key}
            )
        result[key] = value
    return result


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise MalformedJSON(
            _("A number may have at most %(count)s digits.") % {"count": MAX_NUMBER_CHARS}
        )
    return int(text)


def _float(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise MalformedJSON(
            _("A number may have at most %(count)s digits.") % {"count": MAX_NUMBER_CHARS}
        )
    return Decimal(text)


def _constant(name: str) -> Any:
    raise MalformedJSON(_("%(name)s is not a JSON number.") % {"name": name})


def _depth(data: Any) -> int:
    """How deeply `data` nests, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _encodable(data: Any) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")
        elif isinstance(item, dict):
            for key in item:
                key.encode("utf-8")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _replaced(data: Any) -> Any:
    """`data` with every lone surrogate in its strings made U+FFFD (nesting is bounded)."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data)
    if isinstance(data, dict):
        return {_replaced(k): _replaced(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_replaced(v) for v in data]
    return data


def loads(body: bytes, *, replace_surrogates: bool = False) -> Any:
    """The JSON document in `body` (floats as Decimal), or MalformedJSON saying what is wrong.
    `replace_surrogates`: a lone surrogate is made U+FFFD instead of refused (a door that
    must answer what a person typed, such as a messenger's webhook)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJSON(_("The body is not UTF-8.")) from None
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except MalformedJSON:
        raise
    except json.JSONDecodeError as exc:
        raise MalformedJSON(
            _("Not JSON from line %(line)s, column %(column)s on.")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None
    except RecursionError:
        raise MalformedJSON(
            _("The document nests more than %(count)s levels deep.") % {"count": MAX_DEPTH}
        ) from None
    if _depth(data) > MAX_DEPTH:
        raise MalformedJSON(
            _("The document nests more than %(count)s levels deep.") % {"count": MAX_DEPTH}
        )
    try:
        _encodable(data)
    except UnicodeEncodeError:
        if replace_surrogates:
            return _replaced(data)
        # "\ud800" parses but cannot be stored, logged or echoed as UTF-8.
        raise MalformedJSON(_("A string holds a lone surrogate (\\ud800-\\udfff).")) from None
    return data


class StrictJSONParser(JSONParser):
    """DRF's JSON parser on `loads`: the API's every JSON body is read the same way."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # DRF reads the stream itself, past Django's own size check on request.body.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise ParseError(f"The body may have at most {limit} bytes.", code="too_large")
        try:
            return loads(body)
        except MalformedJSON as exc:
            raise ParseError(exc.message, code="malformed_json") from None
