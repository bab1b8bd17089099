"""Fingerprints: the same operation read again gives the same one, whatever the file's
encoding, line ends or quoting; two operations never share one."""

import unicodedata
from pathlib import Path
from unittest import TestCase

from finance.readers.statements import Statement, read_statement
from finance.tests import statement_files

DATA = Path(__file__).parent / "data" / "statements"


def read(content: bytes) -> Statement:
    return read_statement(content, default_currency="RUB", max_bytes=10**7)


def fingerprints(content: bytes) -> list[str]:
    statement = read(content)
    return [r.fingerprint for r in (*statement.rows, *statement.left_out)]


class FingerprintTestCase(TestCase):
    def test_the_same_t_bank_export_in_other_encodings(self) -> None:
        original = (DATA / "tbank.csv").read_bytes()
        text = original.decode("cp1251")
        expected = fingerprints(original)
        self.assertEqual(len(set(expected)), len(expected))
        for variant in (
            text.encode("utf-8"),
            text.encode("utf-8-sig"),
            text.encode("utf-16"),
            text.replace("\r\n", "\n").encode("cp1251"),
            text.replace('"', "").encode("utf-8"),  # saved again without quotes
            unicodedata.normalize("NFD", text).encode("utf-8"),  # as a Mac may write ё
        ):
            with self.subTest(variant[:8]):
                self.assertEqual(fingerprints(variant), expected)

    def test_the_same_ofx_in_another_charset(self) -> None:
        original = (DATA / "statement-v1.ofx").read_bytes()
        utf8 = original.decode("cp1251").replace("CHARSET:1251", "CHARSET:NONE")
        utf8 = utf8.replace("ENCODING:USASCII", "ENCODING:UTF-8")
        self.assertEqual(fingerprints(utf8.encode("utf-8")), fingerprints(original))

    def test_the_same_camt_in_another_encoding(self) -> None:
        original = (DATA / "camt053.xml").read_bytes()
        latin = original.decode().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        latin = latin.replace("Zuerich", "Zürich")
        self.assertEqual(
            fingerprints(latin.encode("latin-1")),
            fingerprints(original.replace(b"Zuerich", "Zürich".encode())),
        )

    def test_identical_operations_in_one_file_differ(self) -> None:
        content = (DATA / "tbank.csv").read_bytes().decode("cp1251")
        lines = content.splitlines()
        twice = "\r\n".join([*lines, lines[1]]).encode("cp1251")
        rows = read(twice).rows
        self.assertEqual(rows[0].description, rows[-1].description)
        self.assertNotEqual(rows[0].fingerprint, rows[-1].fingerprint)
        self.assertEqual(len({r.fingerprint for r in rows}), len(rows))

    def test_an_overlapping_statement_shares_its_common_rows(self) -> None:
        # October-November and November alone: November's operations are the same rows.
        both = read(statement_files.tbank_csv(400))
        lines = statement_files.tbank_csv(400).decode("cp1251").splitlines()
        later = "\r\n".join([lines[0], *lines[201:]]).encode("cp1251")
        common = {r.fingerprint for r in read(later).rows}
        self.assertEqual(common, {r.fingerprint for r in both.rows if r.index > 200})

    def test_any_change_of_what_matters_changes_it(self) -> None:
        original = (DATA / "tbank.csv").read_bytes().decode("cp1251")
        first = fingerprints(original.encode("cp1251"))[0]
        for old, new in (
            ("13:05:41", "13:05:42"),
            ('"-1250,50";"RUB";"-1250,50"', '"-1250,51";"RUB";"-1250,50"'),
            ('"5411";"Пятёрочка"', '"5411";"Пятерочка"'),
            ('"5411";"Пятёрочка"', '"5499";"Пятёрочка"'),
        ):
            with self.subTest(new):
                changed = original.replace(old, new, 1).encode("cp1251")
                self.assertNotEqual(fingerprints(changed)[0], first)
