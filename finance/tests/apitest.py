from datetime import date
from decimal import Decimal

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from config.testing import BaseTestCase
from finance.models import Transaction
from finance.services.transactions import transaction_create


class ApiTestCase(BaseTestCase):
    """Alice calls the API with a JWT; `as_user` switches the caller."""

    def setUp(self) -> None:
        self.api = APIClient()
        self.as_user(self.alice)

    def as_user(self, user: User) -> None:
        access = RefreshToken.for_user(user).access_token
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    def record(
        self,
        user: User,
        slug: str,
        amount: str = "100",
        day: date = date(2026, 11, 2),
        source: str = "web",
    ) -> Transaction:
        category = self.category(user, slug)
        return transaction_create(
            user=user,
            kind=category.kind,
            amount=Decimal(amount),
            currency=user.default_currency,
            category=category,
            date=day,
            source=source,
        )
