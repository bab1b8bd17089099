"""Hostile or broken statement files: refused whole, with a code and the row to blame."""

from pathlib import Path
from unittest import TestCase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.readers.statements import Code, FileError, RowError, StatementError, read_statement
from finance.tests import statement_files

DATA = Path(__file__).parent / "data" / "statements"

# The classic "billion laughs": ten levels of ten entities, a gigabyte when expanded.
BOMB_DTD = (
    '<!DOCTYPE OFX [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def tbank(old: str, new: str) -> bytes:
    content = sample("tbank.csv").decode("cp1251")
    assert old in content
    return content.replace(old, new, 1).encode("cp1251")


class RefusalTestCase(TestCase):
    def refused(
        self, content: bytes, code: Code, *, row: int | None = None, **kwargs: object
    ) -> StatementError:
        options: dict[str, object] = {"default_currency": "RUB", "max_bytes": 10 * 1024 * 1024}
        with self.assertRaises(StatementError) as caught:
            read_statement(content, **(options | kwargs))  # type: ignore[arg-type]
        self.assertEqual((caught.exception.code, caught.exception.row), (code, row))
        self.assertIsInstance(caught.exception, RowError if row is not None else FileError)
        return caught.exception

    def test_empty_and_oversized_files(self) -> None:
        self.refused(b"", Code.EMPTY)
        self.refused(b" \r\n", Code.EMPTY)
        content = sample("tbank.csv")
        self.refused(content, Code.TOO_BIG, max_bytes=len(content) - 1)
        read_statement(content, default_currency="RUB", max_bytes=len(content))
        self.refused(statement_files.tbank_csv(30), Code.TOO_MANY_ROWS, max_rows=29)

    def test_files_that_are_no_statement(self) -> None:
        for content in (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            b"PK\x03\x04\x14\x00\x06\x00",  # an .xlsx
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # an .xls
            b'<?xml version="1.0"?><rss><channel/></rss>',
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt/></Document>',
            "Просто текст без столбцов\nи без чисел\n".encode(),
        ):
            with self.subTest(content[:20]):
                self.refused(content, Code.UNKNOWN_FORMAT)

    def test_bad_encodings(self) -> None:
        # UTF-16 without its byte-order mark, and bytes neither UTF-8 nor Windows-1251 reads.
        self.refused("Дата;Сумма\n01.11.2026;5\n".encode("utf-16-le"), Code.BAD_ENCODING)
        self.refused(b"date;amount\n01.11.2026;5\x98\n", Code.BAD_ENCODING)
        ofx = sample("statement-v1.ofx").replace(b"CHARSET:1251", b"CHARSET:NONE\r\nENCODING:UTF-8")
        self.refused(ofx.replace(b"ENCODING:USASCII\r\n", b""), Code.BAD_ENCODING)

    def test_xml_bombs_and_external_entities(self) -> None:
        ofx2 = sample("statement-v2.ofx").decode()
        declaration, rest = ofx2.split("\n", 1)
        pi, body = rest.split("\n", 1)
        bomb = f"{declaration}\n{pi}\n{BOMB_DTD}\n" + body.replace("ACME CORP PAYROLL", "&lol9;")
        self.refused(bomb.encode(), Code.XML_FORBIDDEN)
        external = (
            f'{declaration}\n{pi}\n<!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        )
        self.refused(
            (external + body.replace("ACME CORP PAYROLL", "&x;")).encode(), Code.XML_FORBIDDEN
        )
        camt = (
            sample("camt053.xml")
            .decode()
            .replace(
                '<?xml version="1.0" encoding="UTF-8"?>\n',
                f'<?xml version="1.0" encoding="UTF-8"?>\n{BOMB_DTD.replace("OFX", "Document")}\n',
            )
        )
        self.refused(camt.replace("GEHALT NOVEMBER 2026", "&lol9;").encode(), Code.XML_FORBIDDEN)
        sgml = sample("statement-v1.ofx").replace(b"<OFX>", BOMB_DTD.encode() + b"\r\n<OFX>", 1)
        self.refused(sgml, Code.XML_FORBIDDEN)

    def test_broken_markup(self) -> None:
        self.refused(sample("statement-v2.ofx").replace(b"</STMTRS>", b""), Code.MALFORMED)
        self.refused(sample("camt053.xml")[:-40], Code.MALFORMED)
        self.refused(
            sample("statement-v1.ofx").replace(b"<CCSTMTRS>", b"<CCSTMTXX>"), Code.MALFORMED
        )

    def test_impossible_dates_name_their_row(self) -> None:
        error = self.refused(
            tbank("21.11.2026 12:00:00", "31.02.2026 12:00:00"), Code.BAD_DATE, row=6
        )
        self.assertEqual(error.value, "31.02.2026 12:00:00")
        self.refused(tbank("22.11.2026 16:02:55", "22.11.2026 25:02:55"), Code.BAD_DATE, row=5)
        self.refused(tbank("24.11.2026 09:12:03", "24.11.1812 09:12:03"), Code.BAD_DATE, row=2)
        self.refused(tbank("24.11.2026 09:12:03", "вчера"), Code.BAD_DATE, row=2)
        self.refused(
            sample("statement-v2.ofx").replace(b"20261115", b"20261315"), Code.BAD_DATE, row=4
        )
        self.refused(
            sample("camt053.xml").replace(b"2026-11-14", b"2026-11-31"), Code.BAD_DATE, row=2
        )
        qif = sample("quicken.qif").replace(b"D11/15/2026", b"D02/30/2026")
        self.refused(qif, Code.BAD_DATE, row=3)
        sber = sample("sber.csv").replace(b"22.11.2026;15:00", b"22.11.2026;15:70")
        self.refused(sber, Code.BAD_DATE, row=4)

    def test_impossible_amounts_name_their_row(self) -> None:
        self.refused(tbank('"-612,00"', '"NaN"'), Code.BAD_AMOUNT, row=3)
        self.refused(tbank('"-612,00"', '"-Infinity"'), Code.BAD_AMOUNT, row=3)
        self.refused(tbank('"-612,00"', '"1e5"'), Code.BAD_AMOUNT, row=3)
        self.refused(tbank('"-612,00"', '"-612,005"'), Code.BAD_AMOUNT, row=3)
        self.refused(tbank('"-612,00"', '"-1 000 000 000 000,00"'), Code.AMOUNT_OUT_OF_RANGE, row=3)
        largest = tbank("-612,00", "-999 999 999 999,99")  # the most a ledger holds is read
        rows = read_statement(largest, default_currency="RUB", max_bytes=10**6).rows
        self.assertEqual(str(rows[2].amount), "999999999999.99")
        ofx2 = sample("statement-v2.ofx")
        self.refused(ofx2.replace(b"<TRNAMT>-6.75", b"<TRNAMT>NaN"), Code.BAD_AMOUNT, row=2)
        self.refused(
            ofx2.replace(b"<TRNAMT>-6.75", b"<TRNAMT>-1000000000000.00"),
            Code.AMOUNT_OUT_OF_RANGE,
            row=2,
        )
        camt = sample("camt053.xml")
        self.refused(camt.replace(b">3150.00<", b">NaN<"), Code.BAD_AMOUNT, row=2)
        self.refused(camt.replace(b">3150.00<", b">-3150.00<"), Code.BAD_AMOUNT, row=2)
        self.refused(camt.replace(b">3150.00<", b">1E+13<"), Code.AMOUNT_OUT_OF_RANGE, row=2)
        qif = sample("quicken.qif").replace(b"T3,200.00", b"Tnan")
        self.refused(qif, Code.BAD_AMOUNT, row=3)
        self.refused(
            sample("sber.csv").replace(b"+3 000,00;RUB;+3", b"+3 000,00;RUB;+x"),
            Code.BAD_AMOUNT,
            row=3,
        )

    def test_unknown_currencies_and_missing_columns(self) -> None:
        self.refused(tbank('"-45,20";"EUR"', '"-45,20";"XYZ"'), Code.UNKNOWN_CURRENCY, row=6)
        self.refused(
            sample("statement-v2.ofx").replace(b"<CURDEF>USD", b"<CURDEF>DOLLARS"),
            Code.UNKNOWN_CURRENCY,
        )
        self.refused(sample("generic.csv"), Code.UNKNOWN_CURRENCY, default_currency="XX")
        self.refused(b"when,how much\n2026-11-01,5\n", Code.COLUMNS_MISSING)
        self.refused(
            sample("statement-v2.ofx").replace(b"<TRNTYPE>INT", b"<TRNTYPE>GIFT"),
            Code.MALFORMED,
            row=5,
        )

    def test_a_row_error_says_which_row(self) -> None:
        error = self.refused(tbank('"-612,00"', '"NaN"'), Code.BAD_AMOUNT, row=3)
        self.assertIn("row 3", str(error))
        self.assertEqual(error.value, "NaN")


SAMPLES = sorted(p.name for p in DATA.iterdir())
# Bytes that break the formats' structure most: markup, quotes, separators, signs.
SHARDS = [b"<", b">", b"</STMTTRN>", b"<Ntry>", b";", b'"', b"\r", b"\n", b"^", b"&", b"-"]


class MangledFileTestCase(TestCase):
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        name=st.sampled_from(SAMPLES),
        edits=st.lists(
            st.tuples(
                st.floats(0, 1, exclude_max=True),
                st.sampled_from(["delete", "insert", "replace", "cut"]),
                st.one_of(st.sampled_from(SHARDS), st.binary(min_size=1, max_size=8)),
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def test_a_mangled_file_is_read_or_refused_never_crashes(
        self, name: str, edits: list[tuple[float, str, bytes]]
    ) -> None:
        data = bytearray(sample(name))
        for where, how, shard in edits:
            at = int(where * len(data))
            if how == "delete":
                del data[at : at + len(shard) * 4]
            elif how == "insert":
                data[at:at] = shard
            elif how == "replace":
                data[at : at + len(shard)] = shard
            else:
                del data[at:]
        try:
            statement = read_statement(bytes(data), default_currency="RUB", max_bytes=10**6)
        except StatementError as e:
            self.assertIn(e.code, set(Code))
        else:
            self.assertTrue(statement.rows or statement.left_out)
