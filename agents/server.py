"""Kopilka's MCP server: the registry's actions as tools, a few resources and prompts.

Built on the SDK's low-level `Server`, served over Streamable HTTP at /mcp, stateless,
with JSON responses. Every call is admitted (`botapi.admission`: the token was
authenticated by `agents.auth`, each call counts against its rate limit) and goes
through `perform` with source `mcp`: validation, scopes, idempotency and audit are the
dispatcher's, as for every other channel; the tool result is the action's result as the
contract's JSON, and a refusal comes back as a tool result with `isError` and the
contract's `{error, message, details}`. Django's ORM is synchronous, so each call's database work
runs in Django's thread (`sync_to_async`), never on the event loop.
"""

import json
from collections.abc import Callable
from typing import Any, TypeVar

import mcp_types as types
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.types import ASGIApp

from agents import guard, prompts, tools
from agents.auth import SCOPE_KEY, Authenticated, TokenAuthentication
from audit import context
from audit.models import Source
from botapi import admission, dispatch, snippets
from botapi.actions import ACTIONS, LARGEST_BODY
from botapi.caller import Caller
from core.errors import ActionError, ApiError, is_outage

PATH = snippets.MCP_PATH
NAME = "kopilka"
T = TypeVar("T")

CATEGORIES_URI = "kopilka://categories"
SUMMARY_URI = "kopilka://summary/current-month"


def caller_of(ctx: ServerRequestContext[Any, Any]) -> Authenticated:
    """The authenticated caller TokenAuthentication put in the request's scope."""
    request = ctx.request
    caller = request.scope.get(SCOPE_KEY) if request is not None else None
    if not isinstance(caller, Authenticated):  # only without the middleware in front
        raise MCPError(types.INVALID_REQUEST, "Not authenticated.")
    return caller


async def in_django(caller: Authenticated, work: Callable[[], T]) -> T:
    """Run `work` in Django's thread, as one request: fresh connections, the audit context."""

    def run() -> T:
        close_old_connections()
        token = context.activate(caller.request_context)
        try:
            with translation.override(caller.language):
                return work()
        except Exception as exc:
            if is_outage(exc):
                raise guard.unavailable(PATH, exc) from None
            raise
        finally:
            context.deactivate(token)
            close_old_connections()

    return await sync_to_async(run, thread_sensitive=True)()


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, default=str)


def perform(caller: Authenticated, call: tools.Call) -> dispatch.Performed:
    """One action for the caller, within its token's rate limit; or an ActionError, or
    the door's own refusal (ApiError: 429)."""
    entry = admission.Admission(caller.request, source=Source.MCP)
    entry.audit.action = call.action if call.action in ACTIONS else ""
    try:
        entry.admit(caller.token)
    except ApiError as exc:
        entry.refused(exc)
        raise
    return entry.perform(
        Caller.for_token(caller.token, source=Source.MCP, language=caller.language),
        dispatch.envelope(
            action=call.action, payload=call.payload, key=call.key, dry_run=call.dry_run
        ),
    )


REPLAYED_META = "kopilka/replayed"


def tool_result(caller: Authenticated, call: tools.Call) -> types.CallToolResult:
    try:
        performed = perform(caller, call)
    except (ActionError, ApiError) as exc:
        error = admission.refusal_body(exc)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=_dump(error))],
            structured_content=error,
            is_error=True,
        )
    body = performed.body
    result = types.CallToolResult(
        content=[types.TextContent(type="text", text=_dump(body))],
        structured_content=body,
        is_error=False,
    )
    if performed.replayed:
        # A retry's answer is the first one's, as the bot endpoint's Idempotent-Replayed says.
        result.meta = {REPLAYED_META: True}
    return result


async def list_tools(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    caller = caller_of(ctx)
    return types.ListToolsResult(tools=tools.tool_list(caller.language))


async def call_tool(
    ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    caller = caller_of(ctx)
    call = tools.call(params.name, params.arguments)
    return await in_django(caller, lambda: tool_result(caller, call))


def _resources() -> list[tuple[str, str, str, str]]:
    """(uri, name, action, description) of each resource, described in the active language."""
    return [
        (CATEGORIES_URI, "categories", "list_categories", _("Your categories with their ids.")),
        (SUMMARY_URI, "summary", "get_summary", _("This month's income, expenses and budget.")),
    ]


async def list_resources(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> types.ListResourcesResult:
    caller = caller_of(ctx)
    with translation.override(caller.language):
        resources = [
            types.Resource(uri=uri, name=name, description=text, mime_type="application/json")
            for uri, name, _action, text in _resources()
        ]
    return types.ListResourcesResult(resources=resources)


def read(caller: Authenticated, uri: str) -> types.ReadResourceResult:
    action = next((a for u, _n, a, _t in _resources() if u == uri), None)
    if action is None:
        raise MCPError(types.INVALID_PARAMS, _("No such resource: %(uri)s") % {"uri": uri})
    try:
        result = perform(caller, tools.call(action, {})).result
    except (ActionError, ApiError) as exc:
        raise MCPError(
            types.INVALID_REQUEST, exc.message, data=admission.refusal_body(exc)
        ) from None
    text = _dump(result)
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=uri, mime_type="application/json", text=text)]
    )


async def read_resource(
    ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
) -> types.ReadResourceResult:
    caller = caller_of(ctx)
    return await in_django(caller, lambda: read(caller, str(params.uri)))


async def list_prompts(
    ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
) -> types.ListPromptsResult:
    caller = caller_of(ctx)
    with translation.override(caller.language):
        return types.ListPromptsResult(prompts=prompts.prompt_list())


async def get_prompt(
    ctx: ServerRequestContext[Any, Any], params: types.GetPromptRequestParams
) -> types.GetPromptResult:
    caller = caller_of(ctx)
    with translation.override(caller.language):
        return prompts.get(params.name, params.arguments or {}, caller.token.user.today())


def instructions() -> str:
    return (
        "Kopilka keeps a person's expenses, incomes and monthly budget. Pass the person's "
        "own words to create_expense or create_income unchanged; the server finds the "
        "amount, currency, date and category. A failed call returns {error, message, "
        "details}: fix what details names and call again. When you retry a call that may "
        "have gone through, pass the idempotency_key of the first attempt."
    )


def build_server() -> Server[Any]:
    return Server(
        NAME,
        version="1",
        title="Kopilka",
        instructions=instructions(),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )


def transport_security() -> TransportSecuritySettings:
    """The SDK's Host and Origin checks (DNS rebinding), allowing what ALLOWED_HOSTS does."""
    hosts: list[str] = []
    origins: list[str] = []
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            return TransportSecuritySettings(enable_dns_rebinding_protection=False)
        # The SDK matches exact names (and any port): ".example.org" admits the domain itself.
        name = host.lstrip(".")
        hosts += [name, f"{name}:*"]
        origins += [
            f"{scheme}://{name}{port}" for scheme in ("http", "https") for port in ("", ":*")
        ]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def build_app() -> ASGIApp:
    """The ASGI application `serve_mcp` runs: JSON for every error (`guard`), token
    authentication, then the SDK's transport."""
    app = build_server().streamable_http_app(
        streamable_http_path=PATH,
        json_response=True,
        stateless_http=True,
        transport_security=transport_security(),
        # As much as the largest action takes: record_receipt carries a photo.
        max_request_body_size=LARGEST_BODY,
    )
    return guard.Guard(TokenAuthentication(app, path=PATH))
