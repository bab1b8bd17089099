"""What a recorded expense costs the database: the issue's budget is six statements
(issue 8), and the budget check's defer in the same transaction (issue 11)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from botapi.tests.helpers import BotTestCase


class CreateExpenseCostTestCase(BotTestCase):
    def test_a_recorded_expense_costs_six_statements_in_one_transaction(self) -> None:
        # The first request writes the token's last_used_at and reads the categories.
        self.assertEqual(self.act("create_expense", {"text": "кофе 100"}).status_code, 201)
        with CaptureQueriesContext(connection) as queries:
            response = self.act("create_expense", {"text": "кофе 250"})
        self.assertEqual(response.status_code, 201, response.content)
        statements = [q["sql"] for q in queries.captured_queries]
        # Token SELECT, BEGIN, transaction INSERT, audit INSERT (both rows), key INSERT,
        # COMMIT. Inside a test's transaction BEGIN and COMMIT are a savepoint and its
        # release: exactly one of each means one commit in production. An expense also
        # defers its ledger's budget check (issue 11), in the same transaction so that a
        # rolled-back write sends no alert: one statement more, no commit more.
        defers = [s for s in statements if "procrastinate_defer_jobs" in s]
        self.assertEqual(len(defers), 1, statements)
        self.assertIn("notifications.check_budget", defers[0])
        others = [s for s in statements if s not in defers]
        self.assertEqual(len(others), 6, "\n".join(others))
        self.assertEqual([s.split()[0] for s in statements].count("SAVEPOINT"), 1, statements)
        self.assertEqual([s.split()[0] for s in statements].count("RELEASE"), 1, statements)
        self.assertTrue(statements[0].startswith("SELECT"), statements[0])

    def test_a_refused_write_keeps_its_audit_row_alone(self) -> None:
        self.act("create_expense", {"text": "кофе 100"})
        with CaptureQueriesContext(connection) as queries:
            response = self.act("create_expense", {"text": "кофе"})
        self.assertEqual(response.status_code, 400)
        inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
        self.assertEqual(len(inserts), 1, inserts)
        self.assertIn("audit_log", inserts[0])
