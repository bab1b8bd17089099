from django.core.exceptions import ValidationError

from accounts.models import ApiToken, Scope
from accounts.services import api_token_create
from finance.models import Transaction
from finance.services.books import ledger_personal
from ledgers import access, services
from ledgers.models import Ledger, Membership
from ledgers.tests.household import HouseholdTestCase


class MembershipTestCase(HouseholdTestCase):
    def test_the_last_owner_cannot_leave(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.member_remove(
                user=self.alice, ledger=self.home, member_user=self.alice, source="web"
            )
        self.assertEqual(caught.exception.code, "last_owner")
        self.assertTrue(Membership.objects.filter(ledger=self.home, user=self.alice).exists())

    def test_ownership_is_handed_over_and_then_the_giver_may_leave(self) -> None:
        services.ownership_transfer(user=self.alice, ledger=self.home, to=self.carol, source="web")
        self.home.refresh_from_db()
        self.assertEqual(self.home.owner, self.carol)
        roles = dict(
            Membership.objects.filter(ledger=self.home).values_list("user__username", "role")
        )
        self.assertEqual(roles["carol"], "owner")
        self.assertEqual(roles["alice"], "manager")
        services.member_remove(
            user=self.alice, ledger=self.home, member_user=self.alice, source="web"
        )
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.alice).exists())

    def test_only_an_owner_hands_over_and_only_to_a_member(self) -> None:
        with self.assertRaises(access.LedgerForbidden):
            services.ownership_transfer(
                user=self.carol, ledger=self.home, to=self.carol, source="web"
            )
        with self.assertRaises(ValidationError) as caught:
            services.ownership_transfer(
                user=self.alice, ledger=self.home, to=self.bob, source="web"
            )
        self.assertEqual(caught.exception.code, "not_a_member")
        self.assertEqual(Ledger.objects.get(pk=self.home.pk).owner, self.alice)

    def test_a_personal_ledger_handed_over_is_no_longer_personal(self) -> None:
        personal = self.ledger(self.alice)
        Membership.objects.create(ledger=personal, user=self.carol, role="member")
        services.ownership_transfer(user=self.alice, ledger=personal, to=self.carol, source="web")
        personal.refresh_from_db()
        self.assertIsNone(personal.personal_for)
        fresh = ledger_personal(user=self.alice)
        self.assertNotEqual(fresh.pk, personal.pk)
        self.assertEqual(fresh.owner, self.alice)

    def test_removal_keeps_the_members_transactions_and_revokes_their_tokens(self) -> None:
        tx = self.spend(self.carol, "300")
        token = api_token_create(
            user=self.carol,
            ledger=self.home,
            name="bot",
            scopes=[Scope.EXPENSES_WRITE],
            source="web",
        ).token
        services.ledger_activate(user=self.carol, ledger=self.home, source="web")
        services.member_remove(
            user=self.alice, ledger=self.home, member_user=self.carol, source="web"
        )

        tx = Transaction.objects.get(pk=tx.pk)
        self.assertEqual(
            (tx.ledger, tx.created_by, tx.paid_by), (self.home, self.carol, self.carol)
        )
        self.assertIsNotNone(ApiToken.objects.get(pk=token.pk).revoked_at)
        with self.assertRaises(access.LedgerNotFound):
            access.member_of(user=self.carol, ledger=self.home)
        self.carol.refresh_from_db()
        self.assertIsNone(self.carol.active_ledger_id)
        self.assertEqual(access.member_of(user=self.carol).ledger, self.ledger(self.carol))
        # The ledger's summary still counts what she paid (and the others' shares of it).
        from finance.selectors.summary import monthly_summary

        summary = monthly_summary(user=self.alice, ledger=self.home, month=tx.date)
        self.assertEqual(
            [(m.name, str(m.expense), str(m.share)) for m in summary.members],
            [
                ("carol", "300.00", "100.00"),
                ("alice", "0.00", "100.00"),
                ("dave", "0.00", "100.00"),
            ],
        )

    def test_members_and_read_only_members_remove_nobody_but_themselves(self) -> None:
        for remover in (self.carol, self.dave):
            with self.subTest(remover=remover.username), self.assertRaises(access.LedgerForbidden):
                services.member_remove(
                    user=remover, ledger=self.home, member_user=self.alice, source="web"
                )
        services.member_remove(
            user=self.dave, ledger=self.home, member_user=self.dave, source="web"
        )
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.dave).exists())

    def test_a_manager_removes_members_but_not_owners(self) -> None:
        Membership.objects.filter(user=self.carol).update(role="manager")
        with self.assertRaises(access.LedgerForbidden):
            services.member_remove(
                user=self.carol, ledger=self.home, member_user=self.alice, source="web"
            )
        services.member_remove(
            user=self.carol, ledger=self.home, member_user=self.dave, source="web"
        )
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.dave).exists())

    def test_the_cabinet_pages(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(f"/ledgers/{self.home.pk}/")
        self.assertContains(page, "carol")
        # People are members, not things with a "Название".
        self.assertContains(page, '<th scope="col">Участник</th>', html=True)
        self.assertNotContains(page, "Название</th>")
        self.assertContains(page, f"/ledgers/{self.home.pk}/invite/")
        response = self.client.post(f"/ledgers/{self.home.pk}/leave/")
        self.assertRedirects(response, f"/ledgers/{self.home.pk}/")
        self.assertTrue(Membership.objects.filter(ledger=self.home, user=self.alice).exists())
        response = self.client.post(f"/ledgers/{self.home.pk}/members/{self.dave.pk}/remove/")
        self.assertRedirects(response, f"/ledgers/{self.home.pk}/")
        self.assertFalse(Membership.objects.filter(ledger=self.home, user=self.dave).exists())
        response = self.client.post(f"/ledgers/{self.home.pk}/transfer/", {"to": self.carol.pk})
        self.assertEqual(Ledger.objects.get(pk=self.home.pk).owner, self.carol)

        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/ledgers/{self.home.pk}/").status_code, 404)

    def test_the_cabinet_switches_the_active_ledger(self) -> None:
        self.client.force_login(self.carol)
        page = self.client.get("/")
        self.assertContains(page, 'name="ledger"')  # two ledgers: the switch shows
        response = self.client.post(
            "/ledgers/switch/", {"ledger": self.home.pk, "next": "/budget/"}
        )
        self.assertRedirects(response, "/budget/")
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.active_ledger_id, self.home.pk)
        refused = self.client.post("/ledgers/switch/", {"ledger": self.ledger(self.bob).pk})
        self.assertEqual(refused.status_code, 404)
        # A next that is no path (a view's name, say) goes to the dashboard, never a 500.
        for next_url in ("xxxxxxxx", "finance:budget"):
            response = self.client.post(
                "/ledgers/switch/", {"ledger": self.home.pk, "next": next_url}
            )
            self.assertRedirects(response, "/")

    def test_one_ledger_shows_no_extra_ui(self) -> None:
        self.client.force_login(self.bob)
        for url in ("/", "/transactions/", "/tokens/"):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertNotContains(page, 'name="ledger"')
                self.assertNotContains(page, 'name="paid_by"')
