import hashlib
from datetime import timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.test import TransactionTestCase
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import user_create
from audit.models import AuditLog
from config.testing import at_once, clear_cache
from finance.services.books import ledger_create
from ledgers import access, services
from ledgers.models import Invite, Ledger, Membership
from ledgers.tests.household import HouseholdTestCase


class InvitationTestCase(HouseholdTestCase):
    def invite(self, role: str = "member", by: User | None = None) -> services.IssuedInvite:
        return services.invite_create(
            user=by or self.alice, ledger=self.home, role=role, source="web"
        )

    def assert_refused(self, code: str, call: object) -> None:
        with self.assertRaises(ValidationError) as caught:
            call()  # type: ignore[operator]
        self.assertEqual(caught.exception.code, code)

    def test_it_is_stored_hashed_and_joins_in_its_role(self) -> None:
        issued = self.invite("readonly")
        invite = Invite.objects.get()
        self.assertEqual(invite.code_hash, hashlib.sha256(issued.code.encode()).hexdigest())
        self.assertNotIn(issued.code, str(Invite.objects.values().get()))
        self.assertAlmostEqual(
            invite.expires_at, timezone.now() + timedelta(days=7), delta=timedelta(minutes=1)
        )
        member = services.invite_accept(user=self.bob, code=issued.code, source="web")
        self.assertEqual((member.ledger, member.role), (self.home, Membership.Role.READONLY))
        invite.refresh_from_db()
        self.assertEqual(invite.used_by, self.bob)
        row = AuditLog.objects.get(action="ledger.join")
        self.assertEqual((row.user_id, row.ledger_id), (self.bob.pk, self.home.pk))
        self.assertNotIn(issued.code, str(AuditLog.objects.values_list("details")))

    def test_a_used_invitation_is_refused(self) -> None:
        issued = self.invite()
        services.invite_accept(user=self.bob, code=issued.code, source="web")
        erin = user_create(username="erin", password=None, source="cli")
        self.assert_refused(
            "invite_invalid",
            lambda: services.invite_accept(user=erin, code=issued.code, source="web"),
        )
        self.assertFalse(Membership.objects.filter(user=erin, ledger=self.home).exists())

    def test_an_expired_invitation_is_refused(self) -> None:
        issued = self.invite()
        with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
            self.assert_refused(
                "invite_invalid",
                lambda: services.invite_accept(user=self.bob, code=issued.code, source="web"),
            )
        self.assertFalse(Membership.objects.filter(user=self.bob, ledger=self.home).exists())

    def test_an_unknown_code_is_refused(self) -> None:
        self.assert_refused(
            "invite_invalid",
            lambda: services.invite_accept(user=self.bob, code="nope", source="web"),
        )

    def test_an_owner_role_or_an_unknown_one_is_refused(self) -> None:
        for role in ("owner", "boss", ""):
            with self.subTest(role=role):
                self.assert_refused("invite_role_invalid", lambda r=role: self.invite(r))
        self.assertFalse(Invite.objects.exists())

    def test_only_managers_and_owners_invite(self) -> None:
        with self.assertRaises(access.LedgerForbidden):
            self.invite(by=self.carol)  # a member
        with self.assertRaises(access.LedgerForbidden):
            self.invite(by=self.dave)  # read-only
        with self.assertRaises(access.LedgerNotFound):
            self.invite(by=self.bob)  # a stranger
        Membership.objects.filter(user=self.carol).update(role="manager")
        self.assertEqual(self.invite("manager", by=self.carol).invite.role, "manager")

    def test_a_member_cannot_spend_an_invitation_on_themselves(self) -> None:
        issued = self.invite()
        self.assert_refused(
            "already_member",
            lambda: services.invite_accept(user=self.carol, code=issued.code, source="web"),
        )
        self.assertIsNone(Invite.objects.get().used_at)  # still usable by the invitee

    def test_the_cabinet_shows_the_ledger_and_role_and_accepts_explicitly(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(f"/ledgers/{self.home.pk}/invite/", {"role": "member"})
        self.assertEqual(response.status_code, 200)
        code = response.context["issued"].code
        self.assertContains(response, f"/ledgers/join/{code}/")
        self.assertEqual(response["Cache-Control"], "no-store")

        self.client.logout()
        page = self.client.get(f"/ledgers/join/{code}/")
        self.assertContains(page, "Home")
        self.assertContains(page, f"/signup/?next=/ledgers/join/{code}/")

        self.client.force_login(self.bob)
        page = self.client.get(f"/ledgers/join/{code}/")
        self.assertContains(page, "Home")
        self.assertFalse(Membership.objects.filter(user=self.bob, ledger=self.home).exists())
        response = self.client.post(f"/ledgers/join/{code}/")
        self.assertRedirects(response, "/")
        self.assertTrue(Membership.objects.filter(user=self.bob, ledger=self.home).exists())
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.active_ledger_id, self.home.pk)

    def test_signing_up_through_an_invitation_points_at_the_invitation(self) -> None:
        clear_cache()  # the sign-up throttle counts in the shared cache
        code = self.invite().code
        response = self.client.post(
            "/signup/",
            {
                "username": "zhenya",
                "email": "zhenya@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
                "language": "ru",
                "default_currency": "RUB",
                "timezone": "Europe/Moscow",
                "next": f"/ledgers/join/{code}/",
            },
            follow=True,
        )
        self.assertRedirects(response, f"/ledgers/join/{code}/")
        (welcome,) = [str(m) for m in response.context["messages"]]
        # The page holds the invitation, not a form to record an expense on.
        self.assertTrue(welcome.startswith("Добро пожаловать в Копилку!"), welcome)
        self.assertNotIn("расход", welcome)
        self.assertIn("RUB", welcome)
        self.assertContains(response, "Принять приглашение")

    def test_a_bad_code_page_is_a_404(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/ledgers/join/nothing-here/").status_code, 404)

    def test_the_api_makes_and_redeems_invitations(self) -> None:
        api = APIClient()
        api.credentials(
            HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(self.alice).access_token}"
        )
        response = api.post(
            f"/api/ledgers/{self.home.pk}/invites/", {"role": "readonly"}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertTrue(body["url"].endswith(f"/ledgers/join/{body['code']}/"))
        refused = api.post(
            f"/api/ledgers/{self.home.pk}/invites/", {"role": "owner"}, format="json"
        )
        self.assertEqual(refused.status_code, 400)

        api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(self.bob).access_token}")
        joined = api.post("/api/ledgers/join/", {"code": body["code"]}, format="json")
        self.assertEqual(joined.status_code, 201, joined.content)
        self.assertEqual((joined.json()["id"], joined.json()["role"]), (self.home.pk, "readonly"))
        again = api.post("/api/ledgers/join/", {"code": body["code"]}, format="json")
        self.assertEqual(again.status_code, 400)
        self.assertEqual(again.json()["details"][0]["code"], "invite_invalid")
        self.assertEqual(again.json()["details"][0]["path"], "code")


class ConcurrentRedemptionTestCase(TransactionTestCase):
    def test_two_redemptions_at_once_one_wins(self) -> None:
        owner = user_create(username="owner", password=None, source="cli")
        ledger = ledger_create(user=owner, name="Flat", source="cli")
        issued = services.invite_create(user=owner, ledger=ledger, role="member", source="cli")
        guests = [user_create(username=f"guest{i}", password=None, source="cli") for i in range(2)]
        results = at_once(
            2, lambda n: services.invite_accept(user=guests[n], code=issued.code, source="web")
        )
        outcomes = [
            str(getattr(r, "code", repr(r))) if isinstance(r, Exception) else "joined"
            for r in results
        ]
        self.assertEqual(sorted(outcomes), ["invite_invalid", "joined"])
        self.assertEqual(Membership.objects.filter(ledger=ledger).count(), 2)  # owner + one
        self.assertEqual(Ledger.objects.filter(pk=ledger.pk).count(), 1)

    def test_one_person_through_two_invitations_at_once_joins_once(self) -> None:
        # Over the JSON API, as the issue found it: one 201, one 400, never a 500.
        owner = user_create(username="owner", password=None, source="cli")
        ledger = ledger_create(user=owner, name="Flat", source="cli")
        codes = [
            services.invite_create(user=owner, ledger=ledger, role="member", source="cli").code
            for _ in range(2)
        ]
        guest = user_create(username="guest", password=None, source="cli")
        access_token = str(RefreshToken.for_user(guest).access_token)

        def join(n: int) -> int:
            client = APIClient(raise_request_exception=False)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
            return client.post("/api/ledgers/join/", {"code": codes[n]}, format="json").status_code

        for _ in range(3):  # a race: more than one chance to lose it
            Membership.objects.filter(ledger=ledger, user=guest).delete()
            Invite.objects.filter(ledger=ledger).update(used_at=None, used_by=None)
            self.assertEqual(sorted(at_once(2, join)), [201, 400])
            self.assertEqual(Membership.objects.filter(ledger=ledger, user=guest).count(), 1)
            # The invitation that lost is still there for someone else.
            self.assertEqual(Invite.objects.filter(ledger=ledger, used_at__isnull=True).count(), 1)
