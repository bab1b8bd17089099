from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken
from accounts.services import api_token_authenticate, api_token_create
from audit.models import AuditLog
from config.testing import BaseTestCase


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class CreateBotTokenTestCase(BaseTestCase):
    def test_it_prints_the_new_token_alone(self) -> None:
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            out, err = run(
                "create_bot_token",
                "--user",
                "alice",
                "--name",
                "clawd",
                "--scopes",
                "expenses:write, summaries:read",
                "--expires-in-days",
                "30",
            )
        raw = out.strip()
        self.assertEqual(out, raw + "\n")
        self.assertTrue(tokens.is_well_formed(raw))
        token = api_token_authenticate(raw)
        assert token is not None
        self.assertEqual((token.user, token.name), (self.alice, "clawd"))
        self.assertEqual(token.scopes, ["expenses:write", "summaries:read"])
        self.assertEqual(token.expires_at, now + timedelta(days=30))
        self.assertIn(token.prefix, err)
        self.assertNotIn(raw, err)
        row = AuditLog.objects.get(action="api_token.create", token=token)
        self.assertEqual(row.source, "cli")

    def test_it_refuses_bad_input(self) -> None:
        for args in [
            ("--user", "nobody", "--name", "x", "--scopes", "summaries:read"),
            ("--user", "alice", "--name", "x", "--scopes", "admin:all"),
            ("--user", "alice", "--name", "x", "--scopes", ","),
            (
                "--user",
                "alice",
                "--name",
                "x",
                "--scopes",
                "summaries:read",
                "--expires-in-days",
                "0",
            ),
        ]:
            with self.subTest(args=args), self.assertRaises(CommandError):
                run("create_bot_token", *args)
        self.assertEqual(ApiToken.objects.count(), 2)  # the personas' own


class RotateBotTokensTestCase(BaseTestCase):
    def test_one_token_by_prefix_with_a_grace_period(self) -> None:
        old = self.alice_token.token
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            out, err = run("rotate_bot_tokens", "--token", old.prefix, "--grace", "2h")
        raw, username, name, prefix = out.strip().split("\t")
        self.assertEqual((username, name, prefix), ("alice", old.name, old.prefix))
        new = api_token_authenticate(raw)
        assert new is not None
        self.assertEqual((new.scopes, new.replaces), (old.scopes, old))
        old.refresh_from_db()
        self.assertEqual(old.expires_at, now + timedelta(hours=2))
        self.assertIn("Rotated 1 token(s)", err)
        self.assertTrue(AuditLog.objects.filter(action="api_token.rotate", token=old).exists())
        # Rotating it again is refused: its successor exists.
        with self.assertRaises(CommandError):
            run("rotate_bot_tokens", "--token", str(old.pk))

    def test_a_users_tokens_and_those_expiring_soon(self) -> None:
        out, _ = run("rotate_bot_tokens", "--user", "alice")
        self.assertEqual(len(out.splitlines()), 2)
        # The successors never expire, the old ones are in their grace period: nothing
        # is left that expires within a week but has no successor.
        out, _ = run("rotate_bot_tokens", "--expiring-within", "7d")
        self.assertEqual(out, "")
        soon = api_token_create(
            user=self.bob,
            name="soon",
            scopes=["summaries:read"],
            expires_at=timezone.now() + timedelta(days=3),
            source="cli",
        )
        api_token_create(
            user=self.bob,
            name="later",
            scopes=["summaries:read"],
            expires_at=timezone.now() + timedelta(days=30),
            source="cli",
        )
        out, _ = run("rotate_bot_tokens", "--expiring-within", "7d")
        raw, username, name, prefix = out.strip().split("\t")
        self.assertEqual((username, name, prefix), ("bob", "soon", soon.token.prefix))
        successor = api_token_authenticate(raw)
        assert successor is not None and successor.expires_at is not None
        # The successor lives as long as its predecessor did.
        self.assertAlmostEqual(
            (successor.expires_at - successor.created_at).total_seconds(),
            timedelta(days=3).total_seconds(),
            delta=5,
        )

    def test_it_needs_exactly_one_selection(self) -> None:
        for args in [
            (),
            ("--user", "alice", "--token", "1"),
            ("--grace", "soon", "--user", "alice"),
        ]:
            with self.subTest(args=args), self.assertRaises(CommandError):
                run("rotate_bot_tokens", *args)


class RevokeBotTokenTestCase(BaseTestCase):
    def test_by_token_or_by_user(self) -> None:
        out, _ = run("revoke_bot_token", self.alice_token.raw)
        self.assertIn(self.alice_token.token.prefix, out)
        self.assertIsNone(api_token_authenticate(self.alice_token.raw))
        self.assertIsNotNone(api_token_authenticate(self.alice_readonly_token.raw))
        self.assertTrue(
            AuditLog.objects.filter(
                action="api_token.revoke", token=self.alice_token.token
            ).exists()
        )
        out, _ = run("revoke_bot_token", "--user", "alice", "--name", "read-only")
        self.assertIn("Revoked 1 token(s)", out)
        self.assertIsNone(api_token_authenticate(self.alice_readonly_token.raw))

    def test_it_refuses_unknown_tokens(self) -> None:
        for args in [("kop_nothing",), ("999999",), ()]:
            with self.subTest(args=args), self.assertRaises(CommandError):
                run("revoke_bot_token", *args)
