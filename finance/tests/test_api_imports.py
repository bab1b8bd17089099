"""POST /api/imports/, GET /api/imports/{id}/, POST /api/imports/{id}/commit/."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from audit.models import AuditLog
from finance.models import CategoryAlias, StatementImport, Transaction
from finance.tasks import statement_commit_job, statement_preview_job
from finance.tests import statement_files
from finance.tests.apitest import ApiTestCase
from finance.tests.test_statement_refusals import BOMB_DTD
from ledgers.models import Membership

DATA = Path(__file__).parent / "data" / "statements"
TBANK = (DATA / "tbank.csv").read_bytes()


class ImportsApiTestCase(ApiTestCase):
    def upload(self, content: bytes, name: str = "statement.csv", **headers: Any) -> Any:
        return self.api.post(
            "/api/imports/",
            {"file": SimpleUploadedFile(name, content)},
            format="multipart",
            **headers,
        )

    def commit(self, import_id: int, body: dict[str, Any] | None = None) -> Any:
        return self.api.post(f"/api/imports/{import_id}/commit/", body or {}, format="json")

    def test_preview_then_commit(self) -> None:
        transaction_already = self.record(self.alice, "cafe", "320.00", day=date(2026, 11, 24))
        response = self.upload(TBANK)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["format"], body["status"], body["left_out"]), ("tbank_csv", "ready", 2)
        )
        rows = {row["index"]: row for row in body["rows"]}
        self.assertEqual(
            rows[1],
            {
                "index": 1,
                "date": "2026-11-24",
                "time": "13:05:41",
                "amount": "1250.50",
                "currency": "RUB",
                "kind": "expense",
                "text": "Пятёрочка",
                "category": {
                    "id": self.category(self.alice, "groceries").pk,
                    "slug": "groceries",
                    "name": "Продукты",
                },
                "duplicate_of": None,
                "imported_before": False,
                "include": True,
            },
        )
        self.assertEqual(
            (rows[2]["duplicate_of"], rows[2]["include"]), (transaction_already.pk, False)
        )
        self.assertFalse(Transaction.objects.filter(source="import").exists())
        health = self.category(self.alice, "health")
        done = self.commit(body["id"], {"categories": {"6": health.pk}, "include": [2]})
        self.assertEqual(done.status_code, 201, done.content)
        self.assertEqual(
            {k: done.json()[k] for k in ("status", "imported", "matched")},
            {"status": "done", "imported": 9, "matched": 0},
        )
        self.assertEqual(Transaction.objects.filter(source="import").count(), 9)
        self.assertEqual(Transaction.objects.get(currency="EUR").category, health)
        self.assertTrue(CategoryAlias.objects.filter(category=health, word="cafe").exists())
        self.assertTrue(AuditLog.objects.filter(action="statement.import", source="api").exists())
        # Once: the commit again, and the file again.
        self.assertEqual(self.commit(body["id"]).status_code, 400)
        again = self.upload(TBANK.decode("cp1251").encode("utf-16"))
        self.assertEqual(again.status_code, 400)
        self.assertEqual(again.json()["details"][0]["code"], "import_repeated")
        self.assertEqual(Transaction.objects.filter(source="import").count(), 9)

    def test_a_marked_row_not_included_enriches_the_purchase_it_is(self) -> None:
        typed = self.record(self.alice, "cafe", "320.00", day=date(2026, 11, 24))
        body = self.upload(TBANK).json()
        done = self.commit(body["id"]).json()
        self.assertEqual((done["imported"], done["matched"]), (8, 1))
        typed.refresh_from_db()
        self.assertEqual(typed.note, "Шоколадница")

    def test_refusals_name_the_row_in_the_clients_language(self) -> None:
        bad = TBANK.decode("cp1251").replace("21.11.2026 12:00:00", "31.02.2026 12:00:00")
        response = self.upload(bad.encode("cp1251"), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(),
            {
                "error": "validation_error",
                "message": "Row 6: “31.02.2026 12:00:00” is not a date.",
                "details": [
                    {
                        "path": "rows.6",
                        "code": "bad_date",
                        "message": "Row 6: “31.02.2026 12:00:00” is not a date.",
                    }
                ],
            },
        )
        ru = self.upload(bad.encode("cp1251"), HTTP_ACCEPT_LANGUAGE="ru").json()
        self.assertEqual(ru["message"], "Строка 6: «31.02.2026 12:00:00» — не дата.")
        ofx2 = (DATA / "statement-v2.ofx").read_text()
        declaration, rest = ofx2.split("\n", 1)
        pi, body = rest.split("\n", 1)
        bomb = f"{declaration}\n{pi}\n{BOMB_DTD}\n" + body.replace("ACME CORP PAYROLL", "&lol9;")
        refused = self.upload(bomb.encode(), "bomb.ofx")
        self.assertEqual(refused.json()["details"][0]["code"], "xml_forbidden")
        for content, code in (
            (b"%PDF-1.7\n", "unknown_format"),
            (b"date;amount\n01.11.2026;5\x98\n", "bad_encoding"),
        ):
            self.assertEqual(self.upload(content).json()["details"][0]["code"], code)
        with override_settings(IMPORT_MAX_BYTES=1000):
            self.assertEqual(self.upload(TBANK).json()["details"][0]["code"], "too_big")
        missing = self.api.post("/api/imports/", {}, format="multipart")
        self.assertEqual(missing.json()["details"][0]["path"], "file")
        self.assertFalse(StatementImport.objects.exists())
        self.assertFalse(Transaction.objects.exists())

    def test_commit_choices_that_name_nothing_are_refused(self) -> None:
        body = self.upload(TBANK).json()
        salary = self.category(self.alice, "salary")
        for choice, path, code in (
            ({"categories": {"1": salary.pk}}, "rows.1", "category_kind_mismatch"),
            ({"categories": {"77": salary.pk}}, "rows.77", "row_not_found"),
            ({"categories": {"x": salary.pk}}, "categories", "invalid"),
            ({"include": ["one"]}, "include.0", "invalid"),
        ):
            with self.subTest(choice):
                response = self.commit(body["id"], choice)
                self.assertEqual(response.status_code, 400, response.content)
                self.assertEqual(
                    (response.json()["details"][0]["path"], response.json()["details"][0]["code"]),
                    (path, code),
                )
        # Said in the client's language, and only in it.
        for language, message in (
            ("en", "The keys are the rows' numbers, such as “3”."),
            ("ru", "Ключи — номера строк, например «3»."),
        ):
            response = self.api.post(
                f"/api/imports/{body['id']}/commit/",
                {"categories": {"x": salary.pk}},
                format="json",
                HTTP_ACCEPT_LANGUAGE=language,
            )
            self.assertEqual(response.json()["details"][0]["message"], message)
        self.assertFalse(Transaction.objects.exists())

    @override_settings(IMPORT_SYNC_MAX_BYTES=0)
    def test_a_big_file_is_read_by_a_job_and_polled(self) -> None:
        response = self.upload(statement_files.sber_csv(500))
        self.assertEqual(response.status_code, 202, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["progress"]), ("reading", {"done": 0, "total": 0}))
        statement_preview_job(import_id=body["id"])  # what the worker does
        ready = self.api.get(f"/api/imports/{body['id']}/").json()
        self.assertEqual((ready["status"], len(ready["rows"])), ("ready", 500))
        committing = self.commit(body["id"])
        self.assertEqual((committing.status_code, committing.json()["status"]), (202, "committing"))
        statement_commit_job(import_id=body["id"], source="api")
        done = self.api.get(f"/api/imports/{body['id']}/").json()
        self.assertEqual((done["status"], done["imported"]), ("done", 500))
        self.assertEqual(Transaction.objects.filter(source="import").count(), 500)

    def test_another_ledgers_import_is_not_found_and_a_reader_imports_nothing(self) -> None:
        body = self.upload(TBANK).json()
        self.as_user(self.bob)
        self.assertEqual(self.api.get(f"/api/imports/{body['id']}/").status_code, 404)
        self.assertEqual(self.commit(body["id"]).status_code, 404)
        home = self.ledger(self.alice)
        Membership.objects.create(ledger=home, user=self.bob, role="readonly")
        self.assertEqual(
            self.api.get(f"/api/imports/{body['id']}/?ledger={home.pk}").status_code, 200
        )
        refused = self.api.post(
            f"/api/imports/{body['id']}/commit/?ledger={home.pk}", {}, format="json"
        )
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(Transaction.objects.filter(amount=Decimal("1250.50")).exists())
