from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Kind, Transaction
from finance.services.categories import category_archive, category_update
from finance.services.parser_cache import _parser_categories_cache
from finance.services.text import record_from_text

# 05:00 in Moscow (alice) is still 21:00 the day before in New York (bob).
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class RecordFromTextTestCase(BaseTestCase):
    def record(self, text: str, **kwargs: object) -> Transaction:
        options: dict[str, object] = {
            "user": self.alice,
            "kind": Kind.EXPENSE,
            "source": Transaction.Source.BOT,
        }
        return record_from_text(text=text, **options | kwargs)  # type: ignore[arg-type]

    def refusal(self, text: str, **kwargs: object) -> dict[str, list[str]]:
        with self.assertRaises(ValidationError) as caught:
            self.record(text, **kwargs)
        return {
            field: [e.code or "" for e in errors]
            for field, errors in caught.exception.error_dict.items()
        }

    def test_it_works(self) -> None:
        tx = self.record("такси 12.5$ вчера")
        tx.refresh_from_db()
        self.assertEqual(tx.created_by, self.alice)
        self.assertEqual(tx.kind, Kind.EXPENSE)
        self.assertEqual((tx.amount, tx.currency), (Decimal("12.50"), "USD"))
        self.assertEqual(tx.date, date(2026, 11, 23))
        self.assertEqual(tx.category, self.category(self.alice, "transport"))
        self.assertEqual((tx.note, tx.text, tx.source), ("такси", "такси 12.5$ вчера", "bot"))
        audit = AuditLog.objects.get(action="transaction.create")
        self.assertEqual((audit.user, audit.object_id), (self.alice, str(tx.pk)))
        self.assertEqual(audit.details["category"], "transport")

    def test_it_records_incomes(self) -> None:
        tx = self.record("зарплата 120 000", kind=Kind.INCOME)
        self.assertEqual(tx.category, self.category(self.alice, "salary"))
        self.assertEqual(tx.amount, Decimal("120000.00"))

    def test_it_uses_the_users_day_and_currency(self) -> None:
        self.assertEqual(self.record("кофе 250").date, date(2026, 11, 24))
        tx = self.record("coffee 5", user=self.bob)
        self.assertEqual((tx.date, tx.currency), (date(2026, 11, 23), "USD"))
        self.assertEqual(tx.category, self.category(self.bob, "cafe"))

    def test_it_lets_the_fields_win(self) -> None:
        tx = self.record("gift for wife 120$ вчера", currency="eur", date=date(2026, 11, 1))
        self.assertEqual((tx.currency, tx.date), ("EUR", date(2026, 11, 1)))

    def test_it_writes_nothing_for_refused_text(self) -> None:
        self.assertEqual(self.refusal("кофе"), {"text": ["amount_not_found"]})
        self.assertEqual(self.refusal("такси -300"), {"text": ["amount_out_of_range"]})
        self.assertEqual(self.refusal("кофе 300 31 ноября"), {"text": ["invalid_date"]})
        self.assertEqual(
            self.refusal("lunch 350", currency="XYZ"), {"currency": ["unknown_currency"]}
        )
        self.assertEqual(
            self.refusal("lunch", currency="XYZ"),
            {"text": ["amount_not_found"], "currency": ["unknown_currency"]},
        )
        self.assertEqual(self.refusal("суши 1.5", currency="JPY"), {"text": ["amount_precision"]})
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(AuditLog.objects.filter(action__startswith="transaction.").exists())

    def test_it_writes_nothing_on_a_dry_run(self) -> None:
        _parser_categories_cache.clear()  # so that it reads, and we see it only reads
        with CaptureQueriesContext(connection) as queries:
            tx = self.record("в аптеке 640 вчера", dry_run=True)
        self.assertTrue(queries.captured_queries)
        for query in queries.captured_queries:
            self.assertTrue(query["sql"].lstrip().upper().startswith("SELECT"), query["sql"])
        self.assertIsNone(tx.pk)
        self.assertEqual(tx.category, self.category(self.alice, "health"))
        self.assertEqual(
            (tx.amount, tx.date, tx.note), (Decimal("640.00"), date(2026, 11, 23), "в аптеке")
        )
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(AuditLog.objects.filter(action__startswith="transaction.").exists())

    def test_it_refuses_on_a_dry_run_too(self) -> None:
        self.assertEqual(self.refusal("кофе 0", dry_run=True), {"text": ["amount_out_of_range"]})

    def test_it_skips_archived_categories(self) -> None:
        category_archive(user=self.alice, category=self.category(self.alice, "cafe"), source="web")
        self.assertEqual(self.record("кофе 250").category, self.category(self.alice, "other"))

    def test_it_sees_a_new_keyword_at_once(self) -> None:
        self.assertEqual(self.record("ozon 1590").category.slug, "other")
        home = self.category(self.alice, "home")
        words = [*home.aliases.values_list("word", flat=True), "ozon"]
        category_update(user=self.alice, category=home, aliases=words, source="web")
        self.assertEqual(self.record("ozon 1590").category, home)

    def test_it_reads_the_categories_once_while_they_stay_the_same(self) -> None:
        self.record("кофе 250", dry_run=True)
        with self.assertNumQueries(1):  # the membership: the version came with the ledger
            self.record("кофе 250", dry_run=True)
        cafe = self.category(self.alice, "cafe")
        category_update(user=self.alice, category=cafe, name="Кофейни", source="web")
        tx = self.record("кофе 250", dry_run=True)
        self.assertEqual(tx.category.name, "Кофейни")


class RecordFromTextLanguageTestCase(BaseTestCase):
    def test_refusals_speak_the_readers_language(self) -> None:
        for language, expected in (
            ("ru", "В тексте нет суммы"),
            ("en", "The text states no amount"),
        ):
            with self.subTest(language=language), translation.override(language):
                with self.assertRaises(ValidationError) as cm:
                    record_from_text(user=self.alice, kind="expense", text="кофе", source="web")
                self.assertTrue(cm.exception.message_dict["text"][0].startswith(expected))
