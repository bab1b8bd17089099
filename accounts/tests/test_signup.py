from django.test import override_settings

from accounts.models import User
from audit.models import AuditLog
from config.testing import BaseTestCase, clear_cache
from finance.models import Category

VALID = {
    "username": "carol",
    "email": "carol@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "language": "en",
    "default_currency": "EUR",
    "timezone": "Europe/Berlin",
}


class SignupTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()  # the sign-up throttle counts in the shared cache

    def test_it_shows_the_form_in_the_browsers_language(self) -> None:
        response = self.client.get("/signup/", headers={"accept-language": "en"})
        self.assertContains(response, "Create an account")
        self.assertContains(response, '<option value="en" selected>', html=False)

    def test_it_creates_the_user_with_categories_and_logs_in(self) -> None:
        response = self.client.post("/signup/", VALID)
        self.assertRedirects(response, "/transactions/add/")
        user = User.objects.get(username="carol")
        self.assertEqual(
            (user.email, user.language, user.default_currency, user.timezone),
            ("carol@example.org", "en", "EUR", "Europe/Berlin"),
        )
        self.assertTrue(user.check_password("a long enough passphrase"))
        self.assertTrue(Category.objects.filter(ledger__personal_for=user, slug="cafe").exists())
        self.assertEqual(self.client.session["_auth_user_id"], str(user.pk))
        row = AuditLog.objects.get(action="user.create", user=user)
        self.assertEqual(row.source, "web")

    def test_an_english_browser_in_moscow_is_offered_rub_and_told_why(self) -> None:
        response = self.client.get("/signup/", headers={"accept-language": "en"})
        form = response.context["form"]
        self.assertEqual(form["default_currency"].initial, "RUB")
        self.assertContains(response, "RUB, because your time zone is Europe/Moscow.")
        codes = [code for code, _label in form.fields["default_currency"].choices]
        self.assertEqual(codes[:3], ["RUB", "USD", "EUR"])
        self.assertNotIn("ADP", codes)  # the Andorran peseta, gone since 2002
        self.assertNotIn("RUR", codes)
        # What the page's script needs to follow the browser's time zone.
        self.assertContains(
            response,
            '<option value="Europe/Berlin" data-currency="EUR">Europe/Berlin</option>',
            html=True,
        )
        self.assertContains(
            response, '<option value="en" data-currency="USD" selected>English</option>', html=True
        )
        self.assertContains(response, 'data-detect="1"')

    def test_a_withdrawn_currency_is_refused(self) -> None:
        response = self.client.post("/signup/", {**VALID, "default_currency": "ADP"})
        self.assertIn("default_currency", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="carol").exists())

    def test_the_welcome_says_what_was_chosen(self) -> None:
        response = self.client.post("/signup/", VALID, follow=True)
        (welcome,) = [str(m) for m in response.context["messages"]]
        self.assertIn("Record your first expense below.", welcome)
        self.assertIn("recorded in EUR", welcome)
        self.assertIn("Europe/Berlin", welcome)

    def test_it_refuses_a_taken_name_and_a_weak_password(self) -> None:
        data = {**VALID, "username": "Alice", "password1": "123", "password2": "123"}
        response = self.client.post("/signup/", data)
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("username", form.errors)
        self.assertIn("password2", form.errors)
        self.assertEqual(User.objects.count(), 2)

    def test_it_refuses_an_unknown_time_zone(self) -> None:
        response = self.client.post("/signup/", {**VALID, "timezone": "Mars/Olympus"})
        self.assertIn("timezone", response.context["form"].errors)
        self.assertFalse(User.objects.filter(username="carol").exists())

    @override_settings(SIGNUP_RATE_PER_IP="2/h")
    def test_it_is_throttled_per_address(self) -> None:
        for i in range(2):
            self.client.post("/signup/", {**VALID, "username": f"x{i}", "password2": "typo"})
        response = self.client.post("/signup/", VALID)
        self.assertEqual(response.status_code, 429)
        self.assertFalse(User.objects.filter(username="carol").exists())

    @override_settings(SIGNUP_RATE_PER_IP="1/h", PASSWORD_RESET_RATE_PER_IP="1/h")
    def test_a_throttled_empty_post_is_a_429_not_a_500(self) -> None:
        # Found by the hostile corpus: the throttle's error went onto an unbound form.
        for path in ["/signup/", "/password/reset/"]:
            with self.subTest(path=path):
                self.client.post(path, {})
                response = self.client.post(path, b"null", content_type="application/json")
                self.assertEqual(response.status_code, 429)

    def test_a_signed_in_person_goes_to_the_dashboard(self) -> None:
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/signup/"), "/")
