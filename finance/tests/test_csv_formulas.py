"""CSV injection: every part of a cell a spreadsheet could run is made text, whatever
separator it splits at, and the import gives back exactly what was written."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

from finance.data import exports, imports
from finance.models import Transaction
from finance.readers.statements import formulas
from finance.services.transactions import transaction_create
from finance.tests.apitest import ApiTestCase

# What a spreadsheet runs at the start of a cell (OWASP), with the full-width forms.
RUNS = tuple("=+-@\t\r") + tuple("＝＋－＠") + tuple("﹦﹢﹣﹫")
HOSTILE = [
    "x;=1+2;y",  # a formula where `;` is the separator (Excel in Russian)
    "x,=1+2,y",
    "x\t@SUM(A1)",
    "x\n-2+3",
    "＝1+2",  # full-width
    "x;﹦1+2",  # small form
    "a;＠cmd",
    "  =1+2",  # spaces before it
    "a; +1",
    '=HYPERLINK("http://evil")',
    "\t=1",
    "-",
]
OWN = ["'мой", "''", "it's", "'=1", "a;'=1", "x;'y", "", "кофе 250"]


def cells(text: str) -> list[str]:
    """Every cell a spreadsheet splitting at any separator could make of `text`."""
    return [part.lstrip(" ") for part in re.split(r"[,;\t\r\n]", text)]


class FormulasTestCase(ApiTestCase):
    def test_no_part_of_a_protected_cell_starts_a_formula(self) -> None:
        for value in HOSTILE + OWN:
            with self.subTest(value=value):
                protected = formulas.protect(value)
                self.assertFalse(protected.lstrip(" ").startswith(RUNS), protected)
                for part in cells(protected):
                    self.assertFalse(part.startswith(RUNS), (protected, part))

    def test_restore_gives_back_exactly_what_was_protected(self) -> None:
        for value in HOSTILE + OWN:
            with self.subTest(value=value):
                self.assertEqual(formulas.restore(formulas.protect(value)), value)
        # What the export did not escape stays as it is.
        for value in ("'мой", "it's", "x;'y"):
            self.assertEqual(formulas.restore(value), value)

    def test_an_exported_note_reads_back_as_written_in_both_forms(self) -> None:
        category = self.category(self.alice, "cafe")
        notes = [n for n in HOSTILE + OWN if n.strip()]
        for note in notes:
            transaction_create(
                user=self.alice,
                kind="expense",
                amount=Decimal("10"),
                currency="RUB",
                category=category,
                date=date(2026, 11, 2),
                note=note,
                source="web",
            )
        stored = list(Transaction.objects.order_by("pk").values_list("note", flat=True))
        for excel in (False, True):
            with self.subTest(excel=excel):
                written = "".join(
                    exports.transactions_csv(user=self.alice, start=None, end=None, excel=excel)
                )
                # As the spreadsheet sees each cell: none starts a formula.
                rows = csv.reader(
                    io.StringIO(written.lstrip("\ufeff")), delimiter=";" if excel else ","
                )
                for row in rows:
                    for cell in row:
                        for part in cells(cell):
                            self.assertFalse(part.startswith(RUNS), (cell, part))
                table = imports.read_table(written.encode())
                options = imports.Options(mapping=imports.guess_mapping(table.header))
                preview = imports.preview(user=self.bob, table=table, options=options)
                self.assertEqual(preview.problems, [])
                # The import strips a note's outer spaces, as it always has.
                self.assertEqual([r.note for r in preview.rows], [n.strip() for n in stored])
