"""schemathesis against the OpenAPI document, over gunicorn: no 5xx, no response that
breaks the document. Bounded and derandomized so that `make test` stays fast and stable."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.test import TransactionTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from botapi.tests.live import LiveServer, serve

EXAMPLES = 60
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="class")
def fuzz_server(request: Any, django_db_setup: Any) -> Iterator[None]:
    # Limits high enough that the fuzzer explores the actions rather than the 429.
    for server in serve(
        WEB_CONCURRENCY="2",
        BOT_RATELIMIT_TOKEN="100000/m",
        BOT_RATELIMIT_FAILED_AUTH_IP="100000/m",
        GUNICORN_ACCESS_LOG="/dev/null",
    ):
        request.cls.server = server
        yield


@pytest.mark.usefixtures("fuzz_server")
class OpenApiFuzzTestCase(TransactionTestCase):
    server: LiveServer

    def setUp(self) -> None:
        alice = user_create(username="alice", password=None, source="cli")
        self.token = api_token_create(
            user=alice, name="fuzz", scopes=Scope.values, source="cli"
        ).raw
        self.schema = schemathesis.openapi.from_url(f"{self.server.url}/api/schema/")

    def fuzz(
        self,
        method: str,
        path: str,
        mode: GenerationMode,
        token: bool = True,
        examples: int = EXAMPLES,
    ) -> None:
        operation = self.schema[path][method]
        headers = {"X-Bot-Token": self.token} if token else {}

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data: Any) -> None:
            case = data.draw(operation.as_strategy(generation_mode=mode))
            response = case.call(base_url=self.server.url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        run()

    def test_actions_with_valid_data(self) -> None:
        self.fuzz("POST", "/api/bot/actions", GenerationMode.POSITIVE)

    def test_actions_with_invalid_data(self) -> None:
        self.fuzz("POST", "/api/bot/actions", GenerationMode.NEGATIVE)

    def test_actions_without_a_token(self) -> None:
        self.fuzz("POST", "/api/bot/actions", GenerationMode.POSITIVE, token=False)

    def test_the_registry(self) -> None:
        self.fuzz("GET", "/api/bot/schema", GenerationMode.POSITIVE)
