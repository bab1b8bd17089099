from django.test import override_settings

from config.testing import PASSWORD, BaseTestCase, clear_cache


class LoginTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()  # the login throttle counts in the shared cache

    def test_it_logs_in_and_follows_a_local_next(self) -> None:
        response = self.client.post(
            "/login/", {"username": "alice", "password": PASSWORD, "next": "/budget/"}
        )
        self.assertRedirects(response, "/budget/", fetch_redirect_response=False)
        self.assertEqual(self.client.session["_auth_user_id"], str(self.alice.pk))

    def test_it_never_follows_a_foreign_next(self) -> None:
        response = self.client.post(
            "/login/",
            {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_next_that_is_no_path_goes_home_not_to_a_500(self) -> None:
        for next_url in ("xxxxxxxx", "finance:budget", "logout"):
            self.client.logout()
            response = self.client.post(
                "/login/", {"username": "alice", "password": PASSWORD, "next": next_url}
            )
            self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_a_wrong_password_is_an_error_on_the_form(self) -> None:
        response = self.client.post("/login/", {"username": "alice", "password": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(LOGIN_RATE_PER_USERNAME="3/10m", LOGIN_RATE_PER_IP="100/10m")
    def test_guesses_at_one_account_are_throttled_even_the_right_one(self) -> None:
        for _ in range(3):
            self.client.post("/login/", {"username": "Alice", "password": "guess"})
        response = self.client.post("/login/", {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Слишком много попыток", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from the same address is not affected.
        response = self.client.post("/login/", {"username": "bob", "password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    @override_settings(LOGIN_RATE_PER_IP="2/10m", LOGIN_RATE_PER_USERNAME="100/10m")
    def test_one_address_trying_many_accounts_is_throttled(self) -> None:
        for name in ("x", "y"):
            self.client.post("/login/", {"username": name, "password": "guess"})
        response = self.client.post("/login/", {"username": "bob", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)

    def test_logout_needs_a_post(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/logout/").status_code, 405)
        self.assertRedirects(self.client.post("/logout/"), "/login/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_pages_send_strangers_to_the_login(self) -> None:
        for url in ("/", "/transactions/", "/budget/", "/categories/", "/tokens/", "/settings/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"/login/?next={url}")
