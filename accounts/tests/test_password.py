import re

from django.core import mail

from audit.models import AuditLog
from config.testing import PASSWORD, BaseTestCase, clear_cache

NEW = "another fine passphrase"


class PasswordChangeTestCase(BaseTestCase):
    def test_it_changes_the_password_and_keeps_the_session(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            "/password/",
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        self.assertRedirects(response, "/settings/")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW))
        self.assertEqual(self.client.get("/settings/").status_code, 200)
        self.assertTrue(AuditLog.objects.filter(action="user.password", source="web").exists())

    def test_it_needs_the_old_password(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            "/password/", {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
        )
        self.assertIn("old_password", response.context["form"].errors)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))


class PasswordResetTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()

    def _reset_link(self) -> str:
        self.client.post("/password/reset/", {"email": "ALICE@example.org"})
        self.assertEqual(len(mail.outbox), 1)
        match = re.search(r"http://testserver(/password/reset/\S+/)", str(mail.outbox[0].body))
        assert match is not None
        return match[1]

    def test_the_link_sets_a_new_password_once(self) -> None:
        link = self._reset_link()
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        # alice reads Russian: the letter is written in her language.
        self.assertIn("Kopilka", mail.outbox[0].subject)
        self.assertIn("пароль", str(mail.outbox[0].body))
        response = self.client.post(link, {"new_password1": NEW, "new_password2": NEW})
        self.assertRedirects(response, "/login/")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW))
        # The token was tied to the old password: it cannot be used again.
        response = self.client.get(link)
        self.assertFalse(response.context["valid"])

    def test_an_unknown_address_looks_the_same_and_sends_nothing(self) -> None:
        response = self.client.post("/password/reset/", {"email": "nobody@example.org"})
        self.assertRedirects(response, "/password/reset/sent/")
        self.assertEqual(mail.outbox, [])

    def test_a_forged_link_is_refused(self) -> None:
        response = self.client.post(
            "/password/reset/MQ/forged-token/", {"new_password1": NEW, "new_password2": NEW}
        )
        self.assertFalse(response.context["valid"])
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))
