from django.contrib.auth import get_user_model
from django.test import TransactionTestCase

from accounts.models import User
from config.testing import BaseTestCase, at_once
from finance.models import Category
from finance.services.books import ledger_personal, member_for
from ledgers import access
from ledgers.models import Ledger, Membership


class PersonalLedgerTestCase(BaseTestCase):
    def test_a_new_user_owns_a_personal_ledger_with_the_default_categories(self) -> None:
        ledger = Ledger.objects.get(personal_for=self.alice)
        self.assertEqual(ledger.owner, self.alice)
        self.assertEqual(self.alice.active_ledger_id, ledger.pk)
        member = Membership.objects.get(ledger=ledger)
        self.assertEqual((member.user, member.role), (self.alice, Membership.Role.OWNER))
        self.assertTrue(Category.objects.filter(ledger=ledger, slug="cafe").exists())
        self.assertEqual(Ledger.objects.get(personal_for=self.bob).default_currency, "USD")

    def test_a_user_made_without_the_service_gets_one_on_first_need(self) -> None:
        # As createsuperuser makes them: no service, no ledger yet.
        admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
        assert isinstance(admin, User)
        self.assertFalse(Ledger.objects.filter(personal_for=admin).exists())
        member = member_for(user=admin, write=True)
        self.assertEqual(member.ledger.personal_for_id, admin.pk)
        self.assertEqual(member.role, Membership.Role.OWNER)
        admin.refresh_from_db()
        self.assertEqual(admin.active_ledger_id, member.ledger_id)
        self.assertTrue(Category.objects.filter(ledger=member.ledger).exists())
        self.assertEqual(access.member_of(user=admin).pk, member.pk)  # made once

    def test_a_stale_active_ledger_falls_back_to_the_personal_one(self) -> None:
        other = Ledger.objects.get(personal_for=self.bob)
        User.objects.filter(pk=self.alice.pk).update(active_ledger=other)
        self.alice.refresh_from_db()
        member = access.member_of(user=self.alice)
        self.assertEqual(member.ledger.personal_for_id, self.alice.pk)


class PersonalLedgerRaceTestCase(TransactionTestCase):
    def test_two_first_needs_at_once_make_one_ledger(self) -> None:
        user = User.objects.create_user("erin", password="pw")
        made = at_once(2, lambda _n: ledger_personal(user=User.objects.get(pk=user.pk)).pk)
        self.assertEqual(len(made), 2)
        self.assertEqual(len(set(made)), 1)
        self.assertEqual(Ledger.objects.filter(personal_for=user).count(), 1)
        self.assertEqual(Membership.objects.filter(user=user).count(), 1)
