"""A user made any way can record `кофе 250` at once: the defaults exist on first need."""

import os
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import TransactionTestCase

from accounts.models import Scope, User
from accounts.services import api_token_create
from botapi.tests.helpers import URL, clear_rate_limits, envelope
from config.testing import PASSWORD, BaseTestCase, at_once
from finance.defaults import DEFAULT_CATEGORIES
from finance.models import Category, Transaction
from finance.services.text import record_from_text


class UserCreationPathsTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_rate_limits()

    def assert_records_coffee(self, user: User) -> None:
        issued = api_token_create(user=user, name="agent", scopes=Scope.values, source="cli")
        response = self.client.post(
            URL,
            envelope("create_expense", {"text": "кофе 250"}),
            content_type="application/json",
            HTTP_X_BOT_TOKEN=issued.raw,
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["result"]["category"]["slug"], "cafe")
        self.assertEqual(
            Category.objects.filter(ledger__personal_for=user).count(), len(DEFAULT_CATEGORIES)
        )

    def test_sign_up(self) -> None:
        response = self.client.post(
            "/signup/",
            {
                "username": "carol",
                "email": "carol@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "language": "ru",
                "default_currency": "RUB",
                "timezone": "Europe/Moscow",
            },
        )
        self.assertEqual(response.status_code, 302, response.content)
        self.assert_records_coffee(User.objects.get(username="carol"))

    def test_the_admins_add_form(self) -> None:
        operator = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(operator)
        response = self.client.post(
            "/admin/accounts/user/add/",
            {
                "username": "dave",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "usable_password": "true",
            },
        )
        self.assertEqual(response.status_code, 302, response.content)
        self.client.logout()
        self.assert_records_coffee(User.objects.get(username="dave"))

    def test_createsuperuser(self) -> None:
        with mock.patch.dict(os.environ, {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}):
            call_command(
                "createsuperuser",
                "--noinput",
                username="erin",
                email="erin@example.org",
                stdout=StringIO(),
            )
        erin = User.objects.get(username="erin")
        self.assertFalse(Category.objects.filter(ledger__personal_for=erin).exists())
        self.assert_records_coffee(erin)

    def test_a_row_made_around_the_services(self) -> None:
        # What a data migration or a script does: a bare row, no categories.
        frank = User.objects.create(username="frank", language="en")
        tx = record_from_text(user=frank, kind="expense", text="coffee 3", source="web")
        self.assertEqual(tx.category.slug, "cafe")
        self.assertEqual(tx.category.name, "Cafes & restaurants")

    def test_the_cabinet_shows_the_defaults_at_once(self) -> None:
        grace = User.objects.create_user("grace", password=PASSWORD)
        self.client.force_login(grace)
        response = self.client.get("/categories/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            Category.objects.filter(ledger__personal_for=grace).count(), len(DEFAULT_CATEGORIES)
        )
        self.assertContains(response, "Кафе и рестораны")


class ConcurrentFirstNeedTestCase(TransactionTestCase):
    def test_two_first_requests_at_once_make_the_defaults_once(self) -> None:
        heidi = User.objects.create(username="heidi")
        results = at_once(
            4,
            lambda _n: record_from_text(
                user=User.objects.get(pk=heidi.pk), kind="expense", text="кофе 1", source="web"
            ),
        )
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        self.assertEqual(
            Category.objects.filter(ledger__personal_for=heidi).count(), len(DEFAULT_CATEGORIES)
        )
        self.assertEqual(Transaction.objects.filter(created_by=heidi).count(), 4)
