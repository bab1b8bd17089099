"""What a recorded expense costs the database: the issue's budget is six statements
(issue 8); a ledger with a budget plan also defers its budget check in the same
transaction (issue 11)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from botapi.tests.helpers import BotTestCase


class CreateExpenseCostTestCase(BotTestCase):
    def statements_of(self, text: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            response = self.act("create_expense", {"text": text})
        self.assertEqual(response.status_code, 201, response.content)
        return [q["sql"] for q in queries.captured_queries]

    def assert_one_transaction(self, statements: list[str]) -> None:
        # Inside a test's transaction BEGIN and COMMIT are a savepoint and its release:
        # exactly one of each means one commit in production.
        self.assertEqual([s.split()[0] for s in statements].count("SAVEPOINT"), 1, statements)
        self.assertEqual([s.split()[0] for s in statements].count("RELEASE"), 1, statements)
        self.assertTrue(statements[0].startswith("SELECT"), statements[0])

    def test_a_recorded_expense_costs_six_statements_in_one_transaction(self) -> None:
        # The first request writes the token's last_used_at and reads the categories.
        self.assertEqual(self.act("create_expense", {"text": "кофе 100"}).status_code, 201)
        statements = self.statements_of("кофе 250")
        # Token SELECT, BEGIN, transaction INSERT, audit INSERT (both rows), key INSERT,
        # COMMIT. A ledger that has never had a plan has no budget to check.
        self.assertEqual(len(statements), 6, "\n".join(statements))
        self.assertFalse([s for s in statements if "procrastinate" in s], statements)
        self.assert_one_transaction(statements)

    def test_with_a_plan_the_budget_check_is_deferred_in_the_same_transaction(self) -> None:
        payload = {"category": "cafe", "month": "2026-12", "planned_amount": "5000"}
        self.assertEqual(self.act("set_budget_item", payload).status_code, 201)
        self.assertEqual(self.act("create_expense", {"text": "кофе 100"}).status_code, 201)
        statements = self.statements_of("кофе 250")
        # So that a rolled-back write sends no alert: one statement more, no commit more.
        defers = [s for s in statements if "procrastinate_defer_jobs" in s]
        self.assertEqual(len(defers), 1, statements)
        self.assertIn("notifications.check_budget", defers[0])
        self.assertEqual(len(statements), 7, "\n".join(statements))
        self.assert_one_transaction(statements)

    def test_a_refused_write_keeps_its_audit_row_alone(self) -> None:
        self.act("create_expense", {"text": "кофе 100"})
        with CaptureQueriesContext(connection) as queries:
            response = self.act("create_expense", {"text": "кофе"})
        self.assertEqual(response.status_code, 400)
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        self.assertEqual(len(inserts), 1, inserts)
        self.assertIn("audit_log", inserts[0])
