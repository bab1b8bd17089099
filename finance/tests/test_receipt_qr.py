"""The text of a receipt's QR code to its fiscal fields, and every refusal with its code."""

import datetime as dt
import random
from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from finance.readers.receipts import (
    FiscalReceipt,
    InvalidFiscalQR,
    NotFiscalQR,
    ReceiptKind,
    looks_fiscal,
    parse_fiscal_qr,
)

FIELDS = {
    "t": "20261124T1305",
    "s": "1250.00",
    "fn": "9282000100072197",
    "i": "64318",
    "fp": "2918241905",
    "n": "1",
}


def qr(**changes: str | None) -> str:
    fields = FIELDS | changes
    return "&".join(f"{k}={v}" for k, v in fields.items() if v is not None)


class FiscalQRTestCase(SimpleTestCase):
    def refusal(self, text: str) -> tuple[str, str]:
        with self.assertRaises(InvalidFiscalQR) as caught:
            parse_fiscal_qr(text)
        self.assertEqual(caught.exception.code, "invalid_fiscal_qr")
        self.assertEqual(
            caught.exception.params,
            {"field": caught.exception.field, "reason": caught.exception.reason},
        )
        return caught.exception.field, caught.exception.reason

    def test_it_reads_every_field(self) -> None:
        receipt = parse_fiscal_qr(qr())
        self.assertEqual(receipt.issued_at, dt.datetime(2026, 11, 24, 13, 5))  # noqa: DTZ001
        self.assertIsNone(receipt.issued_at.tzinfo)
        self.assertEqual(receipt.total, Decimal("1250.00"))
        self.assertEqual(receipt.fn, "9282000100072197")
        self.assertEqual(receipt.i, 64318)
        self.assertEqual(receipt.fp, 2918241905)
        self.assertIs(receipt.kind, ReceiptKind.PURCHASE)
        self.assertEqual(receipt.text, qr())
        self.assertEqual(receipt.dedup_key, "9282000100072197:64318:2918241905")
        self.assertEqual(receipt.qr_text, qr())

    def test_it_reads_seconds(self) -> None:
        receipt = parse_fiscal_qr(qr(t="20261124T130559"))
        self.assertEqual(receipt.issued_at, dt.datetime(2026, 11, 24, 13, 5, 59))  # noqa: DTZ001
        self.assertEqual(receipt.qr_text, qr(t="20261124T130559"))

    def test_it_takes_keys_in_any_order_and_ignores_unknown_ones(self) -> None:
        keys = list(FIELDS)
        random.Random(21).shuffle(keys)
        text = "&".join(f"{k}={FIELDS[k]}" for k in keys) + "&x=whatever&&rn=7&z="
        receipt = parse_fiscal_qr(text)
        self.assertEqual(receipt, parse_fiscal_qr(qr()))
        self.assertEqual(receipt.text, text)

    def test_it_tolerates_whitespace_around_and_upper_case_keys(self) -> None:
        text = "\n " + qr().replace("fn=", "FN=") + "\r\n"
        self.assertEqual(parse_fiscal_qr(text), parse_fiscal_qr(qr()))
        self.assertEqual(parse_fiscal_qr(text).text, qr().replace("fn=", "FN="))

    def test_it_reads_every_kind(self) -> None:
        kinds = {
            "1": (ReceiptKind.PURCHASE, False),
            "2": (ReceiptKind.PURCHASE_REFUND, True),
            "3": (ReceiptKind.PAYOUT, False),
            "4": (ReceiptKind.PAYOUT_REFUND, True),
        }
        for n, (kind, refund) in kinds.items():
            with self.subTest(n=n):
                receipt = parse_fiscal_qr(qr(n=n))
                self.assertIs(receipt.kind, kind)
                self.assertEqual(receipt.kind.n, int(n))
                self.assertEqual(receipt.kind.is_refund, refund)
        self.assertEqual(
            [k.value for k in ReceiptKind],
            ["purchase", "purchase_refund", "payout", "payout_refund"],
        )

    def test_it_reads_totals_as_decimals_in_kopecks(self) -> None:
        cases = {
            "1250": "1250.00",
            "1250.5": "1250.50",
            "0.01": "0.01",
            "007.10": "7.10",
            "999999999999.99": "999999999999.99",
        }
        for text, total in cases.items():
            with self.subTest(text):
                value = parse_fiscal_qr(qr(s=text)).total
                self.assertEqual(str(value), total)
                self.assertIsInstance(value, Decimal)

    def test_it_refuses_a_total_out_of_its_rules(self) -> None:
        cases = {
            "0": "out_of_range",
            "0.00": "out_of_range",
            "-5.00": "malformed",
            "12,50": "malformed",
            "12.505": "malformed",
            "1e3": "malformed",
            "1 250.00": "malformed",
            ".50": "malformed",
            "5.": "malformed",
            "1000000000000.00": "malformed",
            "١٢٣": "malformed",  # digits, but not ASCII ones
            "": "malformed",
        }
        for text, reason in cases.items():
            with self.subTest(text):
                self.assertEqual(self.refusal(qr(s=text)), ("s", reason))

    def test_it_refuses_a_time_out_of_its_rules(self) -> None:
        cases = {
            "20261124": "malformed",
            "20261124T13": "malformed",
            "20261124T13051": "malformed",
            "20261124T1305590": "malformed",
            "2026-11-24T13:05": "malformed",
            "20261124t1305": "malformed",
            "20261124 1305": "malformed",
            "20261324T1305": "out_of_range",
            "20260230T1305": "out_of_range",
            "20261124T2405": "out_of_range",
            "20261124T1360": "out_of_range",
            "20261124T130560": "out_of_range",
            "00001124T1305": "out_of_range",
        }
        for text, reason in cases.items():
            with self.subTest(text):
                self.assertEqual(self.refusal(qr(t=text)), ("t", reason))
        self.assertEqual(parse_fiscal_qr(qr(t="20280229T2359")).issued_at.day, 29)

    def test_it_refuses_numbers_out_of_their_rules(self) -> None:
        cases = [
            ("fn", "928200010007219", "malformed"),  # 15 digits
            ("fn", "92820001000721970", "malformed"),  # 17
            ("fn", "928200010007219a", "malformed"),
            ("i", "0", "out_of_range"),
            ("i", "4294967296", "out_of_range"),
            ("i", "12345678901", "malformed"),
            ("i", "-1", "malformed"),
            ("i", "", "malformed"),
            ("fp", "4294967296", "out_of_range"),
            ("fp", "12345678901", "malformed"),
            ("fp", "29182419O5", "malformed"),
            ("n", "0", "out_of_range"),
            ("n", "5", "out_of_range"),
            ("n", "01", "malformed"),
            ("n", "purchase", "malformed"),
        ]
        for key, value, reason in cases:
            with self.subTest(key=key, value=value):
                self.assertEqual(self.refusal(qr(**{key: value})), (key, reason))

    def test_it_takes_the_largest_numbers_and_a_zero_sign(self) -> None:
        receipt = parse_fiscal_qr(qr(i="4294967295", fp="0"))
        self.assertEqual((receipt.i, receipt.fp), (4294967295, 0))

    def test_it_refuses_a_missing_or_repeated_field(self) -> None:
        for key in FIELDS:
            with self.subTest(missing=key):
                self.assertEqual(self.refusal(qr(**{key: None})), (key, "missing"))
            with self.subTest(repeated=key):
                self.assertEqual(self.refusal(qr() + f"&{key}={FIELDS[key]}"), (key, "repeated"))

    def test_it_tells_other_qr_codes_apart(self) -> None:
        cases = {
            "https://example.org/?t=20261124T1305&s=1250.00&fn=9282000100072197": "url",
            "HTTP://EXAMPLE.ORG": "url",
            "www.nalog.gov.ru": "url",
            "https://lknpd.nalog.ru/api/v1/receipt/7700/2001/print": "url",
            "ST00012|Name=ООО «Ромашка»|PersonalAcc=40702810|BankName=Банк|Sum=125000": "payment",
            "ST00011|Name=Company|PersonalAcc=40702810": "payment",
            "": "text",
            "   ": "text",
            "hello": "text",
            "WIFI:S:home;T:WPA;P:secret;;": "text",
            "BEGIN:VCARD\nFN:Ivan\nEND:VCARD": "text",
            "a=1&b=2": "text",
            "t=20261124T1305&s=1250.00": "text",  # two of the six keys: not enough to be one
            "t=20261124T1305&s=1250.00&fn": "text",
            "t=20261124T1305 s=1250.00 fn=9282000100072197 i=1 fp=1 n=1": "text",
        }
        for text, looks_like in cases.items():
            with self.subTest(text):
                with self.assertRaises(NotFiscalQR) as caught:
                    parse_fiscal_qr(text)
                self.assertEqual(caught.exception.code, "not_fiscal_qr")
                self.assertEqual(caught.exception.looks_like, looks_like)
                self.assertEqual(caught.exception.params, {"looks_like": looks_like})
                self.assertFalse(looks_fiscal(text))

    def test_it_takes_three_fiscal_keys_for_a_broken_receipt(self) -> None:
        self.assertEqual(self.refusal("fn=9282000100072197&i=1&fp=1"), ("t", "missing"))
        self.assertTrue(looks_fiscal("fn=9282000100072197&i=1&fp=1"))
        self.assertTrue(looks_fiscal(qr(s="0")))
        self.assertTrue(looks_fiscal(qr()))

    def test_it_keys_one_receipt_once_however_it_is_written(self) -> None:
        plain = parse_fiscal_qr(qr())
        padded = parse_fiscal_qr(qr(i="0064318", s="1250"))
        self.assertEqual(padded.dedup_key, plain.dedup_key)
        self.assertEqual(padded, plain)
        self.assertEqual(
            parse_fiscal_qr(qr(fp="0000012345")).dedup_key,
            parse_fiscal_qr(qr(fp="12345")).dedup_key,
        )
        other = parse_fiscal_qr(qr(i="64319"))
        self.assertNotEqual(other.dedup_key, plain.dedup_key)

    def test_a_receipt_is_frozen(self) -> None:
        receipt = parse_fiscal_qr(qr())
        with self.assertRaises(AttributeError):
            receipt.total = Decimal("1")  # type: ignore[misc]


receipts = st.builds(
    FiscalReceipt,
    issued_at=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2099, 12, 31, 23, 59, 59),  # noqa: DTZ001
    ).map(lambda d: d.replace(microsecond=0)),
    total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2),
    fn=st.from_regex(r"[0-9]{16}", fullmatch=True),
    i=st.integers(1, 2**32 - 1),
    fp=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(ReceiptKind),
)


class FiscalQRPropertiesTestCase(SimpleTestCase):
    @given(receipts)
    def test_a_receipt_reads_back_from_its_text(self, receipt: FiscalReceipt) -> None:
        read = parse_fiscal_qr(receipt.qr_text)
        self.assertEqual(read, receipt)
        self.assertEqual(read.text, receipt.qr_text)
        self.assertEqual(read.qr_text, receipt.qr_text)

    @given(
        receipts,
        st.randoms(use_true_random=False),
        st.lists(st.sampled_from(["x=1", "k=", "z=zz"])),
    )
    def test_order_and_unknown_keys_do_not_matter(
        self, receipt: FiscalReceipt, rnd: random.Random, extra: list[str]
    ) -> None:
        parts = receipt.qr_text.split("&") + extra
        rnd.shuffle(parts)
        self.assertEqual(parse_fiscal_qr("&".join(parts)), receipt)

    @given(st.text(max_size=120))
    def test_any_text_is_read_or_refused_with_a_code(self, text: str) -> None:
        try:
            receipt = parse_fiscal_qr(text)
        except NotFiscalQR as error:
            self.assertIn(error.looks_like, {"url", "payment", "text"})
            self.assertFalse(looks_fiscal(text))
        except InvalidFiscalQR as error:
            self.assertIn(error.field, {"t", "s", "fn", "i", "fp", "n"})
            self.assertIn(error.reason, {"missing", "repeated", "malformed", "out_of_range"})
            self.assertTrue(looks_fiscal(text))
        else:
            self.assertGreater(receipt.total, 0)
            self.assertTrue(looks_fiscal(text))

    @given(
        st.dictionaries(
            st.sampled_from(["t", "s", "fn", "i", "fp", "n", "q"]),
            st.text(alphabet="0123456789T.-", max_size=18),
            min_size=3,
        )
    )
    def test_near_misses_are_refused_with_their_field(self, fields: dict[str, str]) -> None:
        text = "&".join(f"{k}={v}" for k, v in fields.items())
        try:
            parse_fiscal_qr(text)
        except InvalidFiscalQR as error:
            if error.reason != "missing":
                self.assertIn(error.field, fields)
        except NotFiscalQR:
            self.assertLess(len(set(fields) - {"q"}), 3)
