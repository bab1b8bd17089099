"""What the bot API's tests share: requests in-process, and a clean rate-limit slate."""

import json
import uuid
from typing import Any

from django.db.models import QuerySet
from django.test import Client

from audit.models import AuditLog
from config.testing import BaseTestCase, clear_cache

URL = "/api/bot/actions"


def clear_rate_limits() -> None:
    """Forget every rate-limit counter, so that earlier tests' requests do not count."""
    clear_cache()


def envelope(action: str, payload: Any, key: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "action": action,
        "payload": payload,
        "idempotency_key": key or str(uuid.uuid4()),
        **extra,
    }


class BotTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_rate_limits()

    def post(
        self, body: Any, *, token: str | None = None, raw: bool = False, **headers: Any
    ) -> Any:
        """POST `body` (JSON-encoded unless `raw`) with alice's full-scope token by default."""
        data = body if raw else json.dumps(body)
        if token is None:
            token = self.alice_token.raw
        if token:
            headers["HTTP_X_BOT_TOKEN"] = token
        client: Client = self.client
        return client.post(URL, data=data, content_type="application/json", **headers)

    def act(self, action: str, payload: Any, *, token: str | None = None, **extra: Any) -> Any:
        return self.post(envelope(action, payload, **extra), token=token)

    def assert_error(
        self, response: Any, status: int, error: str, details: list[tuple[str, str]] | None = None
    ) -> dict[str, Any]:
        self.assertEqual(response.status_code, status, response.content)
        body: dict[str, Any] = response.json()
        self.assertEqual(body["error"], error)
        self.assertTrue(body["message"])
        if details is not None:
            self.assertEqual([(d["path"], d["code"]) for d in body.get("details", [])], details)
        return body

    def request_row(self) -> AuditLog:
        """The audit row of the last bot request (the services' own rows have no status)."""
        return request_rows().latest("id")


def request_rows() -> QuerySet[AuditLog]:
    return AuditLog.objects.filter(source="bot", status_code__isnull=False)
