import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

from finance.models import CategoryAlias
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create
from finance.tests.apitest import ApiTestCase


def read_csv(response: Any) -> list[dict[str, str]]:
    """RFC 4180: commas, CRLF, and nothing before the first heading."""
    body = b"".join(response.streaming_content)
    assert body.startswith(b'"date","kind","amount","currency","category","note","source"\r\n'), (
        body[:70]
    )
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def read_excel_csv(response: Any) -> list[dict[str, str]]:
    """What Excel in a Russian locale opens in columns: a UTF-8 BOM, semicolons."""
    body = b"".join(response.streaming_content)
    assert body.startswith(b'\xef\xbb\xbf"date";"kind";"amount";'), body[:60]
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


class ExportTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record(self.alice, "cafe", "250", date(2026, 10, 31))
        self.record(self.alice, "cafe", "300.50", date(2026, 11, 2))
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("45.20"),
            currency="EUR",
            category=self.category(self.alice, "groceries"),
            date=date(2026, 11, 24),
            note='=HYPERLINK("http://evil")',
            source="bot",
        )
        self.record(self.alice, "salary", "90000", date(2026, 12, 1))
        self.record(self.bob, "cafe", "7", date(2026, 11, 2))

    def test_the_api_gives_a_period_as_csv(self) -> None:
        response = self.api.get(
            "/api/transactions/export.csv", {"from": "2026-11-01", "to": "2026-11-30"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(
            "kopilka-transactions-2026-11-01_2026-11-30.csv", response["Content-Disposition"]
        )
        rows = read_csv(response)
        self.assertEqual(
            [(r["date"], r["kind"], r["amount"], r["currency"]) for r in rows],
            [("2026-11-02", "expense", "300.50", "RUB"), ("2026-11-24", "expense", "45.20", "EUR")],
        )
        # A note a spreadsheet would run as a formula is written as text.
        self.assertEqual(rows[1]["note"], '\'=HYPERLINK("http://evil")')
        self.assertEqual(rows[1]["source"], "bot")

    def test_no_period_is_everything_and_never_another_users(self) -> None:
        response = self.api.get("/api/transactions/export.csv")
        rows = read_csv(response)
        self.assertEqual(len(rows), 4)
        self.assertNotIn("7.00", [r["amount"] for r in rows])
        later = self.api.get("/api/transactions/export.csv", {"from": "2026-11-25"})
        self.assertEqual(
            len(read_csv(later)),
            1,
        )

    def test_a_bad_period_is_a_400_that_names_the_field(self) -> None:
        for query, path in (
            ({"from": "01.11.2026"}, "from"),
            ({"to": "2026-13-01"}, "to"),
            ({"from": "2026-11-30", "to": "2026-11-01"}, "__all__"),
        ):
            with self.subTest(query=query):
                response = self.api.get("/api/transactions/export.csv", query)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["details"][0]["path"], path)

    def test_the_api_gives_excel_its_own_csv(self) -> None:
        response = self.api.get(
            "/api/transactions/export.csv",
            {"from": "2026-11-01", "to": "2026-11-30", "format": "excel"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = read_excel_csv(response)
        self.assertEqual(
            [(r["date"], r["amount"], r["currency"]) for r in rows],
            [("2026-11-02", "300,50", "RUB"), ("2026-11-24", "45,20", "EUR")],
        )
        self.assertEqual(rows[1]["note"], '\'=HYPERLINK("http://evil")')
        # `format=csv` is the default, spelled out; anything else is a 400 naming it.
        self.assertEqual(
            len(read_csv(self.api.get("/api/transactions/export.csv", {"format": "csv"}))), 4
        )
        refused = self.api.get("/api/transactions/export.csv", {"format": "xlsx"})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["details"][0]["path"], "format")

    def test_it_needs_a_jwt(self) -> None:
        self.api.credentials()
        self.assertEqual(self.api.get("/api/transactions/export.csv").status_code, 401)
        self.assertEqual(self.api.get("/api/export.json").status_code, 401)

    def test_the_json_holds_everything_and_no_secret(self) -> None:
        CategoryAlias.objects.create(category=self.category(self.alice, "cafe"), word="латте")
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(8000),
            source="web",
        )
        response = self.api.get("/api/export.json")
        self.assertEqual(response.status_code, 200)
        raw = response.content.decode()
        data = json.loads(raw)
        self.assertEqual(data["profile"]["username"], "alice")
        self.assertEqual(len(data["transactions"]), 4)
        self.assertEqual(
            data["budget_items"],
            [
                {
                    "month": "2026-11",
                    "category": "cafe",
                    "planned_amount": "8000.00",
                    "currency": "RUB",
                }
            ],
        )
        cafe = next(c for c in data["categories"] if c["slug"] == "cafe")
        self.assertIn("латте", cafe["keywords"])
        self.assertEqual({t["name"] for t in data["bot_tokens"]}, {"assistant", "read-only"})
        self.assertEqual(data["contacts"], [])
        self.alice.refresh_from_db()
        for secret in (
            self.alice.password,
            self.alice_token.raw,
            self.alice_token.token.token_hash,
            self.alice_token.token.prefix,
            "pbkdf2",
            "md5$",
        ):
            self.assertNotIn(secret, raw)

    def test_the_cabinet_offers_both(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get("/data/")
        self.assertContains(page, 'id="export-form"')
        response = self.client.get("/data/transactions.csv", {"from": "2026-12-01"})
        rows = read_csv(response)
        self.assertEqual([r["amount"] for r in rows], ["90000.00"])
        self.assertEqual(self.client.get("/data/transactions.csv", {"to": "x"}).status_code, 400)
        self.assertContains(page, 'name="format" value="excel"')
        excel = self.client.get("/data/transactions.csv", {"from": "2026-12-01", "format": "excel"})
        self.assertEqual([r["amount"] for r in read_excel_csv(excel)], ["90000,00"])
        data = self.client.get("/data/kopilka.json").json()
        self.assertEqual(len(data["transactions"]), 4)
        self.client.logout()
        self.assertEqual(self.client.get("/data/kopilka.json").status_code, 302)
