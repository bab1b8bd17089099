"""QIF's two readers: our own for plain bank records, quiffen for the rest of QIF. A plain
file gives the same rows, or the same refusal, whichever reads it. Pure code: no database."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import TestCase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.readers.statements import Code, StatementError, StatementRow, qif
from finance.tests import statement_files

DATA = Path(__file__).parent / "data" / "statements"

# What a bank or a money app exports: two account types, their sections interleaved, a
# short year, both amount lines, a transfer, a cleared mark, an address, blank lines, and
# no `^` after the last record.
PLAIN = b"""!Type:Bank
D11/ 3'26
T-1,250.00
PLandlord LLC
MNovember rent
LHousing:Rent
N1045
C*
^
D11/05/2026
U3,200.00
T3,200.00
PACME Corp
LSalary
^

!Type:CCard
D11/06/2026
T-54.23
PWhole Foods Market
LFood:Groceries
AHouston TX
^
!Type:Bank
D11/20/2026
T-500.00
L[Savings]
MTransfer to savings
^
D11/21/2026
T-86.40
PCostco
NATM
"""


def outcome(content: bytes, *, plain: bool) -> list[StatementRow] | tuple[Code, int | None]:
    try:
        return list(qif.read(content, default_currency="RUB", plain=plain))
    except StatementError as e:
        return (e.code, e.row)


def read_plainly(content: bytes) -> bool:
    """Whether our own reader reads the file (else quiffen does)."""
    lines = content.decode().splitlines()
    try:
        qif._read_plain(lines, day_first=qif._day_first(lines))
    except qif._NotPlain:
        return False
    return True


class PlainReaderTestCase(TestCase):
    def assert_read_alike(self, content: bytes) -> list[StatementRow] | tuple[Code, int | None]:
        ours = outcome(content, plain=True)
        self.assertEqual(ours, outcome(content, plain=False))
        return ours

    def test_a_bank_export_is_read_plainly_as_quiffen_reads_it(self) -> None:
        self.assertTrue(read_plainly(PLAIN))
        rows = self.assert_read_alike(PLAIN)
        assert isinstance(rows, list)
        # quiffen's order: every record of the first account type, then the next type's.
        self.assertEqual(
            [
                (
                    r.index,
                    r.date,
                    r.signed,
                    r.counterpart,
                    r.description,
                    r.bank_category,
                    r.bank_id,
                )
                for r in rows
            ],
            [
                (
                    1,
                    date(2026, 11, 3),
                    Decimal("-1250.00"),
                    "Landlord LLC",
                    "Landlord LLC November rent",
                    "Housing:Rent",
                    "1045",
                ),
                (
                    2,
                    date(2026, 11, 5),
                    Decimal("3200.00"),
                    "ACME Corp",
                    "ACME Corp",
                    "Salary",
                    None,
                ),
                (
                    3,
                    date(2026, 11, 20),
                    Decimal("-500.00"),
                    "[Savings]",
                    "[Savings] Transfer to savings",
                    None,
                    None,
                ),
                (4, date(2026, 11, 21), Decimal("-86.40"), "Costco", "Costco", None, "ATM"),
                (
                    5,
                    date(2026, 11, 6),
                    Decimal("-54.23"),
                    "Whole Foods Market",
                    "Whole Foods Market",
                    "Food:Groceries",
                    None,
                ),
            ],
        )

    def test_the_bench_file_is_read_plainly_as_quiffen_reads_it(self) -> None:
        content = statement_files.qif(1000, seed=3)
        self.assertTrue(read_plainly(content))
        rows = self.assert_read_alike(content)
        self.assertEqual(len(rows), 1000)

    def test_a_bad_date_or_amount_is_refused_with_the_same_row(self) -> None:
        for old, new, code in (
            (b"D11/20/2026", b"D02/30/2026", Code.BAD_DATE),
            (b"D11/20/2026", b"D11/20/1812", Code.BAD_DATE),
            (b"D11/20/2026", b"Dyesterday", Code.BAD_DATE),
            (b"T-500.00", b"Tnan", Code.BAD_AMOUNT),
            (b"T-500.00", b"T-500.005", Code.BAD_AMOUNT),
            (b"T-500.00", b"T-1,000,000,000,000.00", Code.AMOUNT_OUT_OF_RANGE),
        ):
            with self.subTest(new):
                # the row is the record's place in the file: the fourth, whatever its section
                self.assertEqual(self.assert_read_alike(PLAIN.replace(old, new)), (code, 4))

    def test_a_broken_record_is_refused_by_quiffen_as_before(self) -> None:
        for old, new in (
            (b"D11/20/2026\n", b""),  # no date
            (b"T-500.00\n", b""),  # no amount
            (b"PCostco", b"QCostco"),  # no such field
            (b"PCostco", b" PCostco"),  # a field's code is the line's first character
            (b"!Type:CCard", b"!type:ccard"),  # quiffen spells the headers one way only
            (b"^\nD11/05/2026", b" ^\nD11/05/2026"),  # nor is ` ^` the end of a record
            (b"^\nD11/05/2026", b"^ ^\nD11/05/2026"),
        ):
            with self.subTest(new):
                broken = PLAIN.replace(old, new)
                self.assertFalse(read_plainly(broken))
                self.assertEqual(self.assert_read_alike(broken), (Code.MALFORMED, None))

    def test_the_rest_of_qif_goes_to_quiffen(self) -> None:
        splits = (DATA / "quicken.qif").read_bytes()
        account = b"!Account\nNChecking\nTBank\n^\n" + PLAIN
        two_categories = PLAIN.replace(b"LSalary", b"LSalary\nLBonus")
        a_class = PLAIN.replace(b"LSalary", b"LSalary/Work")
        option = PLAIN.replace(b"MNovember rent", b"!Option:AutoSwitch")
        for content in (splits, account, two_categories, a_class, option):
            with self.subTest(content[:30]):
                self.assertFalse(read_plainly(content))
        rows = outcome(two_categories, plain=True)
        assert isinstance(rows, list)
        self.assertEqual(rows[1].bank_category, "Salary:Bonus")
        rows = outcome(account, plain=True)
        assert isinstance(rows, list)
        self.assertEqual(len(rows), 5)

    def test_a_category_is_the_path_the_file_wrote(self) -> None:
        # quiffen grafts `Car:Fuel:Diesel` under the earlier `Car:Service:Fuel`, giving
        # `Car:Service:Fuel:Diesel`; the plain reader keeps what the bank wrote.
        content = (
            b"!Type:Bank\nD01.11.2026\nT-10\nLCar:Service:Fuel\n^\n"
            b"D02.11.2026\nT-20\nLCar:Fuel:Diesel\n^\n"
        )
        rows = outcome(content, plain=True)
        assert isinstance(rows, list)
        self.assertEqual([r.bank_category for r in rows], ["Car:Service:Fuel", "Car:Fuel:Diesel"])
        rows = outcome(content, plain=False)
        assert isinstance(rows, list)
        self.assertEqual(rows[1].bank_category, "Car:Service:Fuel:Diesel")


# Bytes that break a QIF file's structure most: its codes, separators and headers.
SHARDS = [b"^", b"\n", b"!Type:Cash\n", b"!", b"D", b"T", b"L", b"N", b"[", b"/", b":", b" "]
SHARDS += [b"'", b",", b".", b"-", b"#", b"\r\n", b"^\n", b"\t", b"S", b"$", b"\n\n"]


class MangledPlainFileTestCase(TestCase):
    # Edits land at a line's start, after its code, or at its end: where QIF's structure is.
    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        edits=st.lists(
            st.tuples(
                st.floats(0, 1, exclude_max=True),
                st.sampled_from([0, 1, -1]),
                st.sampled_from(["delete", "insert", "replace", "cut"]),
                st.one_of(st.sampled_from(SHARDS), st.binary(min_size=1, max_size=4)),
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def test_both_readers_read_or_refuse_a_mangled_file_alike(
        self, edits: list[tuple[float, int, str, bytes]]
    ) -> None:
        data = bytearray(PLAIN)
        for where, column, how, shard in edits:
            starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
            line = starts[int(where * len(starts))]
            end = data.find(b"\n", line)
            at = (end if end >= 0 else len(data)) if column < 0 else min(line + column, len(data))
            if how == "delete":
                del data[at : at + len(shard)]
            elif how == "insert":
                data[at:at] = shard
            elif how == "replace":
                data[at : at + len(shard)] = shard
            else:
                del data[at:]
        content = bytes(data)
        self.assertEqual(outcome(content, plain=True), outcome(content, plain=False))
