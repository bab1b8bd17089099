"""Shared test personas: alice (the owner, with a full-scope and a read-only bot
token), bob (a stranger). Tests add their own rows with `objects.create` or services."""

from django.core.cache import cache
from django.test import TestCase

from accounts.models import Scope, User
from accounts.services import IssuedToken, api_token_create, user_create
from finance.models import Category
from ledgers.models import Ledger

PASSWORD = "correct horse battery staple"


class BaseTestCase(TestCase):
    alice: User
    bob: User
    alice_token: IssuedToken
    alice_readonly_token: IssuedToken

    @classmethod
    def setUpTestData(cls) -> None:
        cls.alice = user_create(
            username="alice", password=PASSWORD, email="alice@example.org", source="cli"
        )
        cls.bob = user_create(
            username="bob",
            password=PASSWORD,
            language="en",
            default_currency="USD",
            timezone_name="America/New_York",
            source="cli",
        )
        cls.alice_token = api_token_create(
            user=cls.alice, name="assistant", scopes=Scope.values, source="cli"
        )
        cls.alice_readonly_token = api_token_create(
            user=cls.alice, name="read-only", scopes=[Scope.SUMMARIES_READ], source="cli"
        )

    def ledger(self, user: User) -> Ledger:
        """The person's personal ledger."""
        return Ledger.objects.get(personal_for=user)

    def category(self, user: User, slug: str) -> Category:
        return Category.objects.get(ledger__personal_for=user, slug=slug)


def clear_cache() -> None:
    """Forget this test process's cache keys (rate-limit counters above all). Not FLUSHDB:
    pytest-xdist's other workers share the Redis, each under its own key prefix."""
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is not None:
        delete_pattern("*")  # django-redis adds the KEY_PREFIX and version
    else:
        cache.clear()
