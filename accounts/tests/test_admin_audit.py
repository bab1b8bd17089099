"""Every write an operator makes in the admin leaves an audit row, or is not offered."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.services import api_token_create
from audit.models import AuditLog
from config.testing import BaseTestCase
from finance.models import BudgetItem, Category, ExchangeRate
from finance.services.budget import budget_item_set

NEW_PASSWORD = "a brand new operator-set passphrase"


class AdminAuditTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.operator = User.objects.create_superuser("operator", "op@example.org", "x")
        self.client.force_login(self.operator)

    def change_user(self, user: User, **changes: Any) -> Any:
        url = reverse("admin:accounts_user_change", args=[user.pk])
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
        data.update(changes)
        data = {k: v for k, v in data.items() if v is not False}
        return self.client.post(url, data)

    def audit_row(self, action: str) -> AuditLog:
        row = AuditLog.objects.get(action=action)
        self.assertEqual((row.source, row.actor_id), ("admin", self.operator.pk))
        return row

    def test_adding_a_user_goes_through_user_create(self) -> None:
        response = self.client.post(
            reverse("admin:accounts_user_add"),
            {"username": "carol", "usable_password": "false"},
        )
        carol = User.objects.get(username="carol")
        self.assertRedirects(
            response, reverse("admin:accounts_user_change", args=[carol.pk]), 302, 200
        )
        self.assertFalse(carol.has_usable_password())
        row = AuditLog.objects.get(action="user.create", user=carol)
        self.assertEqual((row.source, row.actor_id), ("admin", self.operator.pk))

    def test_making_someone_staff_is_audited(self) -> None:
        response = self.change_user(self.alice, is_staff=True)
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.is_staff)
        row = self.audit_row("user.access")
        self.assertEqual((row.user_id, row.details), (self.alice.pk, {"is_staff": True}))

    def test_making_someone_superuser_is_audited(self) -> None:
        self.change_user(self.alice, is_superuser=True)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.is_superuser)
        self.assertEqual(self.audit_row("user.access").details, {"is_superuser": True})

    def test_deactivating_someone_is_audited(self) -> None:
        self.change_user(self.alice, is_active=False)
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.is_active)
        self.assertEqual(self.audit_row("user.access").details, {"is_active": False})

    def test_saving_without_changes_writes_no_row(self) -> None:
        self.assertEqual(self.change_user(self.alice).status_code, 302)
        self.assertFalse(AuditLog.objects.filter(source="admin").exists())

    def test_names_and_email_are_not_offered(self) -> None:
        self.change_user(self.alice, username="mallory", email="m@example.org")
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.username, self.alice.email), ("alice", "alice@example.org"))

    def test_setting_a_password_is_audited(self) -> None:
        url = reverse("admin:auth_user_password_change", args=[self.alice.pk])
        response = self.client.post(
            url,
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        self.assertEqual(self.audit_row("user.password").user_id, self.alice.pk)

    def test_disabling_password_sign_in_is_audited(self) -> None:
        url = reverse("admin:auth_user_password_change", args=[self.alice.pk])
        response = self.client.post(url, {"usable_password": "false", "unset-password": "1"})
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.has_usable_password())
        self.assertEqual(self.audit_row("user.password").details, {"usable": False})

    def test_deleting_a_budget_item_is_audited(self) -> None:
        item, _ = budget_item_set(
            user=self.alice,
            month=date(2026, 11, 1),
            category=self.category(self.alice, "cafe"),
            planned_amount=Decimal(8000),
            source="web",
        )
        url = reverse("admin:finance_budgetitem_delete", args=[item.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(BudgetItem.objects.exists())
        self.assertEqual(self.audit_row("budget_item.delete").object_id, str(item.pk))

    def test_bulk_deleting_budget_items_audits_each(self) -> None:
        for slug in ["cafe", "groceries"]:
            budget_item_set(
                user=self.alice,
                month=date(2026, 11, 1),
                category=self.category(self.alice, slug),
                planned_amount=Decimal(100),
                source="web",
            )
        url = reverse("admin:finance_budgetitem_changelist")
        pks = [str(pk) for pk in BudgetItem.objects.values_list("pk", flat=True)]
        response = self.client.post(
            url, {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(BudgetItem.objects.exists())
        self.assertEqual(AuditLog.objects.filter(action="budget_item.delete").count(), 2)

    def test_deletes_that_would_go_unaudited_are_not_offered(self) -> None:
        token = api_token_create(user=self.alice, name="t", scopes=["summaries:read"], source="cli")
        rate = ExchangeRate.objects.create(date=date(2026, 11, 1), base="USD", quote="RUB", rate=90)
        for name, obj in [
            ("accounts_user", self.alice),
            ("finance_category", self.category(self.alice, "cafe")),
            ("accounts_apitoken", token.token),
            ("finance_exchangerate", rate),
        ]:
            with self.subTest(model=name):
                url = reverse(f"admin:{name}_delete", args=[obj.pk])
                self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
                self.assertTrue(type(obj)._default_manager.filter(pk=obj.pk).exists())
                changelist = self.client.get(reverse(f"admin:{name}_changelist"))
                self.assertNotContains(changelist, "delete_selected")
        self.assertTrue(
            Category.objects.filter(ledger__personal_for=self.alice, slug="cafe").exists()
        )

    def test_groups_and_the_jwt_blacklist_have_no_edit_forms(self) -> None:
        self.assertEqual(self.client.get("/admin/auth/group/").status_code, 404)
        self.assertEqual(
            self.client.get("/admin/token_blacklist/blacklistedtoken/add/").status_code, 404
        )


class CreateDemoUserTestCase(BaseTestCase):
    def test_the_operator_it_makes_is_audited(self) -> None:
        call_command("create_demo_user", username="demo")
        user = User.objects.get(username="demo")
        self.assertTrue(user.is_staff and user.is_superuser)
        row = AuditLog.objects.get(action="user.access", user=user)
        self.assertEqual(
            (row.source, row.details), ("cli", {"is_staff": True, "is_superuser": True})
        )

    def test_running_it_again_changes_and_audits_nothing_more(self) -> None:
        call_command("create_demo_user", username="demo")
        rows = AuditLog.objects.count()
        call_command("create_demo_user", username="demo")
        self.assertEqual(AuditLog.objects.count(), rows)

    def test_an_existing_user_made_operator_is_audited(self) -> None:
        call_command("create_demo_user", username="alice")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.is_superuser)
        actions = set(AuditLog.objects.filter(user=self.alice).values_list("action", flat=True))
        self.assertLessEqual({"user.access", "user.password"}, actions)
