"""A household for the ledgers' tests: alice owns "Home", carol is a member in it,
dave a read-only member; bob stays a stranger."""

from datetime import date
from decimal import Decimal

from accounts.models import User
from accounts.services import user_create
from config.testing import PASSWORD, BaseTestCase
from finance.models import Category, Transaction
from finance.services.books import ledger_create
from finance.services.transactions import transaction_create
from ledgers.models import Ledger, Membership


class HouseholdTestCase(BaseTestCase):
    carol: User
    dave: User
    home: Ledger

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.carol = user_create(username="carol", password=PASSWORD, source="cli")
        cls.dave = user_create(username="dave", password=PASSWORD, source="cli")
        cls.home = ledger_create(user=cls.alice, name="Home", source="cli")
        Membership.objects.create(ledger=cls.home, user=cls.carol, role=Membership.Role.MEMBER)
        Membership.objects.create(ledger=cls.home, user=cls.dave, role=Membership.Role.READONLY)

    def home_category(self, slug: str) -> Category:
        return Category.objects.get(ledger=self.home, slug=slug)

    def spend(
        self, user: User, amount: str, slug: str = "cafe", day: date = date(2026, 11, 3)
    ) -> Transaction:
        return transaction_create(
            user=user,
            ledger=self.home,
            kind="expense",
            amount=Decimal(amount),
            currency="RUB",
            category=self.home_category(slug),
            date=day,
            source="web",
        )
