import json
import time
from datetime import timedelta

import httpx
import respx
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_redis import get_redis_connection

from config.testing import BaseTestCase
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import limiter, outbox
from notifications.models import Notification, NotificationSettings
from notifications.tests.helpers import clear_limits, queued, run_job, run_queued

API = "https://telegram.test"
SEND = f"{API}/bot123:secret/sendMessage"
OK = {"ok": True, "result": {"message_id": 1, "chat": {"id": 4242, "type": "private"}, "text": "x"}}
TOO_MANY = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 7",
    "parameters": {"retry_after": 7},
}
BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
Status = Notification.Status


# One message a second per chat would only slow these tests down (test_limiter checks it).
@override_settings(
    TELEGRAM_API_URL=API, TELEGRAM_BOT_TOKEN="123:secret", TELEGRAM_CHAT_INTERVAL_MS=20
)
class DeliverTestCase(BaseTestCase):
    def setUp(self) -> None:
        clear_limits()
        UserContact.objects.create(
            user=self.alice, channel=MessagingChannel.TELEGRAM, telegram_id=4242, chat_id="4242"
        )

    def send_test(self) -> Notification:
        notification = outbox.send_test(user=self.alice)
        run_queued()
        notification.refresh_from_db()
        return notification

    @respx.mock
    def test_telegram_first_when_linked(self) -> None:
        route = respx.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        notification = self.send_test()
        self.assertEqual((notification.status, notification.channel), ("sent", "telegram"))
        self.assertIsNotNone(notification.sent_at)
        body = json.loads(route.calls.last.request.content)
        self.assertEqual(body["chat_id"], 4242)
        self.assertIn("Тестовое сообщение", body["text"])
        self.assertEqual(mail.outbox, [])

    @respx.mock
    def test_the_telegram_account_linked_in_the_cabinet_gets_it(self) -> None:
        UserContact.objects.filter(user=self.alice).update(is_active=False)
        UserContact.objects.create(
            user=self.alice, channel=MessagingChannel.TELEGRAM, telegram_id=9001, chat_id="9001"
        )
        route = respx.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        notification = self.send_test()
        self.assertEqual((notification.status, notification.channel), ("sent", "telegram"))
        self.assertEqual(json.loads(route.calls.last.request.content)["chat_id"], 9001)

    @respx.mock
    def test_429_waits_as_long_as_telegram_asks_then_sends(self) -> None:
        route = respx.post(SEND).mock(
            side_effect=[httpx.Response(429, json=TOO_MANY), httpx.Response(200, json=OK)]
        )
        before = timezone.now()
        notification = self.send_test()
        self.assertEqual((notification.status, notification.attempts), ("retry", 1))
        self.assertIn("429", notification.error)
        (job,) = queued("notifications.deliver")
        wait = job["scheduled_at"] - before
        self.assertGreaterEqual(wait, timedelta(seconds=7))
        self.assertLess(wait, timedelta(seconds=9))
        run_queued(include_later=True)
        notification.refresh_from_db()
        self.assertEqual((notification.status, notification.attempts), ("sent", 2))
        self.assertEqual(route.call_count, 2)

    @respx.mock
    def test_temporary_errors_back_off_then_give_up(self) -> None:
        respx.post(SEND).mock(return_value=httpx.Response(502, text="Bad Gateway"))
        notification = self.send_test()
        delays = []
        for _ in range(outbox.MAX_ATTEMPTS - 1):
            (job,) = queued("notifications.deliver")
            delays.append(job["scheduled_at"] - timezone.now())
            run_job(job)
        notification.refresh_from_db()
        self.assertEqual((notification.status, notification.attempts), ("failed", 6))
        self.assertEqual(notification.error, "Telegram 502:")
        self.assertEqual(queued(), [])
        self.assertEqual(delays, sorted(delays))
        self.assertGreater(delays[-1], timedelta(minutes=15))

    @respx.mock
    def test_a_blocked_bot_turns_telegram_off_and_email_takes_over(self) -> None:
        respx.post(SEND).mock(return_value=httpx.Response(403, json=BLOCKED))
        notification = self.send_test()
        self.assertEqual((notification.status, notification.channel), ("failed", "telegram"))
        prefs = NotificationSettings.objects.get(user=self.alice)
        self.assertEqual(
            prefs.telegram_disabled, "Telegram 403: Forbidden: bot was blocked by the user"
        )
        again = self.send_test()
        self.assertEqual((again.status, again.channel), ("sent", "email"))
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertEqual(respx.calls.call_count, 1)

    @respx.mock
    def test_a_job_run_twice_sends_once(self) -> None:
        route = respx.post(SEND).mock(return_value=httpx.Response(200, json=OK))
        notification = outbox.send_test(user=self.alice)
        ids = [notification.pk]
        self.assertEqual(outbox.deliver(notification_ids=ids), {notification.pk: "sent"})
        self.assertEqual(outbox.deliver(notification_ids=ids), {})
        run_queued()
        self.assertEqual(route.call_count, 1)

    @respx.mock
    def test_each_request_holds_a_slot_of_the_shared_limiter(self) -> None:
        redis = get_redis_connection("default")
        counted = limiter.key_prefix() + "counted"
        during: list[int] = []

        def answer(request: httpx.Request) -> httpx.Response:
            during.append(redis.zcard(counted))
            return httpx.Response(200, json=OK)

        respx.post(SEND).mock(side_effect=answer)
        finished = time.time() * 1000
        self.assertEqual(self.send_test().status, "sent")
        self.assertEqual(during, [1])
        # Given back when the send finished, it counts for a second more.
        ((_token, until),) = redis.zrange(counted, 0, -1, withscores=True)
        self.assertGreater(until, finished + limiter.WINDOW_MS)
        self.assertLess(until, time.time() * 1000 + limiter.COUNTED_MS)

    @respx.mock
    def test_the_token_is_never_in_a_reason(self) -> None:
        respx.post(SEND).mock(side_effect=httpx.ConnectError("boom " + SEND))
        notification = self.send_test()
        self.assertEqual(notification.error, "Telegram unreachable: ConnectError")

    def test_no_channel_at_all(self) -> None:
        notification = outbox.send_test(user=self.bob)  # no e-mail, no messenger
        run_queued()
        notification.refresh_from_db()
        self.assertEqual(notification.status, "failed")
        self.assertEqual(notification.error, outbox.NO_CHANNEL)
