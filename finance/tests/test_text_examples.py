import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core.exceptions import ValidationError

from config.testing import BaseTestCase
from finance import textparse
from finance.models import Category, Kind, Transaction
from finance.services.text import record_from_text

EXAMPLES = Path(__file__).parent / "data" / "text_examples.jsonl"
TODAY = date(2026, 11, 24)
# Early morning in Moscow is still the day before in UTC: "today" must be the user's.
MOSCOW_MORNING = datetime(2026, 11, 24, 1, 30, tzinfo=ZoneInfo("Europe/Moscow"))


def load_examples() -> list[dict[str, Any]]:
    with EXAMPLES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def kind_of(example: dict[str, Any]) -> str:
    return Kind.EXPENSE if example["action"] == "create_expense" else Kind.INCOME


def date_field(example: dict[str, Any]) -> date | None:
    return date.fromisoformat(example["date_field"]) if example["date_field"] else None


class TextExamplesTestCase(BaseTestCase):
    """Every worked example of the contract, for alice (Europe/Moscow, RUB, default categories)."""

    def setUp(self) -> None:
        self.examples = load_examples()

    def index(self) -> textparse.CategoryIndex:
        entries = [
            textparse.CategoryEntry(
                id=c.pk,
                slug=c.slug,
                name=c.name,
                kind=c.kind,
                aliases=tuple(textparse.Alias(a.word, a.source) for a in c.aliases.all()),
            )
            for c in Category.objects.filter(ledger__personal_for=self.alice).prefetch_related(
                "aliases"
            )
        ]
        return textparse.CategoryIndex(entries, {"expense": "other", "income": "other_income"})

    def test_it_has_the_contracts_examples(self) -> None:
        self.assertGreaterEqual(len(self.examples), 70)
        self.assertTrue(any("error" in e["expect"] for e in self.examples))

    def test_it_parses_every_example(self) -> None:
        index = self.index()
        for example in self.examples:
            expect = example["expect"]
            with self.subTest(example["text"]):
                try:
                    result = textparse.parse(
                        example["text"],
                        kind=kind_of(example),
                        index=index,
                        default_currency="RUB",
                        today=TODAY,
                        date=date_field(example),
                        currency=example["currency_field"],
                    )
                except textparse.ParseError as e:
                    self.assertEqual([p.code for p in e.problems], [expect.get("error")])
                    continue
                self.assertNotIn("error", expect)
                self.assertEqual(result.amount, Decimal(expect["amount"]))
                self.assertEqual(result.currency, expect["currency"])
                self.assertEqual(result.date.isoformat(), expect["date"])
                self.assertEqual(result.category_slug, expect["category"])

    @time_machine.travel(MOSCOW_MORNING, tick=False)
    def test_it_records_every_example(self) -> None:
        for example in self.examples:
            expect = example["expect"]
            with self.subTest(example["text"]):
                try:
                    tx = record_from_text(
                        user=self.alice,
                        kind=kind_of(example),
                        text=example["text"],
                        date=date_field(example),
                        currency=example["currency_field"],
                        source=Transaction.Source.BOT,
                        dry_run=True,
                    )
                except ValidationError as e:
                    codes = [err.code for errs in e.error_dict.values() for err in errs]
                    self.assertEqual(codes, [expect.get("error")])
                    continue
                self.assertNotIn("error", expect)
                self.assertEqual(str(tx.amount), expect["amount"])
                self.assertEqual(tx.currency, expect["currency"])
                self.assertEqual(tx.date.isoformat(), expect["date"])
                self.assertEqual(tx.category.slug, expect["category"])
        self.assertFalse(Transaction.objects.exists())
