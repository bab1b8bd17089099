"""The endpoint's envelope, authentication, scopes and audit rows, in-process."""

import json
from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.models import Scope
from accounts.services import api_token_create, api_token_revoke, api_token_rotate
from audit.models import AuditLog
from botapi.models import IdempotencyKey
from botapi.tests.helpers import URL, BotTestCase, envelope, request_rows
from finance.models import BudgetItem, Transaction


class EnvelopeTestCase(BotTestCase):
    def test_malformed_json_is_a_validation_error(self) -> None:
        response = self.post('{"action": "get_summary",', raw=True)
        self.assert_error(response, 400, "validation_error", [("", "malformed_json")])

    def test_duplicate_keys_are_refused_not_resolved_to_the_last(self) -> None:
        # "dry_run": true, "dry_run": false once wrote for real.
        body = json.dumps(envelope("create_expense", {"amount": "250", "category": "cafe"}))
        body = body[:-1] + ', "dry_run": true, "dry_run": false}'
        response = self.post(body, raw=True)
        self.assert_error(response, 400, "validation_error", [("", "malformed_json")])
        self.assertFalse(Transaction.objects.exists())

    def test_the_envelope_is_strict_and_every_problem_is_listed(self) -> None:
        response = self.post({"action": "fly", "payload": [], "idempotency_key": "short", "x": 1})
        self.assert_error(
            response,
            400,
            "validation_error",
            [
                ("action", "unknown_action"),
                ("idempotency_key", "invalid_format"),
                ("payload", "invalid_type"),
                ("x", "unknown_field"),
            ],
        )

    def test_a_body_past_djangos_upload_limit_is_refused_in_json(self) -> None:
        response = self.post(" " * (3 * 1024 * 1024), raw=True)
        self.assert_error(response, 400, "validation_error", [("", "too_large")])
        self.assertEqual(self.request_row().status_code, 400)

    def test_a_body_that_is_not_an_object(self) -> None:
        for body in (["get_summary"], "get_summary", 1, None):
            with self.subTest(body=body):
                response = self.post(body)
                self.assert_error(response, 400, "validation_error", [("", "invalid_type")])

    def test_envelope_and_payload_problems_come_together(self) -> None:
        response = self.post({"action": "create_expense", "payload": {"text": ""}})
        self.assert_error(
            response,
            400,
            "validation_error",
            [("idempotency_key", "required"), ("payload.text", "blank")],
        )

    def test_the_content_type_and_accept_headers_do_not_matter(self) -> None:
        body = json.dumps(envelope("list_categories", {}))
        response = self.client.post(
            URL,
            data=body,
            content_type="text/plain",
            HTTP_ACCEPT="text/html",
            HTTP_X_BOT_TOKEN=self.alice_token.raw,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")

    def test_other_methods_are_refused_in_json(self) -> None:
        response = self.client.get(URL, HTTP_X_BOT_TOKEN=self.alice_token.raw)
        self.assert_error(response, 405, "method_not_allowed")
        self.assertEqual(self.request_row().status_code, 405)

    def test_dry_run_is_only_for_create_actions(self) -> None:
        response = self.act(
            "set_budget_item",
            {"month": "2026-11", "category": "cafe", "planned_amount": "1"},
            dry_run=True,
        )
        self.assert_error(response, 400, "validation_error", [("dry_run", "dry_run_unsupported")])
        self.assertFalse(BudgetItem.objects.exists())


class AuthenticationTestCase(BotTestCase):
    def assert_refused(self, token: str, code: str) -> None:
        response = self.act("get_summary", {}, token=token)
        self.assert_error(response, 401, "authentication_failed", [("X-Bot-Token", code)])
        self.assertIn("X-Bot-Token", response["WWW-Authenticate"])
        row = self.request_row()
        self.assertEqual((row.status_code, row.error_code), (401, "authentication_failed"))
        self.assertEqual(row.details["codes"], [code])
        self.assertIsNone(row.user)
        self.assertIsNone(row.token)
        if token:
            self.assertNotIn(token, json.dumps(row.details))

    def test_a_missing_token(self) -> None:
        self.assert_refused("", "token_missing")

    def test_a_malformed_token_fails_without_a_database_lookup(self) -> None:
        raw = self.alice_token.raw
        typo = raw[:-2] + ("x" if raw[-2] != "x" else "y") + raw[-1]
        self.assert_refused(typo, "token_malformed")
        self.assert_refused(raw[:-1], "token_malformed")

    def test_unknown_expired_and_revoked_tokens(self) -> None:
        self.assert_refused("kop_" + "A" * 30 + "000000", "token_malformed")
        short = api_token_create(
            user=self.alice,
            name="short",
            scopes=[Scope.SUMMARIES_READ],
            expires_at=timezone.now() + timedelta(hours=1),
            source="cli",
        )
        with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
            self.assert_refused(short.raw, "token_invalid")
        api_token_revoke(token=self.alice_readonly_token.token, source="cli")
        self.assert_refused(self.alice_readonly_token.raw, "token_invalid")

    def test_a_rotated_token_works_through_its_grace_period(self) -> None:
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            new = api_token_rotate(
                token=self.alice_readonly_token.token, grace=timedelta(hours=24), source="cli"
            )
        old = self.alice_readonly_token.raw
        with time_machine.travel(now + timedelta(hours=23)):
            self.assertEqual(self.act("get_summary", {}, token=old).status_code, 200)
        with time_machine.travel(now + timedelta(hours=24, seconds=1)):
            self.assert_refused(old, "token_invalid")
            self.assertEqual(self.act("get_summary", {}, token=new.raw).status_code, 200)

    def test_the_request_id_is_echoed_and_recorded(self) -> None:
        response = self.post(envelope("list_categories", {}), HTTP_X_REQUEST_ID="abc-123")
        self.assertEqual(response["X-Request-ID"], "abc-123")
        row = self.request_row()
        self.assertEqual(
            (row.request_id, row.action, row.status_code), ("abc-123", "list_categories", 200)
        )
        self.assertEqual((row.user, row.token), (self.alice, self.alice_token.token))


class ScopeTestCase(BotTestCase):
    def test_each_action_needs_its_scope(self) -> None:
        only = {
            scope: api_token_create(user=self.alice, name=scope, scopes=[scope], source="cli").raw
            for scope in Scope.values
        }
        requests = {
            "create_expense": ({"text": "кофе 250"}, Scope.EXPENSES_WRITE),
            "create_income": ({"text": "зарплата 100"}, Scope.INCOMES_WRITE),
            "set_budget_item": (
                {"month": "2026-11", "category": "cafe", "planned_amount": "1"},
                Scope.BUDGETS_WRITE,
            ),
            "get_summary": ({}, Scope.SUMMARIES_READ),
            "list_categories": ({}, Scope.SUMMARIES_READ),
        }
        for action, (payload, needed) in requests.items():
            for scope, raw in only.items():
                if scope == needed:
                    continue
                with self.subTest(action=action, scope=scope):
                    response = self.act(action, payload, token=raw)
                    body = self.assert_error(response, 403, "insufficient_scope")
                    self.assertIn(needed, body["message"])
                    self.assertEqual(body["details"][0]["path"], "action")
        self.assertFalse(BudgetItem.objects.exists())
        row = self.request_row()
        self.assertEqual((row.status_code, row.error_code), (403, "insufficient_scope"))

    def test_the_audit_row_survives_a_rolled_back_action(self) -> None:
        before = AuditLog.objects.count()
        payload = {"month": "2026-11", "category": "cafe", "planned_amount": "1.50"}
        response = self.act("set_budget_item", {**payload, "currency": "JPY"}, key="rolled-back")
        self.assert_error(
            response, 400, "validation_error", [("payload.planned_amount", "amount_precision")]
        )
        # The key's claim was rolled back with the action; the request row stayed.
        self.assertFalse(IdempotencyKey.objects.exists())
        self.assertEqual(AuditLog.objects.count(), before + 1)
        row = request_rows().latest("id")
        self.assertEqual((row.action, row.idempotency_key), ("set_budget_item", "rolled-back"))
        # The key is free for the corrected request.
        self.assertEqual(self.act("set_budget_item", payload, key="rolled-back").status_code, 201)
