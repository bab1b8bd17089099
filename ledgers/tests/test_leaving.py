"""What leaving means (docs/households.md): the person takes their own data, the shared
books keep theirs, a ledger always keeps an owner."""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import account_delete
from config.testing import PASSWORD, clear_cache
from finance.models import Category, CategoryAlias, Transaction
from finance.selectors.summary import monthly_summary
from finance.services import books
from finance.services.categories import aliases_learn
from ledgers import services
from ledgers.models import Ledger, Membership
from ledgers.tests.household import HouseholdTestCase

NOVEMBER = date(2026, 11, 1)


class LeavingTestCase(HouseholdTestCase):
    def transactions_page(self) -> Any:
        """Alice's list of Home's transactions, in English."""
        User.objects.filter(pk=self.alice.pk).update(language="en", active_ledger=self.home)
        self.client.force_login(self.alice)
        return self.client.get("/transactions/")


class AccountDeletionKeepsSharedBooksTestCase(LeavingTestCase):
    def setUp(self) -> None:
        clear_cache()  # the password throttle counts in the shared cache

    def record(self, by: User, paid_by: User, amount: str) -> None:
        """`by` records into Home through the JSON API, naming `paid_by` as the payer."""
        self.client.force_login(by)
        access = str(RefreshToken.for_user(by).access_token)
        body = {
            "kind": "expense",
            "amount": amount,
            "currency": "RUB",
            "category": self.home_category("cafe").pk,
            "date": "2026-11-03",
            "paid_by": paid_by.pk,
        }
        response = self.client.post(
            f"/api/transactions/?ledger={self.home.pk}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {access}",
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_deleting_an_account_leaves_the_rows_it_paid_and_recorded(self) -> None:
        # The case: A records with paid_by = B; B deletes the account.
        self.record(self.alice, self.carol, "100")
        self.record(self.alice, self.carol, "200")
        self.record(self.carol, self.carol, "300")
        self.assertEqual(Transaction.objects.filter(ledger=self.home).count(), 3)
        self.client.force_login(self.carol)
        response = self.client.post("/settings/delete/", {"password": PASSWORD, "confirm": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(User.objects.filter(username="carol").exists())

        rows = Transaction.objects.filter(ledger=self.home).order_by("amount")
        self.assertEqual(
            [(r.amount, r.created_by_id, r.paid_by_id) for r in rows],
            [
                (Decimal(100), self.alice.pk, None),
                (Decimal(200), self.alice.pk, None),
                (Decimal(300), None, None),
            ],
        )
        # Shown as a former member, nameless: in the summary and the transactions list
        # (the others are in the summary too, with their shares of the split expenses).
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOVEMBER)
        self.assertEqual(
            [(m.user_id, m.name, m.former, m.expense) for m in summary.members if m.expense],
            [(None, "", True, Decimal(600))],
        )
        Membership.objects.create(ledger=self.home, user=self.bob, role="member")  # two payers
        page = self.transactions_page()
        self.assertContains(page, "a former member", count=3)

    def test_the_only_owner_of_a_ledger_others_keep_must_hand_it_over(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            account_delete(user=self.alice, password=PASSWORD, source="web")
        self.assertEqual(caught.exception.code, "ledger_owner")
        self.assertTrue(User.objects.filter(pk=self.alice.pk).exists())

    def test_with_another_owner_the_ledger_passes_to_them(self) -> None:
        Membership.objects.filter(ledger=self.home, user=self.carol).update(role="owner")
        self.spend(self.alice, "150")
        account_delete(user=self.alice, password=PASSWORD, source="web")
        home = Ledger.objects.get(pk=self.home.pk)
        self.assertEqual(home.owner, self.carol)
        self.assertEqual(Transaction.objects.get(ledger=home).created_by, None)

    def test_a_ledger_kept_alone_goes_with_its_owner(self) -> None:
        alone = books.ledger_create(user=self.bob, name="Bob's trip", source="web")
        personal = self.ledger(self.bob)
        account_delete(user=self.bob, password=PASSWORD, source="web")
        self.assertFalse(Ledger.objects.filter(pk__in=[alone.pk, personal.pk]).exists())


class SharedPersonalLedgerTestCase(HouseholdTestCase):
    """A personal ledger may be shared; once it is, it is a ledger like any other."""

    def setUp(self) -> None:
        clear_cache()
        self.personal = self.ledger(self.alice)
        # Home has other keepers: alice hands it over, so that only her personal
        # ledger decides what her deletion may do.
        services.ownership_transfer(user=self.alice, ledger=self.home, to=self.carol, source="web")

    def test_a_personal_ledger_others_keep_is_not_deleted_with_its_owner(self) -> None:
        self.client.force_login(self.alice)
        access = str(RefreshToken.for_user(self.alice).access_token)
        response = self.client.post(
            f"/api/ledgers/{self.personal.pk}/invites/",
            {"role": "member"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {access}",
        )
        self.assertEqual(response.status_code, 201)
        services.invite_accept(user=self.carol, code=response.json()["code"], source="web")
        services.ledger_activate(user=self.carol, ledger=self.personal, source="web")
        cafe = Category.objects.get(ledger=self.personal, slug="cafe")
        books_rows = [
            Transaction.objects.create(
                ledger=self.personal,
                created_by=who,
                paid_by=who,
                kind="expense",
                amount=Decimal(amount),
                currency="RUB",
                category=cafe,
                date=date(2026, 11, 3),
                source="web",
            ).pk
            for who, amount in ((self.alice, "10"), (self.carol, "20"), (self.carol, "30"))
        ]

        # The owner alone cannot go: the books have another keeper.
        with self.assertRaises(ValidationError) as caught:
            account_delete(user=self.alice, password=PASSWORD, source="web")
        self.assertEqual(caught.exception.code, "ledger_owner")

        services.ownership_transfer(
            user=self.alice, ledger=self.personal, to=self.carol, source="web"
        )
        account_delete(user=self.alice, password=PASSWORD, source="web")
        ledger = Ledger.objects.get(pk=self.personal.pk)
        self.assertEqual((ledger.owner, ledger.personal_for), (self.carol, None))
        self.assertEqual(
            sorted(Transaction.objects.filter(ledger=ledger).values_list("pk", flat=True)),
            sorted(books_rows),
        )
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.active_ledger_id, ledger.pk)

    def test_a_ledger_is_not_handed_to_its_own_owner(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            f"/ledgers/{self.personal.pk}/transfer/", {"to": self.alice.pk}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "она уже ваша")  # in her language
        self.personal.refresh_from_db()
        self.assertEqual(self.personal.personal_for, self.alice)
        with self.assertRaises(ValidationError) as caught:
            services.ownership_transfer(
                user=self.alice, ledger=self.personal, to=self.alice, source="web"
            )
        self.assertEqual(caught.exception.code, "transfer_to_self")
        # The JSON export and the deletion still work on a personal ledger.
        self.assertEqual(self.client.get("/data/kopilka.json").status_code, 200)
        account_delete(user=self.alice, password=PASSWORD, source="web")
        self.assertFalse(Ledger.objects.filter(pk=self.personal.pk).exists())


class LeavingALedgerTestCase(LeavingTestCase):
    def test_who_leaves_takes_what_they_taught_and_is_shown_as_a_former_member(self) -> None:
        self.spend(self.carol, "300")
        groceries = self.home_category("groceries")
        aliases_learn(category=groceries, note="лавка", user=self.carol)
        aliases_learn(category=groceries, note="рынок", user=self.alice)
        self.client.force_login(self.carol)
        response = self.client.post(f"/ledgers/{self.home.pk}/leave/")
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.carol).exists())
        learned = CategoryAlias.objects.filter(category__ledger=self.home, source="learned")
        self.assertEqual(set(learned.values_list("user__username", flat=True)), {"alice"})
        tx = Transaction.objects.get(ledger=self.home)
        self.assertEqual((tx.created_by, tx.paid_by), (self.carol, self.carol))
        summary = monthly_summary(user=self.alice, ledger=self.home, month=NOVEMBER)
        payers = [(m.name, m.former) for m in summary.members if m.expense]
        self.assertEqual(payers, [("carol", True)])
        page = self.transactions_page()
        self.assertContains(page, "carol (former member)")
