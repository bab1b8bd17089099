from django.test import override_settings
from rest_framework.test import APIClient

from accounts.services import user_set_password
from config.testing import PASSWORD, BaseTestCase, clear_cache


class JwtTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_cache()
        self.api = APIClient()

    def _login(self) -> dict[str, str]:
        response = self.api.post(
            "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        return response.json()  # type: ignore[no-any-return]

    def test_login_gives_tokens_that_open_the_api(self) -> None:
        tokens = self._login()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        self.assertEqual(self.api.get("/api/categories/").status_code, 200)

    def test_wrong_password_is_401_with_the_error_body(self) -> None:
        response = self.api.post(
            "/api/auth/token/", {"username": "alice", "password": "nope"}, format="json"
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"], "authentication_failed")

    def test_missing_fields_are_a_validation_error(self) -> None:
        response = self.api.post("/api/auth/token/", {"username": "alice"}, format="json")
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body["error"], "validation_error")
        self.assertEqual(body["details"][0]["path"], "password")

    def test_refresh_rotates_and_the_old_refresh_token_dies(self) -> None:
        tokens = self._login()
        response = self.api.post(
            "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        rotated = response.json()
        self.assertNotEqual(rotated["refresh"], tokens["refresh"])
        self.assertIn("access", rotated)
        again = self.api.post(
            "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        self.assertEqual(again.status_code, 401)
        self.assertEqual(again.json()["error"], "authentication_failed")

    def test_blacklist_logs_out(self) -> None:
        tokens = self._login()
        response = self.api.post(
            "/api/auth/token/blacklist/", {"refresh": tokens["refresh"]}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        response = self.api.post(
            "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        self.assertEqual(response.status_code, 401)

    def test_no_or_bad_credentials_are_401_not_403(self) -> None:
        for header in (None, "Bearer not-a-jwt", "Basic YWxpY2U6eA=="):
            with self.subTest(header=header):
                self.api.credentials(**({"HTTP_AUTHORIZATION": header} if header else {}))
                response = self.api.get("/api/transactions/")
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.json()["error"], "authentication_failed")
                self.assertIn("Bearer", response["WWW-Authenticate"])

    def test_a_session_does_not_open_the_api(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/api/transactions/").status_code, 401)

    @override_settings(LOGIN_RATE_PER_USERNAME="2/10m")
    def test_password_guessing_is_throttled(self) -> None:
        for _ in range(2):
            self.api.post("/api/auth/token/", {"username": "alice", "password": "x"}, format="json")
        response = self.api.post(
            "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["error"], "rate_limited")

    @override_settings(LOGIN_RATE_PER_USERNAME="2/10m")
    def test_guesses_count_the_same_at_the_login_page_and_the_api(self) -> None:
        self.client.post("/login/", {"username": "Alice", "password": "x"})
        self.api.post("/api/auth/token/", {"username": "alice", "password": "x"}, format="json")
        response = self.api.post(
            "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
        )
        self.assertEqual(response.status_code, 429)

    def test_a_password_change_ends_every_earlier_session(self) -> None:
        tokens = self._login()
        user_set_password(user=self.alice, password="a-new-long-passphrase", source="web")
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        self.assertEqual(self.api.get("/api/categories/").status_code, 401)
        self.api.credentials()
        # The refresh token still mints (simplejwt checks the claim on use), but what it
        # mints is refused.
        response = self.api.post(
            "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        self.assertEqual(self.api.get("/api/categories/").status_code, 401)
