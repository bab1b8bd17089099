"""One language per answer (issue 20): every error each door gives, asked for in Russian
and in English, holds no sentence of the other language.

The walk is built from what the project declares, so that what is added later is walked
without touching this file: every bot action of the registry with bad values in each of
its schema's fields (and values the schema admits that its handler refuses), through the
bot endpoint and as MCP tool calls; every operation of the JSON API's OpenAPI document;
the webhooks' refusals; and every form of every cabinet page (test_one_language_cabinet).
"""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.test import Client, RequestFactory, override_settings
from django.utils import translation
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ApiToken, Scope
from accounts.services import api_token_create
from agents import server, tools
from agents.auth import Authenticated, check
from audit import context
from botapi import schemas
from botapi.actions import ACTIONS, envelope_schema
from botapi.tests.helpers import URL, clear_rate_limits
from config.tests.languages import messages_of, mixed
from ledgers.models import Membership
from ledgers.tests.household import HouseholdTestCase
from messaging.tests.helpers import TELEGRAM_SETTINGS
from messaging.tests.whatsapp import TWILIO

LANGUAGES = ("ru", "en")
# Values for any field: of every JSON type, at and past every usual limit, in and out of
# the usual forms. Some a schema admits and a handler refuses (an unknown currency, a
# transaction that is not there, a text with no amount), some nothing admits.
BAD_VALUES: list[Any] = [
    None,
    True,
    [],
    {},
    [1],
    -1,
    0,
    1.5,
    999_999,
    2**63,
    "",
    " ",
    "zz",
    "ZZZ",
    "\u0000",
    "x" * 1001,
    "2026-02-30",
    "1900-01",
    "2026-13",
    "2026-11",
    "0",
    "-5",
    "1e3",
    "999999999999.99",
    "кофе",
    "coffee 250",
    "кофе 250 в евро",
]
# Bodies the strict reader refuses (the bot endpoint's envelope, the JSON API's bodies).
BAD_BODIES: list[bytes] = [
    b"",
    b"{",
    b"[]",
    b'"x"',
    b'{"a": 1, "a": 2}',
    b"\xff\xfe",
    b'{"n": NaN}',
    b'{"n": 1' + b"0" * 400 + b"}",
    b"[" * 600 + b"]" * 600,
    b'"\\ud800"',
]
RATE = override_settings(BOT_RATELIMIT_TOKEN="100000/m", BOT_RATELIMIT_FAILED_AUTH_IP="100000/m")


def with_value(document: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of `document` with `value` at `path` (a key or an index at each step)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict) or isinstance(head, str):
        # (An object the example leaves out, such as a split, is made for the field.)
        base = document if isinstance(document, dict) else {}
        return {**base, str(head): with_value(base.get(str(head)), rest, value)}
    items = list(document) if isinstance(document, list) else []
    while len(items) <= int(head):
        items.append(None)
    items[int(head)] = with_value(items[int(head)], rest, value)
    return items


def without(document: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    if len(path) == 1:
        return {k: v for k, v in document.items() if k != path[0]}
    inner = document.get(str(path[0]))
    if not isinstance(inner, dict):
        return document
    return {**document, str(path[0]): without(inner, path[1:])}


def fields(
    schema: dict[str, Any], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    """The path of every field `schema` describes, nested objects and arrays' items too."""
    for name, sub in (schema.get("properties") or {}).items():
        yield (*path, name)
        if isinstance(sub, dict):
            yield from fields(sub, (*path, name))
    items = schema.get("items")
    if isinstance(items, dict):
        yield from fields(items, (*path, 0))
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        if isinstance(alternative, dict):
            yield from fields(alternative, path)


def payloads(schema: dict[str, Any], example: dict[str, Any]) -> Iterator[Any]:
    """An action's payloads for the walk: not objects, each field missing, an unknown field,
    and each field holding each of BAD_VALUES."""
    yield from ([], "x", 1, None, {})
    yield {**example, "zz_unknown": 1}
    seen: set[tuple[str | int, ...]] = set()
    for path in fields(schema):
        if path in seen:
            continue
        seen.add(path)
        if path in {(name,) for name in example}:
            yield without(example, path)
        for value in BAD_VALUES:
            yield with_value(example, path, value)


class WalkTestCase(HouseholdTestCase):
    """Collects every text that is not in the language asked for, and what was walked."""

    def setUp(self) -> None:
        clear_rate_limits()
        self.problems: dict[str, str] = {}
        self.walked: Counter[str] = Counter()

    def see(self, where: str, texts: list[str], language: str, sent: Any = None) -> None:
        """`sent`: a value of the request, which an answer may repeat as it was."""
        self.walked[where] += 1
        if isinstance(sent, str) and sent.strip():
            texts = [text.replace(sent, "“…”") for text in texts]
        for problem in mixed(texts, language):
            # Each wrong text once, with the first request that gave it.
            self.problems.setdefault(f"[{language}] {problem}", where)

    def assert_one_language(self) -> None:
        if self.problems:
            lines = [
                f"{problem}\n    from {where}" for problem, where in sorted(self.problems.items())
            ]
            self.fail(f"{len(lines)} texts not in the language asked for:\n" + "\n".join(lines))


@RATE
class BotAndMcpTestCase(WalkTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.token = api_token_create(
            user=self.alice, name="walk", scopes=Scope.values, source="cli"
        )
        self.tx = self.spend(self.alice, "123")

    def example(self, name: str) -> dict[str, Any]:
        example = dict(ACTIONS[name].example)
        if "transaction_id" in example:
            example["transaction_id"] = self.tx.pk
        return example

    def bot(self, body: Any, language: str, *, token: str | None = None, raw: bool = False) -> Any:
        headers: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language}
        if token is None:
            token = self.token.raw
        if token:
            headers["HTTP_X_BOT_TOKEN"] = token
        data = body if raw else json.dumps(body)
        return self.client.post(URL, data=data, content_type="application/json", **headers)

    def see_answer(self, where: str, response: Any, language: str) -> dict[str, Any]:
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            self.see(where, messages_of(body), language)
        else:
            warnings = (body.get("result") or {}).get("warnings") or []
            self.see(where, [w["message"] for w in warnings], language)
        return body

    def envelope(self, action: Any, payload: Any, **extra: Any) -> dict[str, Any]:
        return {"action": action, "payload": payload, "idempotency_key": str(uuid.uuid4()), **extra}

    def test_every_action_with_bad_payloads_through_the_bot_endpoint(self) -> None:
        errors: Counter[str] = Counter()
        for language in LANGUAGES:
            for name, action in ACTIONS.items():
                for payload in payloads(action.schema, self.example(name)):
                    response = self.bot(self.envelope(name, payload), language)
                    body = self.see_answer(f"bot {name} {payload!r:.80}", response, language)
                    if response.status_code >= 400:
                        errors[name] += 1
                        errors[body["error"]] += 1
                if action.dry_run:
                    body = self.envelope(name, self.example(name), dry_run=True)
                    self.see_answer(f"bot {name} dry run", self.bot(body, language), language)
                else:
                    body = self.envelope(name, self.example(name), dry_run=True)
                    self.see_answer(f"bot {name} no dry run", self.bot(body, language), language)
        for name in ACTIONS:
            # At least the five payloads that are no object, in both languages (an action
            # with few fields, such as list_recurring, has few more to refuse).
            self.assertGreaterEqual(errors[name], 10, name)
        self.assertGreater(errors["validation_error"], 100)
        self.assert_one_language()

    def test_every_envelope_refusal_through_the_bot_endpoint(self) -> None:
        example = self.envelope("get_summary", {})
        envelope = envelope_schema()
        for language in LANGUAGES:
            for path in fields(envelope):
                self.see_answer(
                    f"bot envelope without {path}",
                    self.bot(without(example, path), language),
                    language,
                )
                for value in BAD_VALUES:
                    body = with_value(example, path, value)
                    self.see_answer(
                        f"bot envelope {path}={value!r:.40}", self.bot(body, language), language
                    )
            self.see_answer("bot unknown field", self.bot({**example, "zz": 1}, language), language)
            for raw in [*BAD_BODIES, b"x" * (schemas.MAX_BODY_BYTES + 1)]:
                response = self.bot(raw, language, raw=True)
                self.see_answer(f"bot body {raw[:20]!r}", response, language)
            key = str(uuid.uuid4())
            for text in ("кофе 100", "кофе 200"):
                body = {**self.envelope("create_expense", {"text": text}), "idempotency_key": key}
                self.see_answer("bot key reused", self.bot(body, language), language)
            for token in ("", "nonsense", "kop_" + "A" * 40, self.alice_readonly_token.raw):
                for name in ACTIONS:
                    response = self.bot(
                        self.envelope(name, self.example(name)), language, token=token
                    )
                    self.see_answer(f"bot token {token[:8]!r} {name}", response, language)
            response = self.client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
            self.see_answer("bot GET", response, language)
        self.assert_one_language()

    def test_a_ledgers_refusals_and_the_rate_limit(self) -> None:
        # dave reads "Home" but may not write to it; carol's token outlived her membership.
        reader = api_token_create(
            user=self.dave, ledger=self.home, name="all", scopes=Scope.values, source="cli"
        ).raw
        stranger = api_token_create(
            user=self.carol, ledger=self.home, name="old", scopes=Scope.values, source="cli"
        ).raw
        Membership.objects.filter(ledger=self.home, user=self.carol).delete()
        for language in LANGUAGES:
            for token in (reader, stranger):
                for name in ACTIONS:
                    response = self.bot(
                        self.envelope(name, self.example(name)), language, token=token
                    )
                    self.see_answer(f"bot ledger {name}", response, language)
            with override_settings(BOT_RATELIMIT_TOKEN="1/m"):
                clear_rate_limits()
                for _ in range(2):
                    response = self.bot(self.envelope("get_summary", {}), language)
                self.assertEqual(response.status_code, 429)
                self.see_answer("bot rate limit", response, language)
            with override_settings(BOT_RATELIMIT_FAILED_AUTH_IP="1/m"):
                clear_rate_limits()
                for _ in range(2):
                    response = self.bot(self.envelope("get_summary", {}), language, token="bad")
                self.assertEqual(response.status_code, 429)
                self.see_answer("bot failed authentications", response, language)
            clear_rate_limits()
        self.assert_one_language()

    def mcp_caller(self, token: ApiToken, language: str) -> Authenticated:
        request = RequestFactory().post("/mcp", HTTP_ACCEPT_LANGUAGE=language)
        ctx = context.RequestContext(request_id=uuid.uuid4().hex, client_ip="127.0.0.1")
        return Authenticated(token, language, request, ctx)

    def tool(self, caller: Authenticated, name: str, arguments: Any) -> dict[str, Any]:
        # What agents.server.in_django does around a call, but the database connection
        # (this test's transaction) left as it is.
        with translation.override(caller.language):
            result = server.tool_result(caller, tools.call(name, arguments))
        body: dict[str, Any] = result.structured_content or {}
        return body

    def test_every_action_with_bad_arguments_as_mcp_tools(self) -> None:
        token = ApiToken.objects.get(pk=self.token.token.pk)
        readonly = ApiToken.objects.get(pk=self.alice_readonly_token.token.pk)
        failed = 0
        for language in LANGUAGES:
            caller = self.mcp_caller(token, language)
            for name, action in ACTIONS.items():
                for arguments in payloads(action.schema, self.example(name)):
                    body = self.tool(caller, name, arguments)
                    if "error" in body:
                        failed += 1
                        self.see(f"mcp {name} {arguments!r:.80}", messages_of(body), language)
                for key in BAD_VALUES:
                    body = self.tool(caller, name, {**self.example(name), "idempotency_key": key})
                    self.see(f"mcp {name} key {key!r:.40}", messages_of(body), language)
                body = self.tool(caller, name, {**self.example(name), "dry_run": "yes"})
                self.see(f"mcp {name} dry_run", messages_of(body), language)
                body = self.tool(self.mcp_caller(readonly, language), name, self.example(name))
                self.see(f"mcp {name} read-only token", messages_of(body), language)
            body = self.tool(caller, "no_such_tool", {})
            self.assertEqual(body["error"], "validation_error")
            self.see("mcp unknown tool", messages_of(body), language)
        self.assertGreater(failed, 100)
        self.assert_one_language()

    @mock.patch("agents.auth.close_old_connections")  # keep this test's transaction
    def test_mcp_authentication_refusals(self, _close: Any) -> None:
        for language in LANGUAGES:
            for headers in (
                [],
                [(b"authorization", b"Bearer nonsense")],
                [(b"authorization", b"Bearer kop_" + b"A" * 40)],
                [(b"x-bot-token", b"nonsense")],
            ):
                scope = {
                    "type": "http",
                    "method": "POST",
                    "path": "/mcp",
                    "query_string": b"",
                    "headers": [(b"accept-language", language.encode()), *headers],
                    "client": ("203.0.113.9", 4000),
                    "server": ("testserver", 80),
                }
                refusal = check(scope)
                self.assertFalse(isinstance(refusal, Authenticated))
                self.see(
                    f"mcp 401 {headers!r:.40}", messages_of(getattr(refusal, "body", {})), language
                )
        self.assert_one_language()


class WebhooksTestCase(WalkTestCase):
    def refusal(self, where: str, response: Any, language: str) -> None:
        self.assertGreaterEqual(response.status_code, 400, where)
        self.see(where, messages_of(response.json()), language)

    def test_the_webhooks_refusals(self) -> None:
        hooks = ("/webhooks/telegram/", "/webhooks/whatsapp/", "/webhooks/whatsapp/status/")
        for language in LANGUAGES:
            header: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language}
            for url in hooks:  # both messengers switched off
                self.refusal(f"off {url}", self.client.post(url, **header), language)
                self.refusal(f"GET {url}", self.client.get(url, **header), language)
            with override_settings(**TELEGRAM_SETTINGS), TWILIO:
                for url in hooks:  # on, but not proven
                    response = self.client.post(
                        url, data="{}", content_type="application/json", **header
                    )
                    self.refusal(f"unproven {url}", response, language)
                response = self.client.post(
                    hooks[0],
                    data="{}",
                    content_type="application/json",
                    HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="wrong",
                    **header,
                )
                self.refusal("wrong secret", response, language)
        self.assert_one_language()


class JsonApiTestCase(WalkTestCase):
    """Every operation of the OpenAPI document but the bot's (walked above)."""

    def setUp(self) -> None:
        super().setUp()
        self.tx = self.spend(self.alice, "123")
        self.ids = {
            "tx_id": self.tx.pk,
            "category_id": self.home_category("cafe").pk,
            "ledger_id": self.home.pk,
            "item_id": 999_999,
        }
        document = self.client.get("/api/schema/?format=json")
        self.document: dict[str, Any] = document.json()

    def resolve(self, schema: Any) -> dict[str, Any]:
        while isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.document["components"]["schemas"][name]
        return schema if isinstance(schema, dict) else {}

    def body_fields(self, operation: dict[str, Any]) -> list[str]:
        content = operation.get("requestBody", {}).get("content", {})
        schema = self.resolve(content.get("application/json", {}).get("schema"))
        names: list[str] = list(schema.get("properties", {}))
        for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
            names += [n for n in self.resolve(alternative).get("properties", {}) if n not in names]
        return names

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(method, path with its {parameters}, operation) of each operation to walk."""
        for path, methods in self.document["paths"].items():
            if not path.startswith("/api/bot/"):
                for method, operation in methods.items():
                    yield method, path, operation

    def url(self, path: str, value: Any = None) -> str:
        """`path` naming alice's objects, or `value` in every parameter."""
        for name, own in self.ids.items():
            path = path.replace("{" + name + "}", str(own if value is None else value))
        return path

    def call(
        self, client: Client, method: str, url: str, body: Any = None, *, raw: bool = False
    ) -> Any:
        if method in {"get", "head", "options"}:
            return getattr(client, method)(url)
        data = body if raw else json.dumps(body if body is not None else {})
        return getattr(client, method)(url, data=data, content_type="application/json")

    def answer(self, where: str, response: Any, language: str, sent: Any = None) -> None:
        if response.status_code >= 400:
            self.see(where, messages_of(response.json()), language, sent)

    def test_every_operation_with_bad_input(self) -> None:
        access = RefreshToken.for_user(self.alice).access_token
        for language in LANGUAGES:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_ACCEPT_LANGUAGE=language)
            for method, path, operation in self.operations():
                url, where = self.url(path), f"{method.upper()} {path}"
                queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                for name in [*queries, "ledger", "page", "page_size"]:
                    for value in BAD_VALUES:
                        if isinstance(value, str | int) and not isinstance(value, bool):
                            query = f"{url}?{urlencode({name: value})}"
                            response = self.call(client, method, query)
                            # A form's "Select a valid choice. X is not..." repeats X bare.
                            self.answer(f"{where} ?{name}", response, language, str(value))
                if method in {"post", "put", "patch"}:
                    for raw in BAD_BODIES:
                        response = self.call(client, method, url, raw, raw=True)
                        self.answer(f"{where} body {raw[:20]!r}", response, language)
                    for name in self.body_fields(operation):
                        for value in BAD_VALUES:
                            response = self.call(client, method, url, {name: value})
                            self.answer(f"{where} {name}={value!r:.40}", response, language, value)
                if "{" in path:
                    for value in (999_999, 0):
                        response = self.call(client, method, self.url(path, value), {})
                        self.answer(f"{where} of nothing", response, language)
            self.answer("GET /api/nothing/", client.get("/api/nothing/"), language)
        self.assertGreater(self.walked["GET /api/transactions/ ?month"], 10)
        self.assert_one_language()

    def test_every_operation_unauthenticated(self) -> None:
        refresh = RefreshToken.for_user(self.alice)
        for language in LANGUAGES:
            anonymous = Client(HTTP_ACCEPT_LANGUAGE=language)
            forged = Client(HTTP_AUTHORIZATION="Bearer x.y.z", HTTP_ACCEPT_LANGUAGE=language)
            refreshing = Client(
                HTTP_AUTHORIZATION=f"Bearer {refresh}", HTTP_ACCEPT_LANGUAGE=language
            )
            bodies = [
                {},
                {"username": "alice", "password": "wrong"},
                {"username": "", "password": ""},
                {"refresh": "x.y.z"},
                {"refresh": str(refresh.access_token)},
            ]
            for method, path, _operation in self.operations():
                url = self.url(path)
                if path.startswith("/api/auth/"):
                    for body in bodies:
                        response = self.call(anonymous, method, url, body)
                        self.answer(f"{method} {path} {body}", response, language)
                    continue
                for who, client in (
                    ("anonymous", anonymous),
                    ("forged", forged),
                    ("refresh", refreshing),
                ):
                    self.answer(f"{who} {method} {path}", self.call(client, method, url), language)
        self.assertGreater(len(self.walked), 20)
        self.assert_one_language()
