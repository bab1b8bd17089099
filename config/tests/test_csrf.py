"""Every cabinet form that writes refuses a POST without the CSRF token."""

from datetime import date
from decimal import Decimal

from django.test import Client

from accounts.models import ApiToken
from config.testing import PASSWORD, BaseTestCase
from finance.models import Category, Transaction
from finance.services.transactions import transaction_create


class CsrfTestCase(BaseTestCase):
    def test_posts_without_the_token_are_refused_and_change_nothing(self) -> None:
        cafe = self.category(self.alice, "cafe")
        tx = transaction_create(
            user=self.alice,
            kind="expense",
            amount=Decimal(1),
            currency="RUB",
            category=cafe,
            date=date(2026, 11, 1),
            source="web",
        )
        token = self.alice_token.token.pk
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        posts = {
            "/logout/": {},
            "/password/": {"old_password": PASSWORD, "new_password1": "x" * 20},
            "/settings/": {"default_currency": "EUR", "timezone": "UTC", "language": "en"},
            "/tokens/new/": {"name": "x", "scopes": ["summaries:read"], "expires": "30"},
            f"/tokens/{token}/revoke/": {},
            f"/tokens/{token}/rotate/": {},
            "/transactions/add/": {"kind": "expense", "amount": "5", "category": cafe.pk},
            "/transactions/add/text/": {"text": "кофе 250", "kind": "expense"},
            f"/transactions/{tx.pk}/": {"amount": "9"},
            f"/transactions/{tx.pk}/delete/": {},
            "/budget/": {"month": "2026-11", f"plan_{cafe.pk}": "5"},
            "/budget/copy/": {"month": "2026-11"},
            "/categories/": {"kind": "expense", "name": "New"},
            f"/categories/{cafe.pk}/": {"name": "Renamed"},
            f"/categories/{cafe.pk}/archive/": {},
        }
        for url, data in posts.items():
            with self.subTest(url=url):
                self.assertEqual(client.post(url, data).status_code, 403)
        anonymous = Client(enforce_csrf_checks=True)
        for url in ("/login/", "/signup/", "/password/reset/"):
            with self.subTest(url=url):
                self.assertEqual(anonymous.post(url, {}).status_code, 403)
        self.assertEqual(Transaction.objects.get().amount, Decimal("1.00"))
        self.assertEqual(ApiToken.objects.filter(user=self.alice, revoked_at=None).count(), 2)
        self.assertEqual(Category.objects.get(pk=cafe.pk).name, cafe.name)
        self.assertIn("_auth_user_id", client.session)
