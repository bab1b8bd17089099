"""The MCC table (finance/readers/mcc.tsv) and its loader."""

import subprocess
import sys
from pathlib import Path
from unittest import TestCase

from finance.defaults import DEFAULT_CATEGORIES
from finance.models import Kind
from finance.readers import mcc

ROOT = Path(__file__).resolve().parents[2]


class MccTableTestCase(TestCase):
    def test_the_codes_the_issue_names(self) -> None:
        expected = {
            "5411": "groceries",
            "5812": "cafe",
            "5814": "cafe",
            "4121": "transport",
            "5541": "car",
            "5542": "car",
            "5912": "health",
            "4814": "communication",
            "7832": "entertainment",
        }
        self.assertEqual({code: mcc.category_for(code) for code in expected}, expected)

    def test_every_slug_is_a_default_expense_category(self) -> None:
        expenses = {d.slug for d in DEFAULT_CATEGORIES if d.kind == Kind.EXPENSE}
        self.assertLessEqual(set(mcc.table().values()), expenses)
        lines = [ln for ln in mcc.TABLE.read_text().splitlines() if ln[:1].isdigit()]
        self.assertGreaterEqual(len(lines), 60)

    def test_ranges_and_codes_left_out(self) -> None:
        self.assertEqual(mcc.category_for("3000"), "travel")  # an airline's own code
        self.assertEqual(mcc.category_for("3299"), "travel")
        self.assertEqual(mcc.category_for("3501"), "travel")  # a hotel chain's
        for transfer in ("4829", "6011", "6012", "6536", "6538"):
            self.assertIsNone(mcc.category_for(transfer))
        self.assertIsNone(mcc.category_for(None))
        self.assertIsNone(mcc.category_for(""))

    def test_a_broken_table_is_refused_with_its_line(self) -> None:
        self.assertEqual(mcc.parse("# note\n5411\tgroceries\tGrocery\n"), {"5411": "groceries"})
        for text in (
            "541\tgroceries\tGrocery\n",
            "5411\tgroceries\n",
            "5411 groceries Grocery\n",
            "5411\tgroceries\tGrocery\n5400-5420\tgroceries\tStores\n",
            "5420-5411\tgroceries\tBackwards\n",
        ):
            with self.subTest(text), self.assertRaises(ValueError):
                mcc.parse(text)


class PurityTestCase(TestCase):
    def test_the_readers_need_no_django_settings_nor_models(self) -> None:
        # A fresh interpreter with no settings: importing and reading must not touch them.
        script = (
            "import sys; from pathlib import Path\n"
            "from finance.readers.statements import read_statement\n"
            "s = read_statement(Path('finance/tests/data/statements/tbank.csv').read_bytes(),"
            " default_currency='RUB', max_bytes=10**6)\n"
            "assert len(s.rows) == 9, s\n"
            "bad = sorted(m for m in sys.modules if m.startswith(('django.db', 'django.conf.urls',"
            " 'finance.models', 'ledgers', 'accounts')))\n"
            "print(bad)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
            check=False,
        )
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "[]"), result.stderr)
