from django.test import SimpleTestCase, override_settings
from django_ratelimit.exceptions import Ratelimited

from botapi.tests.helpers import BotTestCase, envelope
from core.errors import RateLimitExceeded, exception_handler


class RateLimitedBodyTestCase(SimpleTestCase):
    def test_the_librarys_exception_is_a_429_not_a_403(self) -> None:
        for exc, retry_after in [(RateLimitExceeded(retry_after=7), "7"), (Ratelimited(), "60")]:
            with self.subTest(exc=type(exc).__name__):
                response = exception_handler(exc, {})
                assert response is not None
                self.assertEqual(response.status_code, 429)
                self.assertEqual(response.data["error"], "rate_limited")
                self.assertEqual(response["Retry-After"], retry_after)


@override_settings(
    BOT_RATELIMIT_TOKEN="3/m", BOT_RATELIMIT_FAILED_AUTH_IP="2/m", TRUST_X_REAL_IP=True
)
class RateLimitTestCase(BotTestCase):
    def test_each_token_has_its_own_bucket(self) -> None:
        for _ in range(3):
            self.assertEqual(self.act("list_categories", {}).status_code, 200)
        response = self.act("list_categories", {})
        self.assert_error(response, 429, "rate_limited")
        self.assertTrue(1 <= int(response["Retry-After"]) <= 60)
        row = self.request_row()
        self.assertEqual(
            (row.status_code, row.token, row.user), (429, self.alice_token.token, self.alice)
        )
        # The same user's other token, and the anonymous, are counted apart.
        self.assertEqual(
            self.act("list_categories", {}, token=self.alice_readonly_token.raw).status_code, 200
        )
        self.assertEqual(self.act("list_categories", {}, token="").status_code, 401)

    def test_failed_authentications_brake_the_address_before_any_lookup(self) -> None:
        ip = "192.0.2.10"
        for _ in range(2):
            response = self.post(
                envelope("get_summary", {}), token="kop_nonsense", HTTP_X_REAL_IP=ip
            )
            self.assertEqual(response.status_code, 401)
        with self.assertNumQueries(1):  # the audit row only: no token lookup
            response = self.post(envelope("get_summary", {}), HTTP_X_REAL_IP=ip)
        self.assert_error(response, 429, "rate_limited")
        self.assertEqual(self.request_row().client_ip, "192.0.2.10")
        # X-Forwarded-For is the client's to forge and is never read.
        forged = self.post(
            envelope("get_summary", {}), HTTP_X_FORWARDED_FOR="192.0.2.77", HTTP_X_REAL_IP=ip
        )
        self.assertEqual(forged.status_code, 429)
        other = self.post(envelope("get_summary", {}), HTTP_X_REAL_IP="192.0.2.11")
        self.assertEqual(other.status_code, 200)

    def test_an_ipv6_client_is_counted_by_its_64(self) -> None:
        for suffix in ("1", "2"):
            response = self.post(
                envelope("get_summary", {}), token="", HTTP_X_REAL_IP=f"2001:db8:1:2::{suffix}"
            )
            self.assertEqual(response.status_code, 401)
        response = self.post(envelope("get_summary", {}), HTTP_X_REAL_IP="2001:db8:1:2::3")
        self.assertEqual(response.status_code, 429)
        response = self.post(envelope("get_summary", {}), HTTP_X_REAL_IP="2001:db8:1:3::1")
        self.assertEqual(response.status_code, 200)
