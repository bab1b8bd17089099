from datetime import UTC, datetime, timedelta

import time_machine

from accounts import tokens
from accounts.models import ApiToken
from audit.models import AuditLog
from config.testing import BaseTestCase


class TokensPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_lists_the_users_tokens_with_the_prompt_and_an_example(self) -> None:
        self.client.post(f"/tokens/{self.alice_readonly_token.token.pk}/revoke/")
        response = self.client.get("/tokens/")
        rows = response.context["page"].rows
        self.assertEqual({r.token.user_id for r in rows}, {self.alice.pk})
        statuses = {r.token.name: r.status for r in rows}
        self.assertEqual(statuses, {"assistant": "active", "read-only": "revoked"})
        self.assertContains(response, self.alice_token.token.prefix)
        self.assertNotContains(response, self.alice_token.raw)
        self.assertContains(response, "http://testserver/api/bot/actions")
        self.assertContains(response, "X-Bot-Token: $KOPILKA_TOKEN")
        self.assertContains(response, "create_expense")  # the agent prompt, from the registry
        # The prompt is on the page once, and the title is only the title.
        self.assertContains(response, 'id="agent-prompt"', count=1)
        self.assertContains(response, "<title>Токены ботов · Kopilka</title>", html=False)

    def test_create_shows_the_token_once_and_stores_only_its_hash(self) -> None:
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            response = self.client.post(
                "/tokens/new/",
                {"name": "clawd", "scopes": ["expenses:write", "summaries:read"], "expires": "30"},
            )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        issued = response.context["issued"]
        self.assertTrue(tokens.is_well_formed(issued.raw))
        # The box, the curl example and the agents' set-up snippets (agents/tests/test_agent_kit.py).
        self.assertContains(response, issued.raw, count=8)
        token = ApiToken.objects.get(name="clawd")
        self.assertEqual(token.token_hash, tokens.digest(issued.raw))
        self.assertEqual(token.scopes, ["expenses:write", "summaries:read"])
        self.assertEqual(token.expires_at, now + timedelta(days=30))
        self.assertEqual(AuditLog.objects.get(action="api_token.create", token=token).source, "web")
        self.assertNotContains(self.client.get("/tokens/"), issued.raw)

    def test_a_token_that_never_expires(self) -> None:
        self.client.post(
            "/tokens/new/", {"name": "cron", "scopes": ["summaries:read"], "expires": "never"}
        )
        self.assertIsNone(ApiToken.objects.get(name="cron").expires_at)

    def test_bad_input_is_a_form_error_and_issues_nothing(self) -> None:
        for data in (
            {"name": "", "scopes": ["summaries:read"], "expires": "30"},
            {"name": "x", "expires": "30"},
            {"name": "x", "scopes": ["admin:all"], "expires": "30"},
            {"name": "x", "scopes": ["summaries:read"], "expires": "7"},
        ):
            with self.subTest(data=data):
                response = self.client.post("/tokens/new/", data)
                self.assertTrue(response.context["form"].errors)
                self.assertIsNone(response.context["issued"])
        self.assertEqual(ApiToken.objects.filter(user=self.alice).count(), 2)

    def test_revoke(self) -> None:
        token = self.alice_token.token
        response = self.client.post(f"/tokens/{token.pk}/revoke/")
        self.assertRedirects(response, "/tokens/")
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.assertEqual(AuditLog.objects.get(action="api_token.revoke").source, "web")

    def test_rotate_shows_the_successor_once(self) -> None:
        old = self.alice_token.token
        response = self.client.post(f"/tokens/{old.pk}/rotate/")
        issued = response.context["issued"]
        self.assertEqual(issued.token.replaces, old)
        self.assertContains(response, issued.raw)
        old.refresh_from_db()
        self.assertIsNotNone(old.expires_at)  # works for the grace period only
        response = self.client.post(f"/tokens/{old.pk}/rotate/", follow=True)
        self.assertContains(response, "уже заменён")

    def test_another_users_token_is_a_404(self) -> None:
        self.client.force_login(self.bob)
        token = self.alice_token.token
        self.assertEqual(self.client.post(f"/tokens/{token.pk}/revoke/").status_code, 404)
        self.assertEqual(self.client.post(f"/tokens/{token.pk}/rotate/").status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)
        self.assertFalse(ApiToken.objects.filter(replaces=token).exists())

    def test_revoke_and_rotate_need_a_post(self) -> None:
        token = self.alice_token.token
        self.assertEqual(self.client.get(f"/tokens/{token.pk}/revoke/").status_code, 405)
        self.assertEqual(self.client.get(f"/tokens/{token.pk}/rotate/").status_code, 405)
