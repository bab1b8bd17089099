import time

from django.test import RequestFactory, SimpleTestCase, override_settings
from django_ratelimit.exceptions import Ratelimited

from botapi import ratelimit
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

    def test_failed_authentications_brake_the_addresss_failures_only(self) -> None:
        ip = "192.0.2.10"
        for _ in range(2):
            response = self.post(
                envelope("get_summary", {}), token="kop_nonsense", HTTP_X_REAL_IP=ip
            )
            self.assertEqual(response.status_code, 401)
        response = self.post(envelope("get_summary", {}), token="kop_guess", HTTP_X_REAL_IP=ip)
        self.assert_error(response, 429, "rate_limited")
        self.assertEqual(self.request_row().client_ip, "192.0.2.10")
        # Behind one address (a NAT), a valid token still passes; failures stay refused.
        self.assertEqual(self.post(envelope("get_summary", {}), HTTP_X_REAL_IP=ip).status_code, 200)
        response = self.post(envelope("get_summary", {}), token="", HTTP_X_REAL_IP=ip)
        self.assert_error(response, 429, "rate_limited")
        # X-Forwarded-For is the client's to forge and is never read.
        forged = self.post(
            envelope("get_summary", {}),
            token="kop_guess",
            HTTP_X_FORWARDED_FOR="192.0.2.77",
            HTTP_X_REAL_IP=ip,
        )
        self.assertEqual(forged.status_code, 429)
        other = self.post(
            envelope("get_summary", {}), token="kop_guess", HTTP_X_REAL_IP="192.0.2.11"
        )
        self.assertEqual(other.status_code, 401)

    def test_an_ipv6_client_is_counted_by_its_64(self) -> None:
        for suffix in ("1", "2"):
            response = self.post(
                envelope("get_summary", {}), token="", HTTP_X_REAL_IP=f"2001:db8:1:2::{suffix}"
            )
            self.assertEqual(response.status_code, 401)
        response = self.post(
            envelope("get_summary", {}), token="", HTTP_X_REAL_IP="2001:db8:1:2::3"
        )
        self.assertEqual(response.status_code, 429)
        response = self.post(
            envelope("get_summary", {}), token="", HTTP_X_REAL_IP="2001:db8:1:3::1"
        )
        self.assertEqual(response.status_code, 401)


@override_settings(BOT_RATELIMIT_TOKEN="4/2s", TRUST_X_REAL_IP=True)
class SlidingWindowTestCase(BotTestCase):
    """No window of the rate's length holds more than the limit, wherever it starts."""

    def test_a_burst_across_a_fixed_windows_edge_is_still_the_limit(self) -> None:
        # django-ratelimit's fixed window for this token would end in `time_left` s: the
        # first burst just before its edge, the second just after it.
        request = RequestFactory().get("/")
        usage = ratelimit._usage(
            request,
            group=ratelimit.TOKEN_GROUP,
            value=str(self.alice_token.token.pk),
            rate="4/2s",
            increment=False,
        )
        assert usage is not None
        time.sleep(max(0.0, usage["time_left"] - 0.5))
        admitted = []
        for _ in range(2):
            for _ in range(4):
                response = self.act("list_categories", {})
                admitted.append((time.monotonic(), response.status_code))
            time.sleep(0.6)
        times = [at for at, status in admitted if status == 200]
        self.assertLessEqual(times[-1] - times[0], 2.0)
        self.assertEqual(len(times), 4, admitted)
        refused = self.act("list_categories", {})
        self.assertEqual(refused.status_code, 429)
        self.assertTrue(1 <= int(refused["Retry-After"]) <= 2)
        # Once the first of them is two seconds old, one more gets through.
        time.sleep(max(0.0, times[0] + 2.05 - time.monotonic()))
        self.assertEqual(self.act("list_categories", {}).status_code, 200)

    def test_the_window_is_counted_in_redis_per_token(self) -> None:
        self.assertEqual(ratelimit.parse_rate("60/m"), (60, 60_000))
        self.assertEqual(ratelimit.parse_rate("10/5m"), (10, 300_000))
        for _ in range(4):
            self.assertEqual(self.act("list_categories", {}).status_code, 200)
        self.assertEqual(self.act("list_categories", {}).status_code, 429)
        other = self.act("list_categories", {}, token=self.alice_readonly_token.raw)
        self.assertEqual(other.status_code, 200)
