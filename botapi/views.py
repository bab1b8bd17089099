"""The bot endpoint: an HTTP door of the dispatcher.

Its request is admitted (`botapi.admission`): DRF authenticates the token (401), the
admission rate-limits it (429) and reads the body (400), then hands the envelope to
`perform`, which does the rest; the view renders the result or the refusal as the
contract's JSON.
"""

import functools
from collections.abc import Iterable
from typing import Any, cast

from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from audit.models import Source
from botapi import actions, admission, auth, dispatch
from botapi.caller import Caller
from core.i18n import request_language


class JSONOnly(BaseContentNegotiation):
    """Always answer JSON: a machine client's odd Accept header is no reason for a 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class ActionView(APIView):
    """Perform one bot action. The request and responses are described from the registry."""

    authentication_classes = [auth.ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes: list[Any] = []  # the admission reads the body
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.admission = admission.Admission(request, source=Source.BOT)
        return self.admission.answer(functools.partial(super().dispatch, request, *args, **kwargs))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permission: 401
        self.admission.admit(cast(ApiToken, request.auth))  # 429

    # The request body and responses come from the registry (botapi.openapi).
    @extend_schema(
        operation_id="bot_action",
        tags=["bot"],
        request=OpenApiTypes.OBJECT,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request: Request) -> Response:
        token = cast(ApiToken, request.auth)
        language = request_language(request._request, token.user.language)
        with translation.override(language):
            # As much as the largest action takes (a receipt's photo), then the action's own.
            envelope = self.admission.body(limit=actions.LARGEST_BODY, within=actions.body_limit)
        caller = Caller.for_token(token, source=Source.BOT, language=language)
        performed = self.admission.perform(caller, envelope)
        headers = {dispatch.REPLAYED_HEADER: "true"} if performed.replayed else None
        return Response(performed.body, status=201 if performed.created else 200, headers=headers)


class SchemaView(APIView):
    """The envelope and every action's schema, scope, description and example."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly

    @extend_schema(operation_id="bot_schema", tags=["bot"], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(actions.registry_document())
