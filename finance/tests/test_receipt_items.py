"""A receipt's seller and line items from a receipt-checking service (in the style of
proverkacheka.com), fetched by a queue job after the record; faked at the HTTP boundary
with its documented answer (`code` 1 and the receipt under `data.json`, kopecks)."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from config.testing import BaseTestCase
from finance import receipt_check
from finance.data import exports
from finance.jobs import RECEIPT_ITEMS
from finance.models import Receipt, ReceiptItem, Transaction
from finance.readers.receipts import parse_fiscal_qr
from finance.selectors.summary import monthly_summary
from finance.services.budget import budget_item_set
from finance.services.receipts import ITEMS_BACKOFF, receipt_record
from notifications.tests.helpers import queued, run_queued

CHECK_URL = "https://receipts.test/api/v1/check/get"
TOKEN = "40112.secretTokenValue"
QR = "t=20261124T1305&s=1250.00&fn=9282000100072197&i=64318&fp=2918241905&n=1"
CHECK = override_settings(RECEIPT_CHECK_URL=CHECK_URL, RECEIPT_CHECK_TOKEN=TOKEN)


def answer(
    *,
    user: str = "ООО \u00abАгроторг\u00bb",
    place: str = "Пятёрочка",
    items: list[Any] | None = None,
    code: int = 1,
) -> dict[str, Any]:
    """The service's answer to a found receipt, as documented: money in kopecks."""
    return {
        "code": code,
        "first": 0,
        "data": {
            "json": {
                "user": user,
                "userInn": "7825706086  ",
                "retailPlace": place,
                "retailPlaceAddress": "г. Москва, ул. Тверская, д. 1",
                "dateTime": "2026-11-24T13:05:00",
                "fiscalDriveNumber": "9282000100072197",
                "fiscalDocumentNumber": 64318,
                "fiscalSign": 2918241905,
                "operationType": 1,
                "totalSum": 125000,
                "items": items
                if items is not None
                else [
                    {
                        "name": "Молоко 3,2% 1 л",
                        "price": 8990,
                        "quantity": 2,
                        "sum": 17980,
                        "nds": 2,
                    },
                    {"name": "Хлеб Бородинский", "price": 6520, "quantity": 1, "sum": 6520},
                    {
                        "name": "Сыр Российский весовой",
                        "price": 89900,
                        "quantity": 0.512,
                        "sum": 46029,
                    },
                ],
            },
            "html": "<table>...</table>",
        },
        "request": {"qrurl": "", "qrfile": "", "qrraw": QR, "manual": {}},
    }


@CHECK
class ReceiptItemsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.service = respx.mock(assert_all_called=False)
        self.service.start()
        self.addCleanup(self.service.stop)
        self.route = self.service.post(CHECK_URL)

    def record(self, text: str = "", qr: str = QR) -> Transaction:
        return receipt_record(
            user=self.alice, receipt=parse_fiscal_qr(qr), text=text, source="telegram"
        ).transaction

    def test_the_items_name_the_seller_and_choose_the_category(self) -> None:
        self.route.respond(200, json=answer())
        tx = self.record()
        self.assertEqual(tx.category.slug, "other")
        self.assertEqual(len(queued(RECEIPT_ITEMS)), 1)
        run_queued()
        sent = parse_qs(self.route.calls.last.request.content.decode())
        self.assertEqual(sent, {"token": [TOKEN], "qrraw": [QR]})
        tx.refresh_from_db()
        self.assertEqual((tx.note, tx.category.slug), ("Пятёрочка", "groceries"))
        self.assertEqual(tx.amount, Decimal("1250.00"))  # the receipt's own total stays
        receipt = Receipt.objects.get()
        self.assertEqual(
            (receipt.seller, receipt.seller_inn, receipt.address),
            ("ООО «Агроторг»", "7825706086", "г. Москва, ул. Тверская, д. 1"),
        )
        self.assertIsNotNone(receipt.items_checked_at)
        self.assertEqual(
            [
                (i.position, i.name, i.price, i.quantity, i.amount)
                for i in ReceiptItem.objects.all()
            ],
            [
                (1, "Молоко 3,2% 1 л", Decimal("89.90"), Decimal("2.000"), Decimal("179.80")),
                (2, "Хлеб Бородинский", Decimal("65.20"), Decimal("1.000"), Decimal("65.20")),
                (
                    3,
                    "Сыр Российский весовой",
                    Decimal("899.00"),
                    Decimal("0.512"),
                    Decimal("460.29"),
                ),
            ],
        )

    def test_the_transactions_page_shows_its_receipt_and_items(self) -> None:
        self.route.respond(200, json=answer())
        tx = self.record()
        self.client.force_login(self.alice)
        page = self.client.get(f"/transactions/{tx.pk}/").content.decode()
        self.assertIn("ФН 9282000100072197, ФД 64318, ФП 2918241905", page)
        self.assertNotIn("Хлеб", page)  # not fetched yet
        run_queued()
        page = self.client.get(f"/transactions/{tx.pk}/").content.decode()
        self.assertIn("ООО «Агроторг»", page)
        self.assertIn("Сыр Российский весовой", page)
        self.assertIn("0,512", page)
        self.assertIn("460,29", page)

    def test_items_vote_by_their_sums_when_the_seller_says_nothing(self) -> None:
        items = [
            {"name": "Таблетки от кашля", "price": 30000, "quantity": 1, "sum": 30000},
            {"name": "Бинт", "price": 5000, "quantity": 1, "sum": 5000},
            {"name": "Вода питьевая", "price": 4000, "quantity": 1, "sum": 4000},
        ]
        self.route.respond(200, json=answer(user="ООО «Вектор»", place="", items=items))
        tx = self.record()
        run_queued()
        tx.refresh_from_db()
        self.assertEqual((tx.note, tx.category.slug), ("ООО «Вектор»", "health"))

    def test_a_category_someone_chose_is_kept_and_the_caption_stays(self) -> None:
        self.route.respond(200, json=answer())
        tx = self.record("для кафе", qr=QR)
        self.assertEqual(tx.category.slug, "cafe")
        run_queued()
        tx.refresh_from_db()
        self.assertEqual((tx.note, tx.category.slug), ("Пятёрочка · для кафе", "cafe"))

    def test_a_category_changed_meanwhile_is_kept(self) -> None:
        self.route.respond(200, json=answer())
        tx = self.record()
        Transaction.objects.filter(pk=tx.pk).update(category=self.category(self.alice, "home"))
        run_queued()
        tx.refresh_from_db()
        self.assertEqual(tx.category.slug, "home")

    def test_a_failure_leaves_the_record_and_asks_again_later(self) -> None:
        self.route.side_effect = [
            httpx.Response(500),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"code": 2, "data": "Чек ещё не поступил"}),
            httpx.Response(200, json=answer()),
        ]
        tx = self.record()
        self.assertEqual(run_queued(), [(RECEIPT_ITEMS, "retry")])  # the next one is later
        (later,) = queued(RECEIPT_ITEMS)
        self.assertEqual(later["args"], {"receipt_id": tx.receipt.pk, "attempt": 1})
        self.assertIsNotNone(later["scheduled_at"])
        tx.refresh_from_db()
        self.assertEqual((tx.note, tx.category.slug), ("", "other"))
        self.assertFalse(ReceiptItem.objects.exists())
        results = run_queued(include_later=True)
        self.assertEqual([r for t, r in results if t == RECEIPT_ITEMS], ["retry", "retry", "done"])
        tx.refresh_from_db()
        self.assertEqual(tx.category.slug, "groceries")

    def test_no_such_receipt_is_not_asked_again(self) -> None:
        self.route.respond(200, json={"code": 0, "data": "Чек некорректен"})
        tx = self.record()
        self.assertEqual(run_queued(include_later=True), [(RECEIPT_ITEMS, "failed")])
        tx.refresh_from_db()
        self.assertEqual(tx.category.slug, "other")

    def test_the_tries_run_out(self) -> None:
        self.route.respond(503)
        self.record()
        results = run_queued(include_later=True)
        self.assertEqual(len(results), len(ITEMS_BACKOFF) + 1)
        self.assertEqual(results[-1], (RECEIPT_ITEMS, "failed"))

    def test_a_new_category_counts_in_the_summary(self) -> None:
        self.route.respond(200, json=answer())
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "groceries"),
            planned_amount=Decimal("1000"),
            source="web",
        )
        self.record()
        run_queued(include_later=True)
        summary = monthly_summary(user=self.alice, month=date(2026, 11, 1))
        line = next(x for x in summary.categories if x.category.slug == "groceries")
        self.assertEqual(line.spent, Decimal("1250.00"))

    def test_the_account_export_holds_the_receipt_and_its_items(self) -> None:
        self.route.respond(200, json=answer())
        tx = self.record()
        run_queued()
        (receipt,) = exports.account_export(user=self.alice)["receipts"]
        self.assertEqual(
            {k: receipt[k] for k in ("transaction", "fn", "i", "fp", "n", "issued_at", "total")},
            {
                "transaction": tx.pk,
                "fn": "9282000100072197",
                "i": 64318,
                "fp": 2918241905,
                "n": 1,
                "issued_at": "2026-11-24T13:05:00",
                "total": "1250.00",
            },
        )
        self.assertEqual(receipt["seller"], "ООО «Агроторг»")
        self.assertEqual(
            receipt["items"][0],
            {"name": "Молоко 3,2% 1 л", "price": "89.90", "quantity": "2.000", "sum": "179.80"},
        )

    def test_an_answer_of_another_shape_is_refused(self) -> None:
        bodies: list[Any] = [[], {"code": 1}, {"code": 1, "data": {"json": "x"}}, {"code": "1"}]
        for body in bodies:
            with self.subTest(body=body), self.assertRaises(receipt_check.CheckError):
                receipt_check.read_answer(body)
        # Odd items are left out, not the receipt.
        items: list[Any] = [{"name": "", "price": 1, "quantity": 1, "sum": 1}, {"name": "x"}, "y"]
        odd = answer(items=items)
        self.assertEqual(receipt_check.read_answer(odd).items, ())


class WithoutAServiceTestCase(BaseTestCase):
    @override_settings(RECEIPT_CHECK_URL="", RECEIPT_CHECK_TOKEN="")
    def test_nothing_is_fetched_or_said(self) -> None:
        with respx.mock(assert_all_mocked=True) as mock:
            tx = receipt_record(
                user=self.alice, receipt=parse_fiscal_qr(QR), source="api"
            ).transaction
            self.assertEqual(queued(RECEIPT_ITEMS), [])
            self.assertEqual(run_queued(include_later=True), [])
            self.assertFalse(mock.calls)
        tx.refresh_from_db()
        self.assertEqual(tx.note, "")


@CHECK
class ReceiptAdminTestCase(BaseTestCase):
    """Operators see receipts and their items; nobody edits one in the admin."""

    def setUp(self) -> None:
        service = respx.mock(assert_all_called=False)
        service.start()
        self.addCleanup(service.stop)
        service.post(CHECK_URL).respond(200, json=answer())
        receipt_record(user=self.alice, receipt=parse_fiscal_qr(QR), source="telegram")
        run_queued()
        self.receipt = Receipt.objects.get()
        operator = User.objects.create_superuser("operator", "op@example.org", "x")
        self.client.force_login(operator)

    def test_the_list_finds_a_receipt_by_its_drive_and_its_seller(self) -> None:
        url = reverse("admin:finance_receipt_changelist")
        for q, found in (("9282000100072197", True), ("Агроторг", True), ("0000", False)):
            with self.subTest(q=q):
                response = self.client.get(url, {"q": q})
                self.assertEqual(response.status_code, 200)
                self.assertEqual("64318" in response.content.decode(), found)

    def test_a_receipt_shows_its_items_and_cannot_be_changed(self) -> None:
        url = reverse("admin:finance_receipt_change", args=[self.receipt.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("Хлеб Бородинский", page)
        self.assertNotIn('name="_save"', page)
        self.client.post(url, {"seller": "someone else", "fn": "1"})
        self.receipt.refresh_from_db()
        self.assertEqual(self.receipt.seller, "ООО «Агроторг»")
        self.assertEqual(self.client.get(reverse("admin:finance_receipt_add")).status_code, 403)
        delete = reverse("admin:finance_receipt_delete", args=[self.receipt.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(Receipt.objects.exists())
