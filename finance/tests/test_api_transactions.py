from datetime import date
from decimal import Decimal

import time_machine

from audit.models import AuditLog
from finance.models import Transaction
from finance.tests.apitest import ApiTestCase


class TransactionsApiTestCase(ApiTestCase):
    def test_list_pages_with_string_amounts(self) -> None:
        for day in range(1, 4):
            self.record(self.alice, "cafe", "250.5", date(2026, 11, day))
        response = self.api.get("/api/transactions/", {"page_size": 2})
        body = response.json()
        self.assertEqual((response.status_code, body["count"]), (200, 3))
        self.assertEqual(len(body["results"]), 2)
        self.assertIsNotNone(body["next"])
        first = body["results"][0]
        self.assertEqual(first["amount"], "250.50")
        self.assertEqual(first["date"], "2026-11-03")
        self.assertEqual(first["category"]["slug"], "cafe")
        second = self.api.get(body["next"]).json()
        self.assertEqual(len(second["results"]), 1)
        self.assertEqual(self.api.get("/api/transactions/", {"page": 9}).status_code, 404)

    def test_filters(self) -> None:
        coffee = self.record(self.alice, "cafe", source="bot")
        self.record(self.alice, "cafe", day=date(2026, 10, 5))
        pay = self.record(self.alice, "salary")
        cafe = self.category(self.alice, "cafe")
        cases: list[tuple[dict[str, str], set[int]]] = [
            ({"month": "2026-11"}, {coffee.pk, pay.pk}),
            ({"kind": "income"}, {pay.pk}),
            ({"category": str(cafe.pk), "source": "bot"}, {coffee.pk}),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                results = self.api.get("/api/transactions/", query).json()["results"]
                self.assertEqual({r["id"] for r in results}, expected)

    def test_bad_filters_are_a_400_naming_them(self) -> None:
        bobs = self.category(self.bob, "cafe")
        response = self.api.get(
            "/api/transactions/", {"month": "2026-13", "kind": "gift", "category": str(bobs.pk)}
        )
        body = response.json()
        self.assertEqual((response.status_code, body["error"]), (400, "validation_error"))
        self.assertEqual({d["path"] for d in body["details"]}, {"month", "kind", "category"})

    def test_create_by_fields_audits_as_api(self) -> None:
        cafe = self.category(self.alice, "cafe")
        with time_machine.travel("2026-11-20 10:00Z"):
            self.as_user(self.alice)  # a token issued "now", in the travelled-to time
            response = self.api.post(
                "/api/transactions/",
                {"kind": "expense", "amount": "250", "category": cafe.pk, "note": "latte"},
                format="json",
            )
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual((body["amount"], body["currency"]), ("250.00", "RUB"))
        self.assertEqual((body["date"], body["source"]), ("2026-11-20", "api"))
        tx = Transaction.objects.get(pk=body["id"])
        self.assertEqual(tx.note, "latte")
        self.assertEqual(AuditLog.objects.get(action="transaction.create").source, "api")

    def test_bad_input_is_a_400_on_the_right_field_and_writes_nothing(self) -> None:
        cafe = self.category(self.alice, "cafe")
        salary = self.category(self.alice, "salary")
        cases = [
            ({"kind": "expense", "amount": "-1", "category": cafe.pk}, "amount"),
            ({"kind": "expense", "amount": "1.001", "category": cafe.pk}, "amount"),
            (
                {"kind": "expense", "amount": "1", "category": cafe.pk, "currency": "ZZZ"},
                "currency",
            ),
            ({"kind": "expense", "amount": "1", "category": salary.pk}, "category"),
            ({"kind": "expense", "amount": "1"}, "category"),
            ({"kind": "loan", "amount": "1", "category": cafe.pk}, "kind"),
        ]
        for data, path in cases:
            with self.subTest(data=data):
                response = self.api.post("/api/transactions/", data, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["details"][0]["path"], path)
        response = self.api.post("/api/transactions/", "[1, 2", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Transaction.objects.exists())

    def test_retrieve_update_and_delete(self) -> None:
        tx = self.record(self.alice, "transport", "480")
        url = f"/api/transactions/{tx.pk}/"
        self.assertEqual(self.api.get(url).json()["amount"], "480.00")
        car = self.category(self.alice, "car")
        response = self.api.patch(url, {"category": car.pk, "amount": "500"}, format="json")
        self.assertEqual(response.status_code, 200)
        tx.refresh_from_db()
        self.assertEqual((tx.category, tx.amount), (car, Decimal(500)))
        row = AuditLog.objects.get(action="transaction.update")
        self.assertEqual((row.source, row.details["category"]), ("api", ["transport", "car"]))
        response = self.api.put(url, {"amount": "1"}, format="json")
        self.assertEqual(response.status_code, 400)  # PUT needs every field
        self.assertEqual(self.api.delete(url).status_code, 204)
        self.assertFalse(Transaction.objects.filter(pk=tx.pk).exists())
        self.assertEqual(AuditLog.objects.get(action="transaction.delete").source, "api")


class TransactionsByTextApiTestCase(ApiTestCase):
    def test_text_is_parsed_and_recorded(self) -> None:
        response = self.api.post("/api/transactions/", {"text": "кофе 250"}, format="json")
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual((body["amount"], body["category"]["slug"]), ("250.00", "cafe"))
        self.assertEqual((body["text"], body["source"]), ("кофе 250", "api"))

    def test_dry_run_answers_without_writing(self) -> None:
        response = self.api.post(
            "/api/transactions/", {"text": "кофе 250", "dry_run": True}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["id"])
        self.assertFalse(Transaction.objects.exists())

    def test_unparseable_text_is_a_400_on_text(self) -> None:
        response = self.api.post("/api/transactions/", {"text": "просто кофе"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["details"][0]["path"], "text")
        self.assertFalse(Transaction.objects.exists())


class ApiLanguageTestCase(ApiTestCase):
    def test_error_messages_speak_the_callers_language(self) -> None:
        for user, expected in ((self.alice, "Сумма должна быть"), (self.bob, "The amount must")):
            with self.subTest(user=user.username):
                self.as_user(user)
                category = self.category(user, "cafe")
                response = self.api.post(
                    "/api/transactions/",
                    {"kind": "expense", "amount": "-1", "category": category.pk},
                    format="json",
                    headers={"accept-language": "de"},
                )
                self.assertIn(expected, response.json()["details"][0]["message"])

    def test_accept_language_wins_over_the_persons_language(self) -> None:
        category = self.category(self.alice, "cafe")
        for header, expected in (("en-GB,en;q=0.8", "The amount must"), ("ru", "Сумма должна")):
            with self.subTest(header=header):
                response = self.api.post(
                    "/api/transactions/",
                    {"kind": "expense", "amount": "-1", "category": category.pk},
                    format="json",
                    headers={"accept-language": header},
                )
                self.assertIn(expected, response.json()["details"][0]["message"])
