"""The money adds up, whatever the household does (hypothesis): shares always add up to
the amount, balances always sum to zero in each currency, and paying the suggested
transfers brings every balance to zero."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import User
from accounts.services import user_create
from config.testing import PASSWORD, BaseTestCase
from finance.models import Category, Share, Split
from finance.selectors.balances import ledger_balances
from finance.services.books import ledger_create
from finance.services.settlements import settlement_create
from finance.services.splits import SplitMember, SplitRequest
from finance.services.transactions import transaction_create
from finance.shares import allocate, apportion, from_minor, settle, to_minor
from ledgers.models import Ledger, Membership
from ledgers.services import member_remove

CURRENCIES = ["RUB", "USD", "JPY", "EUR"]
weights = st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False)


class ArithmeticPropertiesTestCase(SimpleTestCase):
    @settings(max_examples=400, deadline=None)
    @given(
        total=st.integers(min_value=0, max_value=10**14),
        weights=st.lists(weights, min_size=1, max_size=12).filter(lambda ws: any(ws)),
    )
    def test_allocated_shares_add_up_and_are_fair(self, total: int, weights: list[Decimal]) -> None:
        shares = allocate(total, weights)
        self.assertEqual(sum(shares), total)
        whole = sum(weights)
        for share, weight in zip(shares, weights, strict=True):
            exact = Fraction(total) * Fraction(weight) / Fraction(whole)
            self.assertLess(abs(share - exact), 1)  # never a whole unit from its due
            if weight == 0:
                self.assertEqual(share, 0)

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=10))
    def test_the_transfers_zero_every_balance(self, amounts: list[int]) -> None:
        amounts.append(-sum(amounts))  # balances sum to zero
        balances = dict(enumerate(amounts))
        transfers = settle(balances)
        left = dict(balances)
        for t in transfers:
            self.assertGreater(t.amount, 0)
            left[t.debtor] += t.amount
            left[t.creditor] -= t.amount
        self.assertEqual(set(left.values()), {0})
        self.assertLessEqual(len(transfers), max(sum(1 for a in amounts if a) - 1, 0))
        self.assertEqual(transfers, settle(balances))  # stable

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.integers(min_value=-(10**9), max_value=10**9), min_size=1, max_size=8),
        st.fractions(min_value=Fraction(1, 10**6), max_value=10**4),
    )
    def test_rounding_what_sums_to_zero_keeps_it_zero(
        self, amounts: list[int], rate: Fraction
    ) -> None:
        amounts.append(-sum(amounts))
        exact = [a * rate for a in amounts]
        shift = -min(x.numerator // x.denominator for x in exact)
        rounded = [r - shift for r in apportion([x + shift for x in exact], shift * len(exact))]
        self.assertEqual(sum(rounded), 0)
        for r, x in zip(rounded, exact, strict=True):
            self.assertLess(abs(r - x), 1)

    @given(st.sampled_from(CURRENCIES), st.integers(min_value=0, max_value=10**13))
    def test_minor_units_round_trip(self, currency: str, minor: int) -> None:
        self.assertEqual(to_minor(from_minor(minor, currency), currency), minor)


people = st.integers(min_value=0, max_value=4)
expense = st.fixed_dictionaries(
    {
        "payer": people,
        "currency": st.sampled_from(CURRENCIES),
        "mode": st.sampled_from(["default", "equal", "shares", "amounts"]),
        "who": st.lists(people, min_size=1, max_size=5, unique=True),
        "parts": st.lists(st.integers(min_value=1, max_value=10**8), min_size=5, max_size=5),
        "amount": st.integers(min_value=1, max_value=10**9),
    }
)
payment = st.tuples(
    people, people, st.integers(min_value=1, max_value=10**7), st.sampled_from(CURRENCIES)
)


class HouseholdPropertiesTestCase(HypothesisTestCase, BaseTestCase):
    """Each example in a database transaction of its own, undone after it."""

    users: list[User]
    books: Ledger
    groceries: Category

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.users = [cls.alice] + [
            user_create(username=f"member{n}", password=PASSWORD, source="cli") for n in range(1, 5)
        ]
        cls.books = ledger_create(user=cls.alice, name="Flat", source="cli")
        cls.groceries = Category.objects.get(ledger=cls.books, slug="groceries")

    def record(self, spec: dict[str, Any], members: list[User]) -> None:
        payer = members[spec["payer"] % len(members)]
        who = list(dict.fromkeys(members[i % len(members)] for i in spec["who"]))
        currency = spec["currency"]
        split = None
        amount = from_minor(spec["amount"], currency)
        parts = spec["parts"][: len(who)]
        if spec["mode"] == "equal":
            split = SplitRequest("equal", tuple(SplitMember(u.pk) for u in who))
        elif spec["mode"] == "shares":
            split = SplitRequest(
                "shares",
                tuple(SplitMember(u.pk, Decimal(p) / 100) for u, p in zip(who, parts, strict=True)),
            )
        elif spec["mode"] == "amounts":
            amount = from_minor(sum(parts), currency)
            split = SplitRequest(
                "amounts",
                tuple(
                    SplitMember(u.pk, from_minor(p, currency))
                    for u, p in zip(who, parts, strict=True)
                ),
            )
        tx = transaction_create(
            user=self.alice,
            ledger=self.books,
            kind="expense",
            amount=amount,
            currency=currency,
            category=self.groceries,
            date=date(2026, 11, 3),
            paid_by=payer,
            source="web",
            split=split,
        )
        shares = Share.objects.filter(split_id=tx.pk).values_list("amount_minor", flat=True)
        self.assertEqual(sum(shares), to_minor(tx.amount, currency))
        self.assertTrue(Split.objects.filter(pk=tx.pk).exists())

    def sums_to_zero(self) -> None:
        balances = ledger_balances(user=self.alice, ledger=self.books)
        totals: dict[str, Decimal] = {}
        for b in balances.balances:
            totals[b.currency] = totals.get(b.currency, Decimal(0)) + b.balance
        self.assertEqual(set(totals.values()) - {Decimal(0)}, set())

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        count=st.integers(min_value=2, max_value=5),
        expenses=st.lists(expense, min_size=1, max_size=6),
        payments=st.lists(payment, max_size=3),
        leaver=st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
        later=st.lists(expense, max_size=2),
    )
    def test_the_money_adds_up(
        self,
        count: int,
        expenses: list[dict[str, Any]],
        payments: list[tuple[int, int, int, str]],
        leaver: int | None,
        later: list[dict[str, Any]],
    ) -> None:
        members = self.users[:count]
        Membership.objects.bulk_create(
            Membership(ledger=self.books, user=u, role=Membership.Role.MEMBER) for u in members[1:]
        )
        for spec in expenses:
            self.record(spec, members)
        if leaver is not None and leaver < count:
            # Someone leaves, whatever they owe; what is recorded next is shared without them.
            gone = members[leaver]
            owed = ledger_balances(user=self.alice, ledger=self.books).of(gone.pk)
            member_remove(user=gone, ledger=self.books, member_user=gone, source="web")
            members = [u for u in members if u != gone]
            stays = ledger_balances(user=self.alice, ledger=self.books).of(gone.pk)
            self.assertEqual(
                [(b.currency, b.balance, b.member) for b in stays],
                [(b.currency, b.balance, False) for b in owed],
            )
            for spec in later:
                self.record(spec, members)
        for payer, payee, minor, currency in payments:
            a, b = members[payer % len(members)], members[payee % len(members)]
            if a != b:
                settlement_create(
                    user=self.alice,
                    ledger=self.books,
                    from_user_id=a.pk,
                    to_user_id=b.pk,
                    amount=from_minor(minor, currency),
                    currency=currency,
                    source="web",
                )
        self.sums_to_zero()
        # Paying every suggested transfer zeroes every balance.
        for t in ledger_balances(user=self.alice, ledger=self.books).settle:
            assert t.from_id is not None and t.to_id is not None
            settlement_create(
                user=self.alice,
                ledger=self.books,
                from_user_id=t.from_id,
                to_user_id=t.to_id,
                amount=t.amount,
                currency=t.currency,
                source="web",
            )
        after = ledger_balances(user=self.alice, ledger=self.books)
        self.assertEqual({b.balance for b in after.balances} - {Decimal(0)}, set())
        self.assertEqual(after.settle, ())
