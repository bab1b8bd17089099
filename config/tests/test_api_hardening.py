"""Issue 15's defects on the JWT API, one test each (the bot's own are in botapi/tests)."""

import io
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from audit.models import AuditLog
from config.testing import PASSWORD, BaseTestCase, clear_cache
from finance.models import BudgetItem, Category, CategoryAlias, Transaction
from finance.rules import MAX_CATEGORIES_PER_LEDGER, MAX_KEYWORDS_PER_CATEGORY
from finance.services.budget import budget_item_set
from finance.services.categories import category_create, category_update
from finance.services.transactions import transaction_create, transaction_update

DEEP = b"[" * 10_000 + b"]" * 10_000


class ApiHardeningTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()
        self.api = Client()
        access = self.post("/api/auth/token/", {"username": "alice", "password": PASSWORD})
        self.assertEqual(access.status_code, 200)
        self.bearer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {access.json()['access']}"}
        self.rows_before = self.rows()

    def post(self, path: str, body: Any, **extra: Any) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        # The messages below are read in English; the default language is Russian.
        extra.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
        return self.api.post(path, data, content_type="application/json", **extra)

    def rows(self) -> tuple[int, ...]:
        return tuple(
            m.objects.count() for m in (Transaction, Category, CategoryAlias, BudgetItem, AuditLog)
        )

    def assert_contract(self, response: Any, status: int, error: str) -> dict[str, Any]:
        self.assertEqual(response.status_code, status, response.content[:300])
        self.assertEqual(response["Content-Type"], "application/json")
        body: dict[str, Any] = response.json()
        self.assertEqual(body["error"], error)
        self.assertIsInstance(body["message"], str)
        return body

    def detail_codes(self, body: dict[str, Any]) -> list[str]:
        return [d["code"] for d in body.get("details", [])]

    # 1
    def test_deep_nesting_is_a_400_on_every_drf_door(self) -> None:
        # The JWT API answers in its user's language: read these messages in English.
        User.objects.filter(pk=self.alice.pk).update(language="en")
        for path, extra in [
            ("/api/auth/token/", {}),
            ("/api/auth/token/refresh/", {}),
            ("/api/auth/token/blacklist/", {}),
            ("/api/categories/", self.bearer),
            ("/api/transactions/", self.bearer),
            ("/api/budget-items/", self.bearer),
        ]:
            with self.subTest(path=path):
                body = self.assert_contract(self.post(path, DEEP, **extra), 400, "validation_error")
                self.assertEqual(self.detail_codes(body), ["malformed_json"])
                self.assertIn("nests more than", body["details"][0]["message"])
        self.assertEqual(self.rows(), self.rows_before)

    # 2
    def test_a_lone_surrogate_username_is_a_400_that_counts_nothing(self) -> None:
        body = b'{"username": "\\ud800", "password": "x"}'
        response = self.post("/api/auth/token/", body)
        details = self.assert_contract(response, 400, "validation_error")["details"]
        self.assertIn("surrogate", details[0]["message"])
        # A form body cannot carry one, but the throttle's key survives it all the same.
        form = self.api.post(
            "/api/auth/token/",
            "username=%ED%A0%80&password=x",
            content_type="application/x-www-form-urlencoded",
        )
        self.assert_contract(form, 401, "authentication_failed")

    # 3
    def test_jwt_errors_read_like_the_contract(self) -> None:
        for path, body, extra in [
            ("/api/auth/token/refresh/", {"refresh": "not-a-token"}, {}),
            (
                "/api/categories/",
                {"kind": "expense", "name": "x"},
                {"HTTP_AUTHORIZATION": "Bearer x.y.z"},
            ),
        ]:
            with self.subTest(path=path):
                response = self.post(path, body, **extra)
                body_out = self.assert_contract(response, 401, "authentication_failed")
                self.assertNotIn("ErrorDetail", body_out["message"])
                self.assertNotIn("{", body_out["message"])
                self.assertEqual(self.detail_codes(body_out), ["token_not_valid"])

    # 4
    def test_keywords_and_categories_are_bounded(self) -> None:
        many = [f"word{i}" for i in range(MAX_KEYWORDS_PER_CATEGORY + 1)]
        response = self.post(
            "/api/categories/", {"kind": "expense", "name": "Many", "aliases": many}, **self.bearer
        )
        body = self.assert_contract(response, 400, "validation_error")
        self.assertEqual(body["details"][0]["path"], "aliases")
        cafe = self.category(self.alice, "cafe")
        response = self.api.patch(
            f"/api/categories/{cafe.pk}/",
            json.dumps({"aliases": many}),
            content_type="application/json",
            **self.bearer,
        )
        self.assert_contract(response, 400, "validation_error")
        self.assertEqual(self.rows(), self.rows_before)
        # The service holds the same bounds for every other interface.
        with self.assertRaises(ValidationError) as cm:
            category_update(category=cafe, user=self.alice, aliases=many, source="web")
        self.assertEqual(cm.exception.code, "too_many_keywords")
        existing = Category.objects.filter(ledger=cafe.ledger).count()
        Category.objects.bulk_create(
            Category(ledger=cafe.ledger, kind="expense", name=f"c{i}", slug=f"c{i}")
            for i in range(MAX_CATEGORIES_PER_LEDGER - existing)
        )
        with self.assertRaises(ValidationError) as cm:
            category_create(user=self.alice, kind="expense", name="One more", source="web")
        self.assertEqual(cm.exception.code, "too_many_categories")

    def test_learning_stops_at_the_keyword_bound(self) -> None:
        cafe = self.category(self.alice, "cafe")
        room = MAX_KEYWORDS_PER_CATEGORY - cafe.aliases.count()
        CategoryAlias.objects.bulk_create(
            CategoryAlias(category=cafe, word=f"w{i}") for i in range(room)
        )
        tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(100),
            currency="RUB",
            category=self.category(self.alice, "groceries"),
            date=self.alice.today(),
            note="совсем новое слово",
            source="web",
        )
        transaction_update(tx=tx, user=self.alice, category=cafe, source="web")
        self.assertEqual(cafe.aliases.count(), MAX_KEYWORDS_PER_CATEGORY)

    # 8: amounts
    def test_amounts_take_ascii_digits_only(self) -> None:
        groceries = self.category(self.alice, "groceries")
        for amount in ["١", " 1", "1\n", "-0", "-0.00", "-1", "1e3", "0x10", True, None, [], "1,5"]:
            with self.subTest(amount=amount):
                response = self.post(
                    "/api/transactions/",
                    {"kind": "expense", "amount": amount, "category": groceries.pk},
                    **self.bearer,
                )
                body = self.assert_contract(response, 400, "validation_error")
                self.assertEqual(body["details"][0]["path"], "amount")
        response = self.post(
            "/api/budget-items/",
            {"month": "2026-11", "category": groceries.pk, "planned_amount": "-0"},
            **self.bearer,
        )
        self.assert_contract(response, 400, "validation_error")
        self.assertEqual(self.rows(), self.rows_before)
        ok = self.post(
            "/api/transactions/",
            {"kind": "expense", "amount": "250.50", "category": groceries.pk},
            **self.bearer,
        )
        self.assertEqual(ok.status_code, 201)
        self.assertEqual(ok.json()["amount"], "250.50")

    # 8: months
    def test_months_take_ascii_digits_and_no_trailing_newline(self) -> None:
        for month in ["٢٠٢٦-١١", "2026-11\n", "2026-1", " 2026-11", "0000-00"]:
            with self.subTest(month=month):
                response = self.api.get("/api/summary/", {"month": month}, **self.bearer)
                body = self.assert_contract(response, 400, "validation_error")
                self.assertEqual(body["details"][0]["path"], "month")

    def test_dates_take_ascii_digits_and_no_trailing_newline(self) -> None:
        groceries = self.category(self.alice, "groceries")
        for day in ["٢٠٢٦-١١-٠١", "2026-11-01\n", "2026-1-1", "2026-02-30", 20261101]:
            with self.subTest(day=day):
                response = self.post(
                    "/api/transactions/",
                    {"kind": "expense", "amount": "1", "category": groceries.pk, "date": day},
                    **self.bearer,
                )
                body = self.assert_contract(response, 400, "validation_error")
                self.assertEqual(body["details"][0]["path"], "date")
        self.assertEqual(self.rows(), self.rows_before)

    def test_webhook_paths_are_machine_doors_too(self) -> None:
        # The rule is path-based: a webhook added later answers JSON without anyone
        # remembering to make it so.
        self.assert_contract(self.api.post("/webhooks/telegram/x"), 404, "not_found")

    # 8: sizes
    def test_bodies_over_the_limit_are_json_400s(self) -> None:
        big_json = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
        response = self.post("/api/categories/", big_json, **self.bearer)
        body = self.assert_contract(response, 400, "validation_error")
        self.assertEqual(self.detail_codes(body), ["too_large"])
        response = self.post("/api/auth/token/", big_json)
        self.assertEqual(
            self.detail_codes(self.assert_contract(response, 400, "validation_error")),
            ["too_large"],
        )
        form = b"name=" + b"x" * (3 * 1024 * 1024)
        response = self.api.post(
            "/api/categories/",
            form,
            content_type="application/x-www-form-urlencoded",
            **self.bearer,
        )
        body = self.assert_contract(response, 400, "validation_error")
        self.assertEqual(self.detail_codes(body), ["too_large"])
        self.assertEqual(self.rows(), self.rows_before)

    # 8: chunked bodies (read for real through gunicorn in test_outage.py)
    def chunked(self, path: str, body: bytes, *, terminated: bool = True) -> Any:
        environ: dict[str, Any] = {
            "CONTENT_LENGTH": "",
            "CONTENT_TYPE": "application/json",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(body),
        }
        if terminated:  # gunicorn's mark that it decoded the chunks
            environ["wsgi.input_terminated"] = True
        return self.api.generic("POST", path, **environ)

    def test_chunked_bodies_are_read_bounded_or_refused(self) -> None:
        login = json.dumps({"username": "alice", "password": PASSWORD}).encode()
        self.assertEqual(self.chunked("/api/auth/token/", login).status_code, 200)
        big = b'{"username": "' + b"x" * (2 * 1024 * 1024) + b'"}'
        body = self.assert_contract(self.chunked("/api/auth/token/", big), 400, "validation_error")
        self.assertEqual(self.detail_codes(body), ["too_large"])
        # A server that hands the chunks over undecoded: refused, not read as empty.
        response = self.chunked("/api/auth/token/", login, terminated=False)
        self.assert_contract(response, 411, "length_required")

    # 8: duplicate keys
    def test_duplicate_keys_are_refused(self) -> None:
        groceries = self.category(self.alice, "groceries")
        body = b'{"text": "\\u043a\\u043e\\u0444\\u0435 250", "dry_run": true, "dry_run": false}'
        response = self.post("/api/transactions/", body, **self.bearer)
        details = self.assert_contract(response, 400, "validation_error")["details"]
        self.assertIn("dry_run", details[0]["message"])
        body = b'{"kind": "expense", "amount": "1", "amount": "2", "category": %d}' % groceries.pk
        self.assert_contract(
            self.post("/api/transactions/", body, **self.bearer), 400, "validation_error"
        )
        self.assertEqual(self.rows(), self.rows_before)

    # 8: odd numbers
    def test_nan_infinity_and_huge_integers_say_what_they_are(self) -> None:
        # The JWT API answers in its user's language: read these messages in English.
        User.objects.filter(pk=self.alice.pk).update(language="en")
        for body, words in [
            (b'{"kind": "expense", "amount": NaN}', "NaN is not a JSON number"),
            (b'{"kind": "expense", "amount": Infinity}', "Infinity is not a JSON number"),
            (b'{"kind": "expense", "amount": -Infinity}', "Infinity is not a JSON number"),
            (b'{"category": ' + b"9" * 4300 + b"}", "at most"),
        ]:
            with self.subTest(body=body[:40]):
                response = self.post("/api/transactions/", body, **self.bearer)
                details = self.assert_contract(response, 400, "validation_error")["details"]
                self.assertIn(words, details[0]["message"])
        self.assertEqual(self.rows(), self.rows_before)

    def test_an_unknown_api_path_is_a_json_404(self) -> None:
        self.assert_contract(self.api.get("/api/nowhere/"), 404, "not_found")
        response = self.api.get("/nowhere/")
        self.assertEqual(response.status_code, 404)
        self.assertNotEqual(response["Content-Type"], "application/json")


class BudgetPageMonthTestCase(BaseTestCase):
    # 5
    def test_an_invalid_month_writes_nothing(self) -> None:
        self.client.force_login(self.alice)
        this_month = self.alice.today().replace(day=1)
        cafe = self.category(self.alice, "cafe")
        groceries = self.category(self.alice, "groceries")
        budget_item_set(
            user=self.alice,
            month=this_month,
            category=groceries,
            planned_amount=Decimal(100),
            source="web",
        )
        before = (BudgetItem.objects.count(), AuditLog.objects.count())
        page = self.client.get("/budget/")
        form = page.context["form"]
        data = dict.fromkeys(form.fields, "")
        data |= {f"plan_{cafe.pk}": "5000", "month": "0000-00"}
        for month in ["0000-00", "٢٠٢٦-١١", "2026-11\n", "2026-13"]:
            with self.subTest(month=month):
                response = self.client.post("/budget/", {**data, "month": month})
                self.assertEqual(response.status_code, 302)
                self.assertEqual((BudgetItem.objects.count(), AuditLog.objects.count()), before)
        self.assertTrue(BudgetItem.objects.filter(category=groceries, month=this_month).exists())

    def test_a_valid_month_still_saves(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get("/budget/?month=2026-11")
        form = page.context["form"]
        cafe = self.category(self.alice, "cafe")
        field = next(name for name in form.fields if str(cafe.pk) in name)
        response = self.client.post("/budget/", {field: "5000", "month": "2026-11"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(BudgetItem.objects.filter(category=cafe, planned_amount=5000).exists())
