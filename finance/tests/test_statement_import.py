"""Statements imported: every format categorised, purchases already recorded marked and
left out unless ticked, the person's categories kept and learned, the same statement
never twice (in another encoding too, refused before the preview), all or none, and
hostile files refused with the row named, writing nothing."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import override_settings

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.data.statements.choices import statement_choose
from finance.data.statements.commit import statement_commit
from finance.data.statements.preview import statement_upload
from finance.models import (
    Capture,
    CategoryAlias,
    ExchangeRateRequest,
    StatementImport,
    StatementImportRow,
    Transaction,
)
from finance.services.categories import category_archive
from finance.services.transactions import transaction_create
from finance.tests import statement_files
from finance.tests.test_statement_refusals import BOMB_DTD

DATA = Path(__file__).parent / "data" / "statements"
# What each sample's rows are filed under, by their number in the file (left-out rows,
# pending or declined in the bank's eyes, are not there).
EXPECTED = {
    "tbank.csv": {
        1: ("expense", "groceries"),  # Пятёрочка, MCC 5411
        2: ("expense", "cafe"),  # Шоколадница
        3: ("expense", "transport"),  # Яндекс Такси
        5: ("expense", "car"),  # Лукойл АЗС
        6: ("expense", "cafe"),  # CAFE CENTRAL WIEN, in euros
        7: ("refund", "groceries"),  # money back from Пятёрочка
        8: ("income", "salary"),
        9: ("expense", "other"),  # a transfer to a person
        10: ("income", "interest"),  # cashback
    },
    "sber.csv": {
        1: ("expense", "groceries"),  # PYATEROCHKA 1234 Moscow RUS
        2: ("expense", "cafe"),  # KOFEJNYA SHOKOLADNICA
        3: ("income", "other_income"),  # a transfer from a person
        4: ("expense", "car"),  # LUKOIL AZS
        5: ("income", "salary"),
        6: ("expense", "entertainment"),  # CINEMA PARK
        7: ("expense", "cafe"),  # BISTRO TBILISI, in lari
    },
    "statement-v1.ofx": {
        1: ("expense", "groceries"),
        2: ("expense", "transport"),
        3: ("income", "salary"),
        4: ("refund", "groceries"),
    },
    "statement-v2.ofx": {
        1: ("expense", "groceries"),  # WHOLE FOODS MKT
        2: ("expense", "cafe"),  # STARBUCKS
        3: ("expense", "cafe"),  # CAFE DE FLORE, MCC 5812
        4: ("income", "salary"),  # PAYROLL
        5: ("income", "interest"),
    },
    "quicken.qif": {
        1: ("expense", "groceries"),  # Whole Foods, Food:Groceries
        2: ("expense", "housing"),  # Housing:Rent
        3: ("income", "salary"),
        4: ("expense", "other"),  # [Savings]: money moved to savings
        5: ("expense", "groceries"),  # Costco
    },
    "camt053.xml": {
        1: ("expense", "groceries"),  # REWE
        2: ("income", "salary"),  # GEHALT
        3: ("refund", "clothing"),  # Zalando's reversal
        4: ("expense", "transport"),  # SBB
    },
    "generic.csv": {
        1: ("expense", "groceries"),
        2: ("expense", "cafe"),
        3: ("income", "salary"),
    },
}
LEFT_OUT = {"tbank.csv": 2, "sber.csv": 1, "camt053.xml": 1}


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


class StatementImportTestCase(BaseTestCase):
    def upload(self, content: bytes, name: str = "statement") -> StatementImport:
        return statement_upload(user=self.alice, content=content, filename=name)

    def rows(self, batch: StatementImport) -> dict[int, StatementImportRow]:
        found = StatementImportRow.objects.filter(batch=batch).select_related("category")
        return {r.index: r for r in found}

    def commit(self, batch: StatementImport) -> StatementImport:
        return statement_commit(user=self.alice, batch=batch, source="web")

    def refused(self, content: bytes, code: str, row: int | None = None) -> ValidationError:
        with self.assertRaises(ValidationError) as caught:
            self.upload(content)
        self.assertEqual(caught.exception.code, code, caught.exception.messages)
        params = caught.exception.params or {}
        self.assertEqual(params.get("row"), row)
        self.assertFalse(StatementImport.objects.exists())
        self.assertFalse(Transaction.objects.exists())
        return caught.exception

    def test_every_format_imports_categorised(self) -> None:
        for name, expected in EXPECTED.items():
            with self.subTest(name):
                batch = self.upload(sample(name), name)
                self.assertEqual(batch.status, "ready")
                self.assertEqual(batch.left_out, LEFT_OUT.get(name, 0))
                rows = self.rows(batch)
                self.assertEqual(
                    {i: (r.kind, r.category.slug) for i, r in rows.items()},  # type: ignore[union-attr]
                    expected,
                )
                self.assertFalse(Transaction.objects.filter(ledger=batch.ledger).exists())
                done = self.commit(batch)
                self.assertEqual(
                    (done.status, done.imported, done.matched), ("done", len(expected), 0)
                )
                recorded = Transaction.objects.filter(ledger=batch.ledger).select_related(
                    "category"
                )
                self.assertEqual(
                    sorted((t.kind, t.category.slug) for t in recorded), sorted(expected.values())
                )
                self.assertEqual({t.source for t in recorded}, {"import"})
                self.assertEqual(
                    Capture.objects.filter(source="statement", matched=False).count(), len(expected)
                )
                self.assertFalse(StatementImportRow.objects.exists())  # the preview is gone
                Transaction.objects.all().delete()  # the next format starts afresh

    def test_the_amounts_dates_and_notes_are_the_banks(self) -> None:
        self.commit(self.upload(sample("tbank.csv")))
        wien = Transaction.objects.get(currency="EUR")
        self.assertEqual(
            (wien.amount, wien.date, wien.note, wien.kind),
            (Decimal("45.20"), date(2026, 11, 21), "CAFE CENTRAL WIEN", "expense"),
        )
        # It needs a rate the table lacks: asked for, as after any write.
        self.assertTrue(ExchangeRateRequest.objects.filter(base="EUR", quote="RUB").exists())
        row = AuditLog.objects.get(action="statement.import")
        self.assertEqual((row.details["rows"], row.details["format"]), (9, "tbank_csv"))

    def test_a_purchase_already_recorded_is_marked_and_left_out_unless_ticked(self) -> None:
        typed = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("1250.50"),
            currency="RUB",
            category=self.category(self.alice, "groceries"),
            date=date(2026, 11, 24),
            source="telegram",
        )
        batch = self.upload(sample("tbank.csv"))
        rows = self.rows(batch)
        self.assertEqual((rows[1].duplicate_of_id, rows[1].include), (typed.pk, False))
        self.assertEqual([i for i, r in rows.items() if r.duplicate_of_id], [1])
        done = self.commit(batch)
        self.assertEqual((done.imported, done.matched), (8, 1))
        self.assertEqual(Transaction.objects.filter(amount=Decimal("1250.50")).count(), 1)
        typed.refresh_from_db()
        self.assertEqual(typed.note, "Пятёрочка")  # the statement's merchant, where none was
        match = Capture.objects.get(matched=True)
        self.assertEqual((match.transaction, match.time.isoformat()), (typed, "13:05:41"))  # type: ignore[union-attr]

    def test_a_ticked_one_is_recorded_on_its_own(self) -> None:
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("1250.50"),
            currency="RUB",
            category=self.category(self.alice, "groceries"),
            date=date(2026, 11, 24),
            source="web",
        )
        batch = self.upload(sample("tbank.csv"))
        statement_choose(user=self.alice, batch=batch, include=[1])
        done = self.commit(batch)
        self.assertEqual((done.imported, done.matched), (9, 0))
        self.assertEqual(Transaction.objects.filter(amount=Decimal("1250.50")).count(), 2)

    def test_two_purchases_of_one_amount_on_one_day_match_one_each(self) -> None:
        for _n in range(2):
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("250.00"),
                currency="RUB",
                category=self.category(self.alice, "cafe"),
                date=date(2026, 11, 24),
                source="web",
            )
        content = (
            "Дата;Сумма;Описание\n24.11.2026 09:00;-250,00;Кофе\n"
            "24.11.2026 15:00;-250,00;Кофе\n24.11.2026 18:00;-250,00;Кофе\n"
        ).encode()
        rows = self.rows(self.upload(content))
        self.assertEqual(len({r.duplicate_of_id for r in rows.values() if r.duplicate_of_id}), 2)
        self.assertIsNone(rows[3].duplicate_of_id)  # the third was not typed

    def test_the_same_statement_twice_or_in_another_encoding_is_refused_before_the_preview(
        self,
    ) -> None:
        self.commit(self.upload(statement_files.tbank_csv(40)))
        count = Transaction.objects.count()
        for content in (
            statement_files.tbank_csv(40),
            statement_files.tbank_csv(40, encoding="utf-8"),
        ):
            error = self.refused_again(content)
            self.assertIn("уже импортирована", error.messages[0])
        self.assertEqual(Transaction.objects.count(), count)
        # Bob's books are his own: the same file imports there.
        statement_upload(user=self.bob, content=statement_files.tbank_csv(40), filename="x")

    def refused_again(self, content: bytes) -> ValidationError:
        before = StatementImport.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.upload(content)
        self.assertEqual(caught.exception.code, "import_repeated")
        self.assertEqual(StatementImport.objects.count(), before)
        return caught.exception

    def test_an_overlapping_statement_imports_only_what_is_new(self) -> None:
        self.commit(self.upload(statement_files.tbank_csv(30)))
        first = Transaction.objects.count()
        batch = self.upload(statement_files.tbank_csv(50))
        rows = self.rows(batch)
        before = [r for r in rows.values() if r.already_imported]
        self.assertEqual(len(before), first)
        self.assertTrue(all(r.duplicate_of_id and not r.include for r in before))
        with self.assertRaises(ValidationError) as caught:
            statement_choose(user=self.alice, batch=batch, include=[before[0].index])
        self.assertEqual(caught.exception.code, "row_imported_before")
        self.commit(batch)
        self.assertEqual(Transaction.objects.count(), len(rows))

    def test_a_category_chosen_in_the_preview_is_recorded_and_learned(self) -> None:
        batch = self.upload(sample("sber.csv"))
        health = self.category(self.alice, "health")
        statement_choose(user=self.alice, batch=batch, categories={6: health.pk})
        self.commit(batch)
        self.assertEqual(Transaction.objects.get(amount=Decimal(900)).category, health)
        self.assertTrue(
            CategoryAlias.objects.filter(category=health, word="cinema", user=self.alice).exists()
        )
        # The next statement files that merchant where the person put it.
        again = self.upload(
            "Дата;Сумма;Описание\n01.12.2026;-450,00;CINEMA PARK Moscow RUS\n".encode()
        )
        self.assertEqual(self.rows(again)[1].category, health)

    def test_choices_naming_what_is_not_there_are_refused(self) -> None:
        batch = self.upload(sample("tbank.csv"))
        salary = self.category(self.alice, "salary")
        bobs = self.category(self.bob, "cafe")
        cafe = self.category(self.alice, "cafe")
        for kwargs, code, row in (
            ({"categories": {99: cafe.pk}}, "row_not_found", 99),
            ({"categories": {1: salary.pk}}, "category_kind_mismatch", 1),
            ({"categories": {1: bobs.pk}}, "category_not_found", 1),
            ({"include": [2], "exclude": [2]}, "row_included_and_excluded", 2),
        ):
            with self.subTest(code), self.assertRaises(ValidationError) as caught:
                statement_choose(user=self.alice, batch=batch, **kwargs)
            self.assertEqual(
                (caught.exception.code, (caught.exception.params or {})["row"]), (code, row)
            )
            self.assertIn(f"{row}", caught.exception.messages[0])
        self.assertEqual(self.rows(batch)[1].category.slug, "groceries")  # type: ignore[union-attr]

    def test_all_or_none(self) -> None:
        batch = self.upload(sample("tbank.csv"))
        category_archive(category=self.category(self.alice, "car"), user=self.alice, source="web")
        with self.assertRaises(ValidationError) as caught:
            self.commit(batch)
        self.assertEqual(
            (caught.exception.code, (caught.exception.params or {})["row"]),
            ("category_archived", 5),
        )
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(Capture.objects.exists())
        batch.refresh_from_db()
        self.assertEqual(batch.status, "ready")

    def test_a_commit_is_done_once(self) -> None:
        batch = self.upload(sample("tbank.csv"))
        self.commit(batch)
        with self.assertRaises(ValidationError) as caught:
            self.commit(batch)
        self.assertEqual(caught.exception.code, "import_not_ready")
        self.assertEqual(Transaction.objects.count(), 9)

    def test_hostile_and_broken_files_are_refused_naming_the_row(self) -> None:
        tbank = sample("tbank.csv").decode("cp1251")
        bad_date = tbank.replace("21.11.2026 12:00:00", "31.02.2026 12:00:00", 1)
        error = self.refused(bad_date.encode("cp1251"), "bad_date", row=6)
        self.assertEqual(error.messages, ["Строка 6: «31.02.2026 12:00:00» — не дата."])
        bad_amount = tbank.replace('"-612,00"', '"NaN"', 1)
        self.refused(bad_amount.encode("cp1251"), "bad_amount", row=3)
        yen = b"Date;Amount;Currency;Note\n2026-11-24;-1.50;JPY;Sushi\n"
        self.refused(yen, "bad_amount", row=1)
        self.refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "unknown_format")
        self.refused(b"date;amount\n01.11.2026;5\x98\n", "bad_encoding")
        self.refused(b"", "empty")
        ofx2 = sample("statement-v2.ofx").decode()
        declaration, rest = ofx2.split("\n", 1)
        pi, body = rest.split("\n", 1)
        bomb = f"{declaration}\n{pi}\n{BOMB_DTD}\n" + body.replace("ACME CORP PAYROLL", "&lol9;")
        self.refused(bomb.encode(), "xml_forbidden")
        with override_settings(IMPORT_MAX_BYTES=1000):
            error = self.refused(sample("tbank.csv"), "too_big")
        with override_settings(IMPORT_MAX_ROWS=5):
            self.refused(sample("tbank.csv"), "too_many_rows")
        self.refused("Дата;Описание\n01.11.2026;кофе\n".encode(), "columns_missing")
