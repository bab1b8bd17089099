"""The cabinet's import pages: upload, preview with categories to change and purchases
already recorded marked, import once; a big file's progress; refusals on the form."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from config.testing import BaseTestCase
from finance.models import CategoryAlias, StatementImport, Transaction
from finance.services.transactions import transaction_create
from finance.tasks import statement_commit_job, statement_preview_job
from finance.tests import statement_files
from ledgers.models import Membership

DATA = Path(__file__).parent / "data" / "statements"
TBANK = (DATA / "tbank.csv").read_bytes()
# A Russian bank's CSV the import knows no bank of: read by its headings.
BANK = (
    "Дата операции;Сумма операции;Валюта операции;Категория;Описание\n"
    "24.11.2026 13:05:00;-1 250,50;RUB;Супермаркеты;Пятёрочка\n"
    "25.11.2026 09:00:00;-45,20;EUR;Кафе и рестораны;Кофе в Риге\n"
    "25.11.2026 18:00:00;85 000,00;RUB;Зарплата;Аванс\n"
).encode("cp1251")


class ImportPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def upload(self, content: bytes, name: str = "bank.csv") -> Any:
        return self.client.post("/data/import/", {"file": SimpleUploadedFile(name, content)})

    def uploaded(self, content: bytes, name: str = "bank.csv") -> StatementImport:
        response = self.upload(content, name)
        batch = StatementImport.objects.latest("pk")
        self.assertRedirects(response, f"/data/import/{batch.pk}/", fetch_redirect_response=False)
        return batch

    def form(self, page: Any) -> dict[str, str]:
        """The rows form as the page shows it, as a browser would submit it."""
        form = page.context["form"]
        data = {"page": str(page.context["page"].number), "only": page.context["only"]}
        for row, include, category in form.pairs():
            data[category.html_name] = str(category.value())
            if include.value() and not row.already_imported:
                data[include.html_name] = "on"
        return data

    def test_upload_preview_then_import(self) -> None:
        batch = self.uploaded(TBANK, "tbank.csv")
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Шоколадница")
        self.assertContains(page, "Импортировать 9 операций")
        self.assertFalse(Transaction.objects.exists())
        cafe = self.category(self.alice, "cafe")
        data = self.form(page) | {"action": "import", "category_1": str(cafe.pk)}
        response = self.client.post(f"/data/import/{batch.pk}/", data)
        self.assertRedirects(response, f"/data/import/{batch.pk}/", fetch_redirect_response=False)
        done = self.client.get(f"/data/import/{batch.pk}/")
        self.assertRedirects(done, "/transactions/", fetch_redirect_response=False)
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 9)
        self.assertEqual(Transaction.objects.get(amount=Decimal("1250.50")).category, cafe)
        # The choice taught the keywords, as a correction does.
        self.assertTrue(CategoryAlias.objects.filter(category=cafe, word="пятёрочка").exists())
        # The same file again, in another encoding: refused on the form, before a preview.
        again = self.upload(TBANK.decode("cp1251").encode("utf-8"))
        self.assertEqual(again.status_code, 400)
        self.assertEqual(
            again.context["file_form"].errors.as_data()["file"][0].code, "import_repeated"
        )
        self.assertContains(again, "уже импортирована", status_code=400)
        self.assertEqual(Transaction.objects.filter(created_by=self.alice).count(), 9)

    def test_a_purchase_already_recorded_is_marked_and_can_be_ticked(self) -> None:
        transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("320.00"),
            currency="RUB",
            category=self.category(self.alice, "cafe"),
            date=date(2026, 11, 24),
            source="telegram",
        )
        batch = self.uploaded(TBANK)
        page = self.client.get(f"/data/import/{batch.pk}/?only=marked")
        self.assertContains(page, 'class="marked"', count=1)
        self.assertContains(page, "уже записано: 320,00 RUB · Кафе и рестораны")
        self.assertContains(page, "Импортировать 8 операций")
        data = self.form(page)
        self.assertNotIn("include_2", data)  # left out unless ticked
        data |= {"include_2": "on", "action": "import"}
        self.client.post(f"/data/import/{batch.pk}/", data)
        self.assertEqual(Transaction.objects.filter(amount=Decimal(320)).count(), 2)

    def test_a_csv_whose_columns_are_not_known_asks_for_them(self) -> None:
        content = "Когда;Сколько;Что\n24.11.2026;-250,00;кофе\n".encode()
        batch = self.uploaded(content)
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.assertContains(page, 'id="mapping-form"')
        self.assertContains(page, "Выберите столбец, где указана дата.")
        remap = {
            "action": "remap",
            "column_date": "0",
            "column_amount": "1",
            "column_note": "2",
            "date_format": "auto",
            "decimal": "auto",
        }
        response = self.client.post(f"/data/import/{batch.pk}/", remap)
        self.assertRedirects(response, f"/data/import/{batch.pk}/", fetch_redirect_response=False)
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.assertContains(page, "Импортировать 1 операцию")
        self.assertEqual(page.context["form"].rows[0].category.slug, "cafe")

    def test_the_known_bank_csv_reads_by_its_headings(self) -> None:
        batch = self.uploaded(BANK)
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.assertContains(page, "1\u00a0250,50 RUB")
        self.assertEqual(page.context["mapping"]["column_amount"].value(), "1")
        slugs = [r.category.slug for r in page.context["form"].rows]
        self.assertEqual(slugs, ["groceries", "cafe", "salary"])

    def test_hostile_files_are_refused_on_the_form_naming_the_row(self) -> None:
        bad = TBANK.decode("cp1251").replace("21.11.2026 12:00:00", "31.02.2026 12:00:00")
        response = self.upload(bad.encode("cp1251"))
        self.assertContains(response, "Строка 6: «31.02.2026 12:00:00» — не дата.", status_code=400)
        response = self.upload(b"\x89PNG\r\n\x1a\n\x00\x00", "x.png")
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["file_form"].errors)
        with override_settings(IMPORT_MAX_BYTES=100):
            self.assertContains(self.upload(TBANK), "Файл больше", status_code=400)
        self.assertFalse(StatementImport.objects.exists())

    @override_settings(IMPORT_SYNC_MAX_BYTES=0)
    def test_a_big_file_shows_its_progress_while_a_job_reads_it(self) -> None:
        batch = self.uploaded(statement_files.tbank_csv(300))
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.assertTemplateUsed(page, "finance/import_progress.html")
        self.assertContains(page, f'data-progress-url="/data/import/{batch.pk}/progress/"')
        progress = self.client.get(f"/data/import/{batch.pk}/progress/")
        self.assertEqual(progress.json(), {"status": "reading", "done": 0, "total": 0})
        # The jobs (finance.tasks), which a worker runs: here, in the test's transaction.
        self.assertEqual(statement_preview_job(import_id=batch.pk), "ready")
        self.assertEqual(
            self.client.get(f"/data/import/{batch.pk}/progress/").json()["status"], "ready"
        )
        page = self.client.get(f"/data/import/{batch.pk}/")
        self.client.post(f"/data/import/{batch.pk}/", self.form(page) | {"action": "import"})
        self.assertTemplateUsed(
            self.client.get(f"/data/import/{batch.pk}/"), "finance/import_progress.html"
        )
        self.assertEqual(statement_commit_job(import_id=batch.pk, source="web"), "done")
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.imported), ("done", batch.total))

    def test_a_read_only_member_may_look_but_not_import(self) -> None:
        batch = self.uploaded(TBANK)
        Membership.objects.create(ledger=batch.ledger, user=self.bob, role="readonly")
        self.bob.active_ledger = batch.ledger
        self.bob.save()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/data/import/{batch.pk}/").status_code, 200)
        response = self.client.post(f"/data/import/{batch.pk}/", {"action": "import"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.upload(TBANK).status_code, 403)
        self.assertFalse(Transaction.objects.exists())

    def test_another_ledgers_import_is_not_found(self) -> None:
        batch = self.uploaded(TBANK)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/data/import/{batch.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/data/import/{batch.pk}/progress/").status_code, 404)
