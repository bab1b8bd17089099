from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.data import exports, imports
from finance.models import ExchangeRateRequest, ImportBatch, Transaction

# A Russian bank's statement: semicolons, Windows-1251, day-first dates with the time,
# comma decimals with a space between thousands, spending negative.
BANK = (
    "Дата операции;Сумма операции;Валюта операции;Категория;Описание\n"
    "24.11.2026 13:05:00;-1 250,50;RUB;Супермаркеты;Пятёрочка\n"
    "25.11.2026 09:00:00;-45,20;EUR;Кафе и рестораны;Кофе в Риге\n"
    "25.11.2026 18:00:00;85 000,00;RUB;Зарплата;Аванс\n"
).encode("cp1251")


class ImportTestCase(BaseTestCase):
    def table(self, content: bytes) -> imports.Table:
        return imports.read_table(content)

    def options(self, table: imports.Table, **kwargs: str) -> imports.Options:
        return imports.Options(mapping=imports.guess_mapping(table.header), **kwargs)

    def test_a_bank_statement_is_read_as_it_is_written(self) -> None:
        table = self.table(BANK)
        self.assertEqual(
            imports.guess_mapping(table.header),
            {"date": 0, "amount": 1, "currency": 2, "category": 3, "note": 4, "kind": None},
        )
        preview = imports.preview(user=self.alice, table=table, options=self.options(table))
        self.assertEqual(preview.problems, [])
        got = [
            (r.date, r.kind, r.amount, r.currency, r.category and r.category.slug, r.note)
            for r in preview.rows
        ]
        self.assertEqual(
            got[0], (date(2026, 11, 24), "expense", Decimal("1250.50"), "RUB", "other", "Пятёрочка")
        )
        self.assertEqual(got[1][1:5], ("expense", Decimal("45.20"), "EUR", "cafe"))
        self.assertEqual(got[2][1:5], ("income", Decimal("85000.00"), "RUB", "salary"))
        self.assertFalse(Transaction.objects.exists())  # a preview writes nothing

    def test_it_imports_all_rows_once(self) -> None:
        table = self.table(BANK)
        batch = imports.transactions_import(
            user=self.alice, table=table, options=self.options(table), filename="bank.csv"
        )
        self.assertEqual(batch.rows, 3)
        rows = Transaction.objects.filter(created_by=self.alice)
        self.assertEqual(rows.count(), 3)
        self.assertEqual(set(rows.values_list("source", flat=True)), {"import"})
        self.assertTrue(
            AuditLog.objects.filter(action="transactions.import", user=self.alice).exists()
        )
        # The EUR row has no rate yet: it is asked for.
        self.assertTrue(
            ExchangeRateRequest.objects.filter(base="EUR", date=date(2026, 11, 25)).exists()
        )
        with self.assertRaises(ValidationError) as cm:
            imports.transactions_import(
                user=self.alice, table=self.table(BANK), options=self.options(table)
            )
        self.assertEqual(cm.exception.code, "import_repeated")
        self.assertEqual(rows.count(), 3)
        # Another person may import the same file: it is theirs.
        imports.transactions_import(
            user=self.bob, table=self.table(BANK), options=self.options(table)
        )
        self.assertEqual(Transaction.objects.filter(created_by=self.bob).count(), 3)

    def test_a_bad_row_means_nothing_is_written(self) -> None:
        content = BANK.replace(b"-45,20", b"abc").replace(b"25.11.2026 18", b"31.02.2026 18")
        table = self.table(content)
        preview = imports.preview(user=self.alice, table=table, options=self.options(table))
        self.assertEqual([r.line for r in preview.problems], [3, 4])
        with self.assertRaises(ValidationError) as cm:
            imports.transactions_import(user=self.alice, table=table, options=self.options(table))
        self.assertEqual(cm.exception.code, "import_rows_invalid")
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(ImportBatch.objects.exists())

    def test_english_formats_and_the_chosen_mapping(self) -> None:
        table = self.table(
            b'Date,Amount,Category,Note\n11/03/2026,12.50,Transport,Taxi\n11/30/2026,"1,234.00",Groceries,\n'
        )
        preview = imports.preview(
            user=self.bob, table=table, options=self.options(table, date_format="mdy")
        )
        self.assertEqual(preview.problems, [])
        self.assertEqual(
            [(r.date, r.amount, r.currency, r.category.slug) for r in preview.rows],  # type: ignore[union-attr]
            [
                (date(2026, 11, 3), Decimal("12.50"), "USD", "transport"),
                (date(2026, 11, 30), Decimal("1234.00"), "USD", "groceries"),
            ],
        )
        day_first = imports.preview(user=self.bob, table=table, options=self.options(table))
        self.assertEqual([r.line for r in day_first.problems], [3])  # 30th month

    def test_our_own_export_reads_back(self) -> None:
        imports.transactions_import(
            user=self.alice, table=self.table(BANK), options=self.options(self.table(BANK))
        )
        Transaction.objects.filter(created_by=self.alice).update(note="=1+1")
        exported = "".join(exports.transactions_csv(user=self.alice, start=None, end=None)).encode()
        table = self.table(exported)
        preview = imports.preview(user=self.bob, table=table, options=self.options(table))
        self.assertEqual(preview.problems, [])
        self.assertEqual([r.note for r in preview.rows], ["=1+1"] * 3)
        self.assertEqual([r.kind for r in preview.rows], ["expense", "expense", "income"])
        # The form for Excel (semicolons, decimal commas, a BOM) reads back the same.
        excel = exports.transactions_csv(user=self.alice, start=None, end=None, excel=True)
        table = self.table("".join(excel).encode())
        again = imports.preview(user=self.bob, table=table, options=self.options(table))
        self.assertEqual(again.problems, [])
        self.assertEqual(
            [(r.date, r.kind, r.amount, r.currency) for r in again.rows],
            [(r.date, r.kind, r.amount, r.currency) for r in preview.rows],
        )
        self.assertEqual(
            [r.amount for r in again.rows], [Decimal("1250.50"), Decimal("45.20"), Decimal(85000)]
        )

    def test_files_that_are_not_csv_are_refused(self) -> None:
        for content in (b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"date,amount\n"):
            with self.subTest(content=content), self.assertRaises(ValidationError):
                imports.read_table(content)
        table = self.table(b"when,how much\n2026-11-01,5\n")
        with self.assertRaises(ValidationError) as cm:
            imports.preview(user=self.alice, table=table, options=self.options(table))
        self.assertEqual(cm.exception.code, "import_column_missing")


class ImportPreviewCostTestCase(BaseTestCase):
    def table(self, names: int) -> imports.Table:
        lines = ["date,amount,category"]
        lines += [f"2026-11-01,{n + 1},Категория {n}" for n in range(names)]
        lines += ["2026-11-02,5,cafe", "2026-11-02,6,кофе"]  # a slug and a keyword
        return imports.read_table("\n".join(lines).encode())

    def test_the_preview_asks_the_database_the_same_however_many_names(self) -> None:
        # The probe's 14 s: a query or more per distinct category name.
        counts = []
        for names in (5, 500):
            table = self.table(names)
            options = imports.Options(mapping=imports.guess_mapping(table.header))
            with CaptureQueriesContext(connection) as queries:
                preview = imports.preview(user=self.alice, table=table, options=options)
            counts.append(len(queries))
            self.assertEqual(len(preview.rows), names + 2)
            self.assertEqual(preview.problems, [])
            # Unknown names fall back to "other", a slug and a keyword find their category.
            self.assertEqual({r.category.slug for r in preview.rows[:-2] if r.category}, {"other"})
            self.assertEqual(
                [r.category and r.category.slug for r in preview.rows[-2:]], ["cafe", "cafe"]
            )
        self.assertEqual(counts[0], counts[1])
