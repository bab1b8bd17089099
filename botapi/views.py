"""The bot endpoint: one view, the registry, and the audit row of every request.

The steps (design.md, "The bot endpoint, step by step"): authenticate, rate-limit,
validate the envelope, look up the action and check the scope, validate the payload,
run it once per idempotency key, and write the request's audit row.
"""

import time
from collections.abc import Iterable
from typing import Any, cast

from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from botapi import actions, auth, ratelimit, schemas, services
from botapi.actions import Action


class JSONOnly(BaseContentNegotiation):
    """Always answer JSON: a machine client's odd Accept header is no reason for a 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def parse_envelope(body: bytes) -> tuple[Action, dict[str, Any]]:
    """The action and the envelope, or a 400 listing every problem with both."""
    envelope = schemas.parse_body(body)
    details = schemas.problems(actions.ENVELOPE, envelope)
    for detail in details:
        if detail["path"] == "action" and detail["code"] == "invalid_choice":
            detail["code"] = "unknown_action"
    if details:
        # The payload's own problems too, when the action is known: every problem at once.
        action = (
            actions.ACTIONS.get(str(envelope.get("action"))) if isinstance(envelope, dict) else None
        )
        if action is not None and isinstance(envelope.get("payload"), dict):
            details += schemas.problems(action.validator, envelope["payload"], "payload")
        raise schemas.invalid(details)
    return actions.ACTIONS[envelope["action"]], envelope


class ActionView(APIView):
    """Perform one bot action. The request and responses are described from the registry."""

    authentication_classes = [auth.ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes: list[Any] = []  # the body is parsed by schemas.parse_body
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        self.bot_request = services.BotRequest()
        try:
            response = super().dispatch(request, *args, **kwargs)
        except Exception:
            services.bot_request_audit(
                request=self.bot_request,
                status_code=500,
                body=None,
                duration_ms=(time.perf_counter() - started) * 1000,
            )
            raise
        services.bot_request_audit(
            request=self.bot_request,
            status_code=response.status_code,
            body=getattr(response, "data", None),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permission: 401
        token = cast(ApiToken, request.auth)
        self.bot_request.user, self.bot_request.token = cast(User, request.user), token
        ratelimit.check_token(request._request, token)  # 429

    # The request body and responses come from the registry (botapi.openapi).
    @extend_schema(
        operation_id="bot_action",
        tags=["bot"],
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request) -> Response:
        token = cast(ApiToken, request.auth)
        action, envelope = parse_envelope(schemas.read_body(request._request))
        key, dry_run = envelope["idempotency_key"], envelope.get("dry_run", False)
        self.bot_request.action, self.bot_request.idempotency_key = action.name, key
        self.bot_request.dry_run = dry_run
        if not any(auth.has_scope(token, scope) for scope in action.scopes):
            raise auth.insufficient_scope(action.scopes, action.name)
        payload = envelope["payload"]
        details = schemas.problems(action.validator, payload, "payload")
        if dry_run and not action.dry_run:
            details.append(
                {
                    "path": "dry_run",
                    "code": "dry_run_unsupported",
                    "message": f"{action.name} has no dry run.",
                }
            )
        if details:
            raise schemas.invalid(details)
        performed = services.action_perform(
            action=action,
            user=token.user,
            token=token,
            key=key,
            payload=payload,
            dry_run=dry_run,
        )
        self.bot_request.replayed, self.bot_request.obj = performed.replayed, performed.obj
        headers = {services.REPLAYED_HEADER: "true"} if performed.replayed else None
        return Response(performed.body, status=performed.status, headers=headers)


class SchemaView(APIView):
    """The envelope and every action's schema, scope, description and example."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    @extend_schema(operation_id="bot_schema", tags=["bot"], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(actions.registry_document())
