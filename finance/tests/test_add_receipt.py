"""The cabinet's Add page takes a receipt: a photo (on a phone, the camera) or its QR's text."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import Receipt, Transaction
from finance.tests.receipt_photos import photo_of
from ledgers.services import ledger_activate
from ledgers.tests.household import HouseholdTestCase

QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
URL = "/transactions/add/receipt/"


def upload(
    data: bytes, name: str = "IMG_2041.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


class AddReceiptTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_the_page_offers_the_camera(self) -> None:
        response = self.client.get("/transactions/add/")
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'accept="image/*"')
        self.assertContains(response, 'capture="environment"')
        form = response.context["receipt_form"]
        kinds = set(form.fields["category"].queryset.values_list("kind", flat=True))
        self.assertEqual(kinds, {"expense"})

    def test_a_photo_becomes_the_expense_and_again_is_a_duplicate(self) -> None:
        photo = photo_of(QR)
        response = self.client.post(URL, {"photo": upload(photo), "text": "продукты"})
        self.assertRedirects(response, "/transactions/add/")
        tx = Transaction.objects.get()
        self.assertEqual(
            (tx.kind, tx.amount, str(tx.date), tx.category.slug, tx.source, tx.note),
            ("expense", Decimal("1250.00"), "2026-11-24", "groceries", "web", "продукты"),
        )
        self.assertEqual(AuditLog.objects.get(action="receipt.record").source, "web")
        # The same receipt, typed this time: nothing written, and the page says where it is.
        again = self.client.post(URL, {"qr": QR}, follow=True)
        self.assertRedirects(again, f"/transactions/{tx.pk}/")
        self.assertContains(again, "Этот чек уже записан: 1250.00 RUB, Продукты, 24.11.2026")
        self.assertEqual(Transaction.objects.count(), 1)

    def test_the_qr_text_and_a_chosen_category(self) -> None:
        cafe = self.category(self.alice, "cafe")
        refund = QR.replace("n=1", "n=2")
        response = self.client.post(URL, {"qr": refund, "category": cafe.pk})
        self.assertRedirects(response, "/transactions/add/")
        tx = Transaction.objects.get()
        self.assertEqual((tx.kind, tx.category), ("refund", cafe))

    def test_what_is_no_receipt_is_shown_on_the_form(self) -> None:
        cases = [
            (
                {"photo": upload(b"%PDF-1.7 ...", "r.pdf", "application/pdf")},
                "photo",
                "Это не фото",
            ),
            ({"photo": upload(photo_of("https://shop.example/"))}, "photo", "ссылка, а не чек"),
            ({"qr": "hello"}, "qr", "не от чека"),
            ({}, None, "Выберите фото чека или введите текст"),
            (
                {"photo": upload(b"\xff\xd8" + b"\0" * (5 * 1024 * 1024))},
                "photo",
                "больше 5 МБ",
            ),
        ]
        for data, field, message in cases:
            with self.subTest(message):
                response = self.client.post(URL, data)
                self.assertEqual(response.status_code, 200)
                form = response.context["receipt_form"]
                errors = form.errors.get(field or "__all__", [])
                self.assertTrue(any(message in e for e in errors), form.errors)
        self.assertFalse(Receipt.objects.exists())

    def test_it_rejects_get(self) -> None:
        self.assertEqual(self.client.get(URL).status_code, 405)


class SharedLedgerReceiptTestCase(HouseholdTestCase):
    def test_a_read_only_member_may_not_and_a_member_records_in_the_shared_books(self) -> None:
        ledger_activate(user=self.dave, ledger=self.home, source="cli")
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post(URL, {"qr": QR}).status_code, 403)
        self.assertFalse(Transaction.objects.exists())
        ledger_activate(user=self.carol, ledger=self.home, source="cli")
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(URL, {"qr": QR}).status_code, 302)
        # Alice, in the same books, sends the same receipt: it is already there.
        ledger_activate(user=self.alice, ledger=self.home, source="cli")
        self.client.force_login(self.alice)
        self.client.post(URL, {"qr": QR})
        tx = Transaction.objects.get()
        self.assertEqual((tx.ledger, tx.created_by), (self.home, self.carol))
        # In her own books it is a receipt of its own.
        ledger_activate(user=self.alice, ledger=self.ledger(self.alice), source="cli")
        self.client.post(URL, {"qr": QR})
        self.assertEqual(Transaction.objects.count(), 2)
