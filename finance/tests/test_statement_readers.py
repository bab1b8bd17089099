"""The statement readers: each format told by its bytes, read row by row as its bank writes
it. Pure code: no database."""

from datetime import date, time
from decimal import Decimal
from pathlib import Path
from unittest import TestCase

from finance.readers.statements import (
    CsvOptions,
    Format,
    Kind,
    Statement,
    Status,
    detect_format,
    read_statement,
)
from finance.tests import statement_files

DATA = Path(__file__).parent / "data" / "statements"
LIMIT = 10 * 1024 * 1024


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def read(content: bytes, **kwargs: object) -> Statement:
    return read_statement(content, default_currency="RUB", max_bytes=LIMIT, **kwargs)  # type: ignore[arg-type]


class DetectionTestCase(TestCase):
    def test_each_sample_is_told_by_its_bytes(self) -> None:
        expected = {
            "tbank.csv": Format.TBANK_CSV,
            "sber.csv": Format.SBER_CSV,
            "statement-v1.ofx": Format.OFX1,
            "statement-v2.ofx": Format.OFX2,
            "quicken.qif": Format.QIF,
            "camt053.xml": Format.CAMT053,
            "generic.csv": Format.CSV,
        }
        self.assertEqual({p.name for p in DATA.iterdir()}, set(expected))
        for name, found in expected.items():
            with self.subTest(name):
                self.assertEqual(detect_format(sample(name)), found)
                self.assertEqual(read(sample(name)).format, found)

    def test_generated_files_are_told_too(self) -> None:
        for name, make in statement_files.MAKERS.items():
            with self.subTest(name):
                self.assertEqual(detect_format(make(20)), Format(name))

    def test_an_ofx_body_without_its_header_is_ofx_1(self) -> None:
        content = sample("statement-v1.ofx")
        body = content[content.index(b"<OFX>") :]
        self.assertEqual(detect_format(body), Format.OFX1)
        self.assertEqual(len(read(body).rows), 4)


class TBankTestCase(TestCase):
    def test_it_reads_completed_operations_with_mcc_and_category(self) -> None:
        statement = read(sample("tbank.csv"))
        self.assertEqual(len(statement.rows), 9)
        first = statement.rows[0]
        self.assertEqual(
            (first.index, first.date, first.time, first.kind, first.amount, first.currency),
            (1, date(2026, 11, 24), time(13, 5, 41), Kind.EXPENSE, Decimal("1250.50"), "RUB"),
        )
        self.assertEqual(
            (first.description, first.mcc, first.bank_category, first.counterpart, first.card),
            ("Пятёрочка", "5411", "Супермаркеты", "Пятёрочка", "4417"),
        )
        by_text = {r.description: r for r in statement.rows}
        self.assertEqual(by_text["Яндекс Такси"].mcc, "4121")
        self.assertEqual(by_text["Зарплата ООО «Ромашка»"].kind, Kind.INCOME)
        self.assertEqual(by_text["Иван П."].kind, Kind.EXPENSE)
        self.assertIsNone(by_text["Иван П."].mcc)
        # Midnight is how T-Bank writes a day without its time.
        self.assertIsNone(by_text["Кэшбэк за покупки"].time)
        self.assertEqual(by_text["Кэшбэк за покупки"].kind, Kind.INCOME)

    def test_money_back_from_a_shop_is_a_refund(self) -> None:
        refund = read(sample("tbank.csv")).rows[5]
        self.assertEqual((refund.index, refund.description), (7, "Пятёрочка"))
        self.assertEqual((refund.kind, refund.amount, refund.signed), (Kind.REFUND, 399, 399))

    def test_a_purchase_abroad_keeps_both_amounts(self) -> None:
        row = read(sample("tbank.csv")).rows[4]
        self.assertEqual((row.amount, row.currency), (Decimal("45.20"), "EUR"))
        self.assertEqual((row.account_amount, row.account_currency), (Decimal("4339.20"), "RUB"))
        self.assertEqual(row.signed, Decimal("-45.20"))

    def test_failed_and_waiting_operations_are_left_out(self) -> None:
        statement = read(sample("tbank.csv"))
        self.assertEqual(
            [(r.index, r.status, r.description) for r in statement.left_out],
            [(4, Status.FAILED, "DNS"), (11, Status.PENDING, "Аптека Ригла")],
        )
        self.assertTrue(all(r.status == Status.COMPLETED for r in statement.rows))

    def test_columns_are_found_by_their_headings(self) -> None:
        # Another export version: columns reordered, some missing, a heading written twice,
        # a trailing separator, rows longer and shorter than the heading row.
        content = (
            "Описание;Статус;Сумма операции;Валюта операции;MCC;Номер карты;Сумма платежа;"
            "Дата операции;Описание;\n"
            "Пятёрочка;OK;-1250,50;RUB;5411;*4417;-1250,50;24.11.2026 13:05:41;дубль;;лишнее\n"
            "Яндекс Такси;OK;-612,00;RUB;4121;*4417;-612,00;23.11.2026 23:47:10\n"
        ).encode("cp1251")
        statement = read(content)
        self.assertEqual(statement.format, Format.TBANK_CSV)
        self.assertEqual(
            [(r.description, r.signed, r.mcc, r.bank_category, r.date) for r in statement.rows],
            [
                ("Пятёрочка", Decimal("-1250.50"), "5411", None, date(2026, 11, 24)),
                ("Яндекс Такси", Decimal("-612.00"), "4121", None, date(2026, 11, 23)),
            ],
        )

    def test_a_big_export_reads_whole(self) -> None:
        statement = read(statement_files.tbank_csv(3000))
        self.assertEqual(len(statement.rows) + len(statement.left_out), 3000)
        self.assertEqual(len(statement.left_out), 3000 // 97)
        self.assertEqual(statement.rows[-1].index, 3000)


class SberTestCase(TestCase):
    def test_it_reads_below_the_account_lines(self) -> None:
        statement = read(sample("sber.csv"))
        self.assertEqual(len(statement.rows), 7)
        first = statement.rows[0]
        self.assertEqual(
            (first.date, first.time, first.kind, first.amount, first.description, first.bank_id),
            (
                date(2026, 11, 24),
                time(13, 5),
                Kind.EXPENSE,
                Decimal("1250.50"),
                "PYATEROCHKA 1234 Moscow RUS",
                "284715",
            ),
        )
        self.assertEqual(first.bank_category, "Супермаркеты")

    def test_a_plus_is_money_in_and_no_sign_money_out(self) -> None:
        rows = read(sample("sber.csv")).rows
        self.assertEqual(
            [(r.kind, r.signed) for r in rows[2:5]],
            [
                (Kind.INCOME, Decimal("3000.00")),
                (Kind.EXPENSE, Decimal("-2800.00")),
                (Kind.INCOME, Decimal("85000.00")),
            ],
        )

    def test_a_payment_in_lari_and_a_pending_one(self) -> None:
        statement = read(sample("sber.csv"))
        lari = statement.rows[6]
        self.assertEqual((lari.amount, lari.currency), (Decimal("25.00"), "GEL"))
        self.assertEqual((lari.account_amount, lari.account_currency), (Decimal("851.75"), "RUB"))
        self.assertEqual(
            [(r.index, r.description) for r in statement.left_out], [(8, "VKUSVILL Moscow RUS")]
        )


class OfxTestCase(TestCase):
    def test_ofx_1_in_windows_1251_with_the_old_ruble_code(self) -> None:
        statement = read(sample("statement-v1.ofx"))
        self.assertEqual(statement.format, Format.OFX1)
        first, taxi, salary, refund = statement.rows
        self.assertEqual(
            (first.date, first.time, first.amount, first.currency, first.mcc, first.bank_id),
            (
                date(2026, 11, 24),
                time(13, 5, 41),
                Decimal("1250.50"),
                "RUB",
                "5411",
                "T2026112400017",
            ),
        )
        self.assertEqual(first.counterpart, "Пятёрочка")
        self.assertEqual(first.description, "Пятёрочка Оплата в PYATEROCHKA 1234 Moscow RUS")
        # The bank's own day and time, not the UTC ones (21:45 the day before).
        self.assertEqual((taxi.date, taxi.time), (date(2026, 11, 24), time(0, 45, 10)))
        self.assertEqual((salary.kind, salary.time), (Kind.INCOME, None))
        self.assertEqual(refund.kind, Kind.REFUND)

    def test_ofx_2_with_a_foreign_currency(self) -> None:
        statement = read(sample("statement-v2.ofx"))
        self.assertEqual(statement.format, Format.OFX2)
        self.assertEqual(
            [(r.date, r.kind, r.signed, r.currency, r.mcc) for r in statement.rows],
            [
                (date(2026, 11, 3), Kind.EXPENSE, Decimal("-54.23"), "USD", "5411"),
                (date(2026, 11, 5), Kind.EXPENSE, Decimal("-6.75"), "USD", "5814"),
                (date(2026, 11, 6), Kind.EXPENSE, Decimal("-20.00"), "EUR", "5812"),
                (date(2026, 11, 15), Kind.INCOME, Decimal("3200.00"), "USD", None),
                (date(2026, 11, 30), Kind.INCOME, Decimal("1.12"), "USD", None),
            ],
        )
        paris = statement.rows[2]
        self.assertEqual((paris.account_amount, paris.account_currency), (Decimal("21.74"), "USD"))
        self.assertEqual(statement.rows[1].time, time(14, 30))

    def test_entities_in_ofx_1_are_read_as_text(self) -> None:
        content = sample("statement-v2.ofx").replace(b"WHOLE FOODS MKT", b"M&amp;S FOODS")
        self.assertTrue(read(content).rows[0].counterpart.startswith("M&S FOODS"))  # type: ignore[union-attr]
        v1 = sample("statement-v1.ofx").replace("Пятёрочка".encode("cp1251"), b"M&amp;S", 1)
        self.assertEqual(read(v1).rows[0].counterpart, "M&S")

    def test_both_versions_of_a_big_file_give_the_same_rows(self) -> None:
        one = read(statement_files.ofx(2000, version=1))
        two = read(statement_files.ofx(2000, version=2))
        self.assertEqual(len(one.rows), 2000)
        self.assertEqual([r.fingerprint for r in one.rows], [r.fingerprint for r in two.rows])


class QifTestCase(TestCase):
    def test_quicken_dates_amounts_and_categories(self) -> None:
        rows = read_statement(sample("quicken.qif"), default_currency="USD", max_bytes=LIMIT).rows
        self.assertEqual(
            [(r.date, r.signed, r.currency, r.bank_category) for r in rows],
            [
                (date(2026, 11, 3), Decimal("-54.23"), "USD", "Food:Groceries"),
                (date(2026, 11, 5), Decimal("-1250.00"), "USD", "Housing:Rent"),
                (date(2026, 11, 15), Decimal("3200.00"), "USD", "Salary"),
                (date(2026, 11, 20), Decimal("-500.00"), "USD", None),
                (date(2026, 11, 21), Decimal("-86.40"), "USD", "Food:Groceries"),
            ],
        )
        self.assertEqual(rows[0].description, "Whole Foods Market Weekly groceries")
        self.assertEqual(rows[1].bank_id, "1045")
        self.assertEqual(rows[3].counterpart, "[Savings]")

    def test_day_first_dates_and_comma_decimals(self) -> None:
        content = "!Type:CCard\nD03.11.2026\nT-1 250,50\nPПятёрочка\n^\nD24.11.2026\nT399,00\nPПятёрочка\n^\n"
        rows = read(content.encode("cp1251")).rows
        self.assertEqual(
            [(r.date, r.signed, r.counterpart) for r in rows],
            [
                (date(2026, 11, 3), Decimal("-1250.50"), "Пятёрочка"),
                (date(2026, 11, 24), Decimal("399.00"), "Пятёрочка"),
            ],
        )

    def test_a_big_file(self) -> None:
        self.assertEqual(len(read(statement_files.qif(500)).rows), 500)


class CamtTestCase(TestCase):
    def test_entries_with_parties_reversals_and_status(self) -> None:
        statement = read(sample("camt053.xml"))
        self.assertEqual(
            [(r.date, r.kind, r.signed, r.currency, r.counterpart) for r in statement.rows],
            [
                (date(2026, 11, 3), Kind.EXPENSE, Decimal("-42.17"), "EUR", "REWE Markt GmbH"),
                (date(2026, 11, 14), Kind.INCOME, Decimal("3150.00"), "EUR", "Beispiel AG"),
                (date(2026, 11, 18), Kind.REFUND, Decimal("19.99"), "EUR", "Zalando SE"),
                (date(2026, 11, 21), Kind.EXPENSE, Decimal("-25.80"), "CHF", "SBB CFF FFS"),
            ],
        )
        self.assertEqual(statement.rows[0].description, "REWE SAGT DANKE 4417 03.11 18:22")
        self.assertEqual(statement.rows[0].bank_id, "2026110300042")
        self.assertEqual(statement.rows[2].time, time(10, 42))
        self.assertEqual(
            (statement.rows[3].account_amount, statement.rows[3].account_currency),
            (Decimal("27.60"), "EUR"),
        )
        self.assertEqual(
            [(r.index, r.status, r.description) for r in statement.left_out],
            [(5, Status.PENDING, "Kartenzahlung MediaMarkt Berlin")],
        )

    def test_the_status_before_2019_is_a_bare_code(self) -> None:
        content = sample("camt053.xml").replace(b"<Sts><Cd>PDNG</Cd></Sts>", b"<Sts>BOOK</Sts>")
        self.assertEqual(len(read(content).rows), 5)

    def test_a_big_file(self) -> None:
        self.assertEqual(len(read(statement_files.camt053(1000)).rows), 1000)


class GenericCsvTestCase(TestCase):
    def test_it_reads_as_the_import_does(self) -> None:
        statement = read(sample("generic.csv"))
        self.assertEqual(
            [
                (r.date, r.kind, r.amount, r.currency, r.bank_category, r.description)
                for r in statement.rows
            ],
            [
                (
                    date(2026, 11, 24),
                    Kind.EXPENSE,
                    Decimal("1250.50"),
                    "RUB",
                    "Groceries",
                    "Пятёрочка",
                ),
                (
                    date(2026, 11, 25),
                    Kind.EXPENSE,
                    Decimal("45.20"),
                    "EUR",
                    "Cafes",
                    "Coffee in Riga",
                ),
                (date(2026, 11, 25), Kind.INCOME, Decimal("85000.00"), "RUB", "Salary", "Advance"),
            ],
        )

    def test_the_chosen_columns_and_formats(self) -> None:
        content = b"when;what;how much\n11/03/2026;Taxi;12.50 USD\n11/30/2026;Groceries;$1,234.00\n"
        options = CsvOptions(
            mapping={"date": 0, "amount": 2, "note": 1}, date_format="mdy", decimal="dot"
        )
        rows = read_statement(
            content, default_currency="USD", max_bytes=LIMIT, csv_options=options
        ).rows
        self.assertEqual(
            [(r.date, r.amount, r.currency, r.kind, r.description) for r in rows],
            [
                (date(2026, 11, 3), Decimal("12.50"), "USD", Kind.EXPENSE, "Taxi"),
                (date(2026, 11, 30), Decimal("1234.00"), "USD", Kind.EXPENSE, "Groceries"),
            ],
        )

    def test_a_kind_column(self) -> None:
        content = "Дата;Сумма;Тип;Описание\n01.11.2026;500;расход;Кофе\n02.11.2026;700;возврат;Кофе\n03.11.2026;900;доход;Аванс\n"
        rows = read(content.encode()).rows
        self.assertEqual([r.kind for r in rows], [Kind.EXPENSE, Kind.REFUND, Kind.INCOME])

    def test_a_big_file(self) -> None:
        self.assertEqual(len(read(statement_files.generic_csv(2000)).rows), 2000)
