from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import SimpleTestCase
from rest_framework import exceptions

from core.errors import ApiError, exception_handler


class ExceptionHandlerTestCase(SimpleTestCase):
    def handle(self, exc: Exception) -> tuple[int, dict[str, Any]]:
        response = exception_handler(exc, {})
        assert response is not None
        return response.status_code, response.data

    def test_django_validation_errors_list_every_problem_with_its_path(self) -> None:
        exc = ValidationError(
            {
                "text": [ValidationError("No amount.", code="amount_not_found")],
                "currency": [
                    ValidationError("%(code)s?", code="unknown_currency", params={"code": "XYZ"})
                ],
            }
        )
        status, body = self.handle(exc)
        self.assertEqual(status, 400)
        self.assertEqual(body["error"], "validation_error")
        self.assertEqual(
            body["details"],
            [
                {"path": "text", "code": "amount_not_found", "message": "No amount."},
                {"path": "currency", "code": "unknown_currency", "message": "XYZ?"},
            ],
        )

    def test_drf_validation_errors_are_flattened_with_dotted_paths(self) -> None:
        exc = exceptions.ValidationError(
            {"payload": {"amount": ["Bad."]}, "non_field_errors": ["X"]}
        )
        status, body = self.handle(exc)
        self.assertEqual(status, 400)
        self.assertEqual(
            [(d["path"], d["message"]) for d in body["details"]],
            [("payload.amount", "Bad."), ("", "X")],
        )

    def test_each_status_has_its_code(self) -> None:
        cases = [
            (exceptions.ParseError("JSON parse error"), 400, "validation_error"),
            (exceptions.NotAuthenticated(), 401, "authentication_failed"),
            (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
            (exceptions.PermissionDenied(), 403, "permission_denied"),
            (Http404(), 404, "not_found"),
            (exceptions.MethodNotAllowed("GET"), 405, "method_not_allowed"),
            (exceptions.Throttled(wait=12.2), 429, "rate_limited"),
            (
                ApiError(status_code=403, error="insufficient_scope", message="x"),
                403,
                "insufficient_scope",
            ),
        ]
        for exc, status, code in cases:
            with self.subTest(exc=type(exc).__name__):
                self.assertEqual(self.handle(exc)[1]["error"], code)
                self.assertEqual(self.handle(exc)[0], status)

    def test_throttled_says_when_to_retry(self) -> None:
        response = exception_handler(exceptions.Throttled(wait=12.2), {})
        assert response is not None
        self.assertEqual(response["Retry-After"], "13")  # rounded up

    def test_bugs_are_left_to_django(self) -> None:
        self.assertIsNone(exception_handler(KeyError("x"), {}))
