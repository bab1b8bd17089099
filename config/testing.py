"""Shared test personas: alice (the owner, with a full-scope and a read-only bot
token), bob (a stranger). Tests add their own rows with `objects.create` or services."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.test import TestCase

from accounts.models import Scope, User
from accounts.services import IssuedToken, api_token_create, user_create
from finance.models import Category
from ledgers.models import Ledger

PASSWORD = "correct horse battery staple"

T = TypeVar("T")


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


def at_once(count: int, work: Callable[[int], T]) -> list[T | Exception]:
    """`work(0)` ... `work(count - 1)` from `count` threads released together, each on a
    database connection of its own (in a TransactionTestCase): what each returned, or
    the exception it raised, since the outcome is what a race's test checks."""
    barrier = threading.Barrier(count)
    results: list[T | Exception] = [RuntimeError("never ran")] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
