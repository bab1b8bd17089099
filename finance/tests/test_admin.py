from datetime import date
from decimal import Decimal

from django.urls import reverse

from accounts.models import User
from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import BudgetItem, Category, ExchangeRate, Transaction
from finance.services.budget import budget_item_set
from finance.services.categories import category_archive
from finance.services.transactions import transaction_create


class AdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.operator = User.objects.create_superuser("operator", "op@example.org", "x")
        self.client.force_login(self.operator)
        self.tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal("480"),
            currency="RUB",
            category=self.category(self.alice, "transport"),
            date=date(2026, 11, 23),
            note="такси",
            source="bot",
        )
        budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(8000),
            source="web",
        )
        ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=90)

    def test_every_changelist_and_search_loads(self) -> None:
        for model in (User, Category, Transaction, BudgetItem, ExchangeRate, AuditLog):
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertEqual(self.client.get(url, {"q": "alice"}).status_code, 200)

    def edit_url(self) -> str:
        return reverse("admin:finance_transaction_change", args=[self.tx.pk])

    def form(self, **changes: object) -> dict[str, object]:
        data = {
            "amount": "480.00",
            "currency": "RUB",
            "category": self.tx.category_id,
            "date": "2026-11-23",
            "note": "такси",
        }
        data.update(changes)
        return data

    def test_an_operator_edit_goes_through_the_service(self) -> None:
        car = self.category(self.alice, "car")
        response = self.client.post(self.edit_url(), self.form(category=car.pk, amount="500"))
        self.assertEqual(response.status_code, 302)
        self.tx.refresh_from_db()
        self.assertEqual((self.tx.category, self.tx.amount), (car, Decimal(500)))
        row = AuditLog.objects.get(action="transaction.update")
        self.assertEqual(
            (row.source, row.actor_id, row.user_id), ("admin", self.operator.pk, self.alice.pk)
        )

    def test_a_refused_edit_is_shown_on_the_form(self) -> None:
        cases: list[tuple[dict[str, object], str]] = [
            ({"category": self.category(self.bob, "car").pk}, "category"),
            ({"category": self.category(self.alice, "salary").pk}, "category"),
            ({"amount": "0"}, "amount"),
            ({"amount": "10.5", "currency": "JPY"}, "amount"),
            ({"currency": "XYZ"}, "currency"),
        ]
        for changes, field in cases:
            with self.subTest(changes=changes):
                response = self.client.post(self.edit_url(), self.form(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["adminform"].form.errors)
        self.tx.refresh_from_db()
        self.assertEqual(self.tx.amount, Decimal(480))
        self.assertFalse(AuditLog.objects.filter(action="transaction.update").exists())

    def test_deleting_goes_through_the_service(self) -> None:
        url = reverse("admin:finance_transaction_delete", args=[self.tx.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Transaction.objects.exists())
        self.assertEqual(AuditLog.objects.get(action="transaction.delete").source, "admin")

    def test_history_is_read_only(self) -> None:
        row = AuditLog.objects.first()
        assert row is not None
        url = reverse("admin:audit_auditlog_change", args=[row.pk])
        self.assertEqual(self.client.get(url).status_code, 200)  # viewable
        self.client.post(url, {"action": "tampered"})
        row.refresh_from_db()
        self.assertNotEqual(row.action, "tampered")
        rate = ExchangeRate.objects.get()
        self.client.post(
            reverse("admin:finance_exchangerate_change", args=[rate.pk]), {"rate": "1"}
        )
        rate.refresh_from_db()
        self.assertEqual(rate.rate, 90)

    def test_a_user_added_in_the_admin_gets_the_default_categories(self) -> None:
        response = self.client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "carol",
                "password1": "a-long-passphrase-1",
                "password2": "a-long-passphrase-1",
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 302)
        carol = User.objects.get(username="carol")
        self.assertEqual(Category.objects.filter(ledger__personal_for=carol).count(), 25)
        self.assertEqual(
            AuditLog.objects.get(action="user.create", user=carol).actor_id, self.operator.pk
        )

    def test_a_refused_category_or_budget_edit_is_shown_on_the_form(self) -> None:
        cafe = self.category(self.alice, "cafe")
        url = reverse("admin:finance_category_change", args=[cafe.pk])
        response = self.client.post(url, {"name": "продукты", "is_archived": ""})
        self.assertEqual(response.status_code, 200)
        self.assertIn("name", response.context["adminform"].form.errors)
        cafe.refresh_from_db()
        self.assertEqual(cafe.name, "Кафе и рестораны")

        category_archive(user=self.alice, category=cafe, source="web")
        item = BudgetItem.objects.get(category=cafe)
        url = reverse("admin:finance_budgetitem_change", args=[item.pk])
        response = self.client.post(url, {"planned_amount": "9000", "currency": "RUB"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.non_field_errors())
        item.refresh_from_db()
        self.assertEqual(item.planned_amount, Decimal(8000))

    def test_an_operator_changing_a_users_settings_goes_through_the_service(self) -> None:
        url = reverse("admin:accounts_user_change", args=[self.alice.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
        data.update(
            {
                "language": "en",
                "default_currency": "EUR",
                "timezone": "Europe/Berlin",
                "date_joined_0": "2026-11-01",
                "date_joined_1": "10:00:00",
                "user_permissions": [],
                "groups": [],
            }
        )
        data = {k: v for k, v in data.items() if not isinstance(v, list) or v}
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code,
            302,
            response.context and response.context["adminform"].form.errors,
        )
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.language, self.alice.default_currency), ("en", "EUR"))
        self.assertEqual(self.category(self.alice, "groceries").name, "Groceries")
        row = AuditLog.objects.get(action="user.settings")
        self.assertEqual((row.source, row.actor_id), ("admin", self.operator.pk))
