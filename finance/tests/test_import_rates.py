import tempfile
import zipfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from finance.models import ExchangeRate

PLAIN = """date,base,quote,rate
2026-11-20,USD,RUB,95.1234
2026-11-21,usd,rub,96
2026-11-21,EUR,RUB,101.5
"""

# The ECB's historical file: one row per day against EUR, N/A for gaps, a trailing comma.
ECB_HIST = """Date,USD,JPY,CYP,RUB,
2026-11-21,1.0532,162.15,N/A,N/A,
2026-11-20,1.0550,161.90,N/A,N/A,
"""

# The ECB's daily file pads every field with a space and spells the date out.
ECB_DAILY = "Date, USD, JPY, GBP, \n24 November 2026, 1.0487, 160.84, 0.8312, \n"


class ImportRatesTestCase(TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp())

    def write(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text)
        return path

    def run_command(self, path: Path) -> str:
        out = StringIO()
        call_command("import_rates", str(path), stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_it_loads_a_plain_csv(self) -> None:
        output = self.run_command(self.write("rates.csv", PLAIN))
        self.assertIn("Loaded 3 rates from 2026-11-20 to 2026-11-21: 3 new", output)
        rate = ExchangeRate.objects.get(base="USD", quote="RUB", date=date(2026, 11, 20))
        self.assertEqual(rate.rate, Decimal("95.1234"))

    def test_it_is_idempotent(self) -> None:
        path = self.write("rates.csv", PLAIN)
        self.run_command(path)
        output = self.run_command(path)
        self.assertIn("0 new, 3 already present", output)
        self.assertEqual(ExchangeRate.objects.count(), 3)

    def test_a_new_file_corrects_a_published_rate(self) -> None:
        self.run_command(self.write("rates.csv", PLAIN))
        self.run_command(self.write("fix.csv", "date,base,quote,rate\n2026-11-21,USD,RUB,97\n"))
        self.assertEqual(
            ExchangeRate.objects.get(base="USD", date=date(2026, 11, 21)).rate, Decimal(97)
        )

    def test_it_loads_the_ecb_history_against_eur(self) -> None:
        self.run_command(self.write("eurofxref-hist.csv", ECB_HIST))
        self.assertEqual(ExchangeRate.objects.count(), 4)
        self.assertEqual(set(ExchangeRate.objects.values_list("base", flat=True)), {"EUR"})
        self.assertEqual(
            ExchangeRate.objects.get(quote="JPY", date=date(2026, 11, 20)).rate, Decimal("161.90")
        )

    def test_it_loads_the_ecb_daily_file(self) -> None:
        self.run_command(self.write("eurofxref.csv", ECB_DAILY))
        self.assertEqual(
            sorted(ExchangeRate.objects.values_list("quote", "date")),
            [("GBP", date(2026, 11, 24)), ("JPY", date(2026, 11, 24)), ("USD", date(2026, 11, 24))],
        )

    def test_it_reads_the_ecb_zip(self) -> None:
        path = self.dir / "eurofxref-hist.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("eurofxref-hist.csv", ECB_HIST)
        self.run_command(path)
        self.assertEqual(ExchangeRate.objects.count(), 4)

    def test_a_bad_line_writes_nothing_and_names_the_line(self) -> None:
        bad = PLAIN + "2026-11-22,USD,XYZ,1\n"
        with self.assertRaisesMessage(CommandError, "line 5: 'XYZ' is not an ISO 4217"):
            self.run_command(self.write("bad.csv", bad))
        for text, message in [
            ("date,base,quote,rate\n2026-13-01,USD,RUB,1\n", "line 2: '2026-13-01' is not a date"),
            ("date,base,quote,rate\n2026-11-01,USD,RUB,-1\n", "line 2: the rate must be positive"),
            ("date,base,quote,rate\n2026-11-01,USD,RUB,abc\n", "line 2: 'abc' is not a number"),
            ("date,base,quote,rate\n2026-11-01,USD,USD,1\n", "line 2: base and quote are both"),
            ("when,what\n", "unknown layout"),
            ("date,base,quote,rate\n", "no rates found"),
        ]:
            with self.subTest(message=message), self.assertRaisesMessage(CommandError, message):
                self.run_command(self.write("bad.csv", text))
        self.assertFalse(ExchangeRate.objects.exists())

    def test_a_missing_file_is_a_clear_error(self) -> None:
        with self.assertRaisesMessage(CommandError, "no such file"):
            self.run_command(self.dir / "nope.csv")
