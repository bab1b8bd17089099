import hashlib
from datetime import timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services, tokens
from accounts.models import ApiToken, Scope
from audit.models import AuditLog
from config.testing import BaseTestCase


class TokenFormatTestCase(BaseTestCase):
    def test_tokens_are_prefixed_random_and_checksummed(self) -> None:
        raw = tokens.generate()
        self.assertRegex(raw, r"^kop_[0-9A-Za-z]{36}$")
        self.assertTrue(tokens.is_well_formed(raw))
        self.assertNotEqual(raw, tokens.generate())

    def test_a_mistyped_or_truncated_token_fails_the_checksum(self) -> None:
        raw = tokens.generate()
        typo = raw[:10] + ("a" if raw[10] != "a" else "b") + raw[11:]
        for bad in (typo, raw[:-1], raw + "x", raw.replace("kop_", "ghp_"), ""):
            with self.subTest(bad=bad):
                self.assertFalse(tokens.is_well_formed(bad))

    def test_a_malformed_token_never_reaches_the_database(self) -> None:
        with self.assertNumQueries(0):
            self.assertIsNone(services.api_token_authenticate("kop_" + "a" * 36))


class ApiTokenCreateTestCase(BaseTestCase):
    def test_only_the_sha256_is_stored(self) -> None:
        issued = services.api_token_create(
            user=self.alice, name="clawd", scopes=[Scope.EXPENSES_WRITE], source="cli"
        )
        token = ApiToken.objects.get(pk=issued.token.pk)
        self.assertEqual(token.token_hash, hashlib.sha256(issued.raw.encode()).hexdigest())
        self.assertEqual(token.prefix, issued.raw[:10])
        for value in ApiToken.objects.filter(pk=token.pk).values().get().values():
            self.assertNotEqual(value, issued.raw)
        row = AuditLog.objects.get(action="api_token.create", token=token)
        self.assertNotIn(issued.raw, str(row.details))

    def test_it_refuses_bad_input(self) -> None:
        for kwargs, code in [
            ({"name": "  ", "scopes": ["expenses:write"]}, "token_name_empty"),
            ({"name": "x", "scopes": []}, "scopes_empty"),
            ({"name": "x", "scopes": ["admin:all"]}, "scope_unknown"),
            (
                {"name": "x", "scopes": ["expenses:write"], "expires_at": timezone.now()},
                "expiry_in_past",
            ),
        ]:
            with self.subTest(code=code), self.assertRaises(ValidationError) as cm:
                services.api_token_create(user=self.alice, source="cli", **kwargs)  # type: ignore[arg-type]
            self.assertEqual(cm.exception.code, code)


class ApiTokenAuthenticateTestCase(BaseTestCase):
    def test_it_finds_an_active_token(self) -> None:
        token = services.api_token_authenticate(self.alice_token.raw)
        assert token is not None
        self.assertEqual(token.pk, self.alice_token.token.pk)
        self.assertEqual(token.user, self.alice)

    def test_expired_and_revoked_tokens_fail(self) -> None:
        issued = services.api_token_create(
            user=self.alice,
            name="short",
            scopes=["summaries:read"],
            expires_at=timezone.now() + timedelta(days=1),
            source="cli",
        )
        with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
            self.assertIsNone(services.api_token_authenticate(issued.raw))
        services.api_token_revoke(token=self.alice_token.token, source="cli")
        self.assertIsNone(services.api_token_authenticate(self.alice_token.raw))

    def test_a_deactivated_users_tokens_fail(self) -> None:
        self.alice.is_active = False
        self.alice.save()
        self.assertIsNone(services.api_token_authenticate(self.alice_token.raw))

    def test_last_used_is_written_at_most_once_a_minute(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            services.api_token_authenticate(self.alice_token.raw)
        self.alice_token.token.refresh_from_db()
        self.assertEqual(self.alice_token.token.last_used_at, start)
        with (
            time_machine.travel(start + timedelta(seconds=59), tick=False),
            self.assertNumQueries(1),
        ):
            services.api_token_authenticate(self.alice_token.raw)  # the lookup only
        with time_machine.travel(start + timedelta(seconds=61), tick=False):
            services.api_token_authenticate(self.alice_token.raw)
        self.alice_token.token.refresh_from_db()
        self.assertEqual(self.alice_token.token.last_used_at, start + timedelta(seconds=61))


class ApiTokenRotateTestCase(BaseTestCase):
    def test_the_successor_has_the_same_name_and_scopes_and_the_old_one_a_grace_period(
        self,
    ) -> None:
        old = self.alice_token.token
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            new = services.api_token_rotate(token=old, grace=timedelta(hours=2), source="cli")
        self.assertEqual((new.token.name, new.token.scopes), (old.name, old.scopes))
        self.assertEqual(new.token.replaces, old)
        old.refresh_from_db()
        self.assertEqual(old.expires_at, now + timedelta(hours=2))
        with time_machine.travel(now + timedelta(hours=1)):
            self.assertIsNotNone(services.api_token_authenticate(self.alice_token.raw))
            self.assertIsNotNone(services.api_token_authenticate(new.raw))
        with time_machine.travel(now + timedelta(hours=2, seconds=1)):
            self.assertIsNone(services.api_token_authenticate(self.alice_token.raw))
            self.assertIsNotNone(services.api_token_authenticate(new.raw))
        self.assertTrue(AuditLog.objects.filter(action="api_token.rotate", token=old).exists())

    def test_a_token_is_rotated_once_and_only_while_active(self) -> None:
        old = self.alice_token.token
        services.api_token_rotate(token=old, source="cli")
        with self.assertRaises(ValidationError) as cm:
            services.api_token_rotate(token=old, source="cli")
        self.assertEqual(cm.exception.code, "token_rotated")
        revoked = self.alice_readonly_token.token
        services.api_token_revoke(token=revoked, source="cli")
        with self.assertRaises(ValidationError) as cm:
            services.api_token_rotate(token=revoked, source="cli")
        self.assertEqual(cm.exception.code, "token_inactive")

    def test_the_successor_keeps_the_lifetime(self) -> None:
        now = timezone.now()
        issued = services.api_token_create(
            user=self.alice,
            name="monthly",
            scopes=["summaries:read"],
            expires_at=now + timedelta(days=30),
            source="cli",
        )
        with time_machine.travel(now + timedelta(days=29), tick=False):
            new = services.api_token_rotate(token=issued.token, source="cli")
        assert new.token.expires_at is not None and issued.token.created_at is not None
        self.assertAlmostEqual(
            new.token.expires_at, now + timedelta(days=59), delta=timedelta(seconds=5)
        )


class ApiTokenRevokeTestCase(BaseTestCase):
    def test_revoking_twice_audits_once(self) -> None:
        stale = ApiToken.objects.get(pk=self.alice_token.token.pk)
        services.api_token_revoke(token=self.alice_token.token, source="web")
        services.api_token_revoke(token=stale, source="web")
        self.assertEqual(AuditLog.objects.filter(action="api_token.revoke").count(), 1)
        self.assertIsNone(services.api_token_authenticate(self.alice_token.raw))
