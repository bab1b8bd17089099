"""Django's own error answers: JSON on machine paths, pages elsewhere, 503 for outages."""

import json

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase
from redis.exceptions import ConnectionError as RedisConnectionError

from config import handlers


class HandlersTestCase(SimpleTestCase):
    factory = RequestFactory()

    def raised(self, exc: Exception, path: str) -> HttpResponse:
        """What Django answers for `exc` escaping a view at `path` (inside its except)."""
        request = self.factory.get(path)
        try:
            raise exc
        except Exception:
            return handlers.server_error(request)

    def test_a_lost_database_is_a_503_on_every_door(self) -> None:
        with self.assertLogs("kopilka.outage", "WARNING") as logs:
            for path in ["/api/categories/", "/api/bot/actions", "/webhooks/telegram/x"]:
                with self.subTest(path=path):
                    response = self.raised(OperationalError("server closed the connection"), path)
                    self.assertEqual(response.status_code, 503)
                    self.assertEqual(json.loads(response.content)["error"], "service_unavailable")
                    self.assertEqual(response["Retry-After"], str(handlers.RETRY_AFTER_SECONDS))
                    # Django's own error log (a traceback per request) is skipped.
                    self.assertTrue(response._has_been_logged)  # type: ignore[attr-defined]
        self.assertEqual(len(logs.output), 3)
        self.assertIn("server closed the connection", logs.output[0])

    def test_the_cabinet_gets_a_page(self) -> None:
        with self.assertLogs("kopilka.outage", "WARNING"):
            response = self.raised(RedisConnectionError("Connection refused"), "/budget/")
        self.assertEqual(response.status_code, 503)
        self.assertIn(b"<html", response.content)
        self.assertIn("Retry-After", response)

    def test_an_outage_behind_another_error_is_still_an_outage(self) -> None:
        try:
            try:
                raise OperationalError("terminating connection due to administrator command")
            except OperationalError as cause:
                raise RuntimeError("audit row could not be written") from cause
        except RuntimeError as exc:
            self.assertTrue(handlers.is_outage(exc))
        self.assertFalse(handlers.is_outage(ValueError("a bug")))

    def test_a_bug_is_a_500_in_json_on_the_api_and_a_page_elsewhere(self) -> None:
        api = self.raised(ZeroDivisionError(), "/api/summary/")
        self.assertEqual(api.status_code, 500)
        self.assertEqual(json.loads(api.content)["error"], "server_error")
        page = self.raised(ZeroDivisionError(), "/budget/")
        self.assertEqual(page.status_code, 500)
        self.assertNotEqual(page["Content-Type"], "application/json")

    def test_csrf_failures_on_the_api_are_json(self) -> None:
        response = handlers.csrf_failure(self.factory.post("/api/x/"), "CSRF cookie not set.")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(json.loads(response.content)["error"], "csrf_failed")
        page = handlers.csrf_failure(self.factory.post("/login/"), "CSRF cookie not set.")
        self.assertEqual(page.status_code, 403)
        self.assertNotEqual(page["Content-Type"], "application/json")
