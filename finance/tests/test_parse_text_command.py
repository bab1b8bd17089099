from datetime import UTC, datetime
from io import StringIO

import time_machine
from django.core.management import CommandError, call_command

from config.testing import BaseTestCase
from finance.models import Transaction


@time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False)
class ParseTextCommandTestCase(BaseTestCase):
    def run_command(self, *args: str) -> str:
        stdout = StringIO()
        call_command("parse_text", *args, stdout=stdout)
        return stdout.getvalue()

    def test_it_prints_what_would_be_recorded(self) -> None:
        out = self.run_command("такси 350 вчера", "--user", "alice")
        self.assertIn("amount:   350.00 RUB", out)
        self.assertIn("date:     2026-11-23", out)
        self.assertIn("category: transport (Транспорт)", out)
        self.assertIn("note:     такси", out)
        self.assertFalse(Transaction.objects.exists())

    def test_it_takes_kind_date_and_currency(self) -> None:
        out = self.run_command(
            "salary 3200",
            "--user",
            "bob",
            "--kind",
            "income",
            "--date",
            "2026-11-01",
            "--currency",
            "eur",
        )
        self.assertIn("amount:   3200.00 EUR", out)
        self.assertIn("date:     2026-11-01", out)
        self.assertIn("category: salary (Salary)", out)

    def test_it_prints_errors_with_their_codes(self) -> None:
        with self.assertRaisesMessage(CommandError, "payload.text: amount_not_found"):
            self.run_command("кофе", "--user", "alice")
        with self.assertRaisesMessage(CommandError, "payload.currency: unknown_currency: XYZ"):
            self.run_command("кофе 250", "--user", "alice", "--currency", "XYZ")

    def test_it_refuses_a_bad_user_or_date(self) -> None:
        with self.assertRaisesMessage(CommandError, "No user named 'carol'"):
            self.run_command("кофе 250", "--user", "carol")
        with self.assertRaisesMessage(CommandError, "invalid_date"):
            self.run_command("кофе 250", "--user", "alice", "--date", "24.11.2026")
