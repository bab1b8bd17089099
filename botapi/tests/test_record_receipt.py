"""record_receipt: a receipt's QR text or photo becomes one expense or refund, once."""

import base64
import io
import json
from datetime import date
from decimal import Decimal

from django.test import TransactionTestCase
from PIL import Image

from accounts.models import Scope
from accounts.services import api_token_create, user_create
from audit.models import AuditLog
from botapi import actions, schemas
from botapi.tests.helpers import URL, BotTestCase, envelope
from config.testing import at_once
from finance.models import Receipt, Transaction
from finance.readers.receipts import MAX_IMAGE_BYTES, parse_fiscal_qr
from finance.selectors.summary import monthly_summary
from finance.services.receipts import receipt_record
from finance.tests.receipt_photos import photo_of
from finance.tests.test_receipt_images import png_header_only

QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
REFUND = "t=20261127T0910&s=450.00&fn=9282000100072197&i=64502&fp=1187766550&n=2"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class RecordReceiptTestCase(BotTestCase):
    def test_a_qr_text_becomes_an_expense_on_the_receipts_own_date(self) -> None:
        response = self.act("record_receipt", {"qr": QR})
        self.assertEqual(response.status_code, 201, response.content)
        result = response.json()["result"]
        self.assertIs(result["duplicate"], False)
        tx = result["transaction"]
        self.assertEqual(
            (tx["kind"], tx["amount"], tx["currency"], tx["date"], tx["category"]["slug"]),
            ("expense", "1250.00", "RUB", "2026-11-24", "other"),
        )
        self.assertIs(tx["category_guessed"], False)
        self.assertEqual(
            result["receipt"],
            {
                "fn": "9282000100072197",
                "i": 64318,
                "fp": 2918241905,
                "n": 1,
                "issued_at": "2026-11-24T13:05:00",
                "total": "1250.00",
            },
        )
        saved = Transaction.objects.get()
        self.assertEqual((saved.source, saved.created_by), ("bot", self.alice))
        receipt = Receipt.objects.get()
        self.assertEqual((receipt.transaction, receipt.ledger), (saved, self.ledger(self.alice)))
        self.assertEqual(str(receipt.issued_at_time), "13:05:00")

    def test_the_same_receipt_again_is_a_duplicate_with_its_transaction(self) -> None:
        first = self.act("record_receipt", {"qr": QR}).json()["result"]["transaction"]
        # Keys in another order, a caption, another request: still the same receipt.
        shuffled = "n=1&fp=2918241905&i=64318&fn=9282000100072197&s=1250.00&t=20261124T1305"
        response = self.act("record_receipt", {"qr": shuffled, "text": "продукты"})
        self.assertEqual(response.status_code, 200, response.content)
        result = response.json()["result"]
        self.assertIs(result["duplicate"], True)
        self.assertEqual(result["transaction"]["id"], first["id"])
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(self.request_row().status_code, 200)

    def test_a_refund_with_a_caption_lowers_its_categorys_spending(self) -> None:
        self.act("record_receipt", {"qr": QR, "text": "продукты"})
        response = self.act("record_receipt", {"qr": REFUND, "text": "продукты"})
        self.assertEqual(response.status_code, 201, response.content)
        tx = response.json()["result"]["transaction"]
        self.assertEqual((tx["kind"], tx["category"]["slug"]), ("refund", "groceries"))
        self.assertEqual(tx["note"], "продукты")
        summary = monthly_summary(user=self.alice, month=date(2026, 11, 1))
        self.assertEqual(summary.expense, Decimal("800.00"))

    def test_a_photo_becomes_the_right_expense(self) -> None:
        jpeg = photo_of(QR)
        response = self.act("record_receipt", {"image": b64(jpeg), "category": "кафе"})
        self.assertEqual(response.status_code, 201, response.content)
        tx = response.json()["result"]["transaction"]
        self.assertEqual((tx["amount"], tx["category"]["slug"]), ("1250.00", "cafe"))
        # As a data: URL too; the same receipt, so a duplicate.
        again = self.act("record_receipt", {"image": "data:image/jpeg;base64," + b64(jpeg)})
        self.assertEqual(again.status_code, 200, again.content)
        self.assertIs(again.json()["result"]["duplicate"], True)

    def test_what_is_no_receipt_is_refused_with_its_code(self) -> None:
        noise = io.BytesIO()
        Image.effect_noise((640, 480), 40).convert("RGB").save(noise, "JPEG")
        cases = [
            ({"image": "not base64!"}, "payload.image", "invalid_base64"),
            ({"image": b64(b"GIF89a not really")}, "payload.image", "not_an_image"),
            ({"image": b64(png_header_only(60_000, 60_000))}, "payload.image", "too_many_pixels"),
            ({"image": b64(b"\0" * (MAX_IMAGE_BYTES + 1))}, "payload.image", "file_too_large"),
            ({"image": b64(noise.getvalue())}, "payload.image", "qr_not_found"),
            (
                {"image": b64(photo_of("https://shop.example/loyalty"))},
                "payload.image",
                "not_fiscal_qr",
            ),
            (
                {"qr": "ST00012|Name=ООО Ромашка|PersonalAcc=40702810"},
                "payload.qr",
                "not_fiscal_qr",
            ),
            ({"qr": QR.replace("&fp=2918241905", "")}, "payload.qr", "invalid_fiscal_qr"),
            ({"qr": QR, "category": "зарплата"}, "payload.category", "category_kind_mismatch"),
            ({"qr": QR, "category": "нет такой"}, "payload.category", "category_not_found"),
            ({"qr": QR, "image": "AAAA"}, "payload", "one_of"),
            ({}, "payload", "one_of"),
        ]
        for payload, path, code in cases:
            with self.subTest(code=code):
                body = self.assert_error(
                    self.act("record_receipt", payload), 400, "validation_error"
                )
                self.assertIn((path, code), [(d["path"], d["code"]) for d in body["details"]])
        self.assertFalse(Transaction.objects.exists())
        self.assertFalse(Receipt.objects.exists())

    def test_the_person_reads_why_in_their_language(self) -> None:
        noise = io.BytesIO()
        Image.effect_noise((320, 240), 40).convert("RGB").save(noise, "PNG")
        body = self.act("record_receipt", {"image": b64(noise.getvalue())}).json()
        self.assertIn("ближе", body["details"][0]["message"])  # alice reads Russian

    def test_scopes(self) -> None:
        incomes = api_token_create(
            user=self.alice, name="i", scopes=[Scope.INCOMES_WRITE], source="cli"
        ).raw
        self.assert_error(
            self.act("record_receipt", {"qr": QR}, token=incomes), 403, "insufficient_scope"
        )
        expenses = api_token_create(
            user=self.alice, name="e", scopes=[Scope.EXPENSES_WRITE], source="cli"
        ).raw
        payout = QR.replace("n=1", "n=3")
        # A seller's payout is an income: the expenses' scope alone does not record it.
        self.assert_error(
            self.act("record_receipt", {"qr": payout}, token=expenses), 403, "insufficient_scope"
        )
        response = self.act("record_receipt", {"qr": payout})
        self.assertEqual(response.status_code, 201, response.content)
        tx = response.json()["result"]["transaction"]
        self.assertEqual((tx["kind"], tx["category"]["slug"]), ("income", "other_income"))

    def test_only_a_receipt_takes_a_large_body(self) -> None:
        padding = "x" * (schemas.MAX_BODY_BYTES + 1)
        response = self.act("create_expense", {"text": "кофе 250", "note": padding})
        self.assert_error(response, 400, "validation_error", [("", "too_large")])
        self.assertEqual(actions.body_limit({"action": "record_receipt"}), 8 * 1024 * 1024)
        big = b64(photo_of(QR) + b"\0" * (4 * 1024 * 1024))  # JPEG readers stop at its end
        self.assertGreater(len(big), 5 * 1024 * 1024)
        response = self.act("record_receipt", {"image": big})
        self.assertEqual(response.status_code, 201, response.content)
        too_big = self.client.post(
            URL,
            data=json.dumps(envelope("record_receipt", {"image": "A" * (9 * 1024 * 1024)})),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=self.alice_token.raw,
        )
        self.assert_error(too_big, 400, "validation_error", [("", "too_large")])

    def test_the_registry_lists_it(self) -> None:
        document = self.client.get("/api/bot/schema").json()
        listed = document["actions"]["record_receipt"]
        self.assertEqual(listed["scopes"], ["expenses:write"])
        self.assertTrue(listed["idempotent"])


class RecordReceiptRaceTestCase(TransactionTestCase):
    def test_two_at_once_record_it_once(self) -> None:
        alice = user_create(username="racer", password="x" * 12, source="cli")
        fiscal = parse_fiscal_qr(QR)

        def record(n: int) -> bool:
            return receipt_record(user=alice, receipt=fiscal, source="api").duplicate

        outcomes = at_once(4, record)
        self.assertEqual(sorted(map(str, outcomes)), ["False", "True", "True", "True"])
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(Receipt.objects.count(), 1)
        tx = Transaction.objects.get()
        self.assertEqual(tx.amount, Decimal("1250.00"))
        self.assertEqual(AuditLog.objects.filter(action="transaction.create").count(), 1)
