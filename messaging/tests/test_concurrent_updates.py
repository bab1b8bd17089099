import json

import httpx
import respx
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings

from accounts.services import user_create
from config.testing import at_once
from finance.models import Transaction
from messaging.models import Message, UserContact
from messaging.tests.helpers import (
    ALICE_TG,
    SECRET,
    TELEGRAM_SETTINGS,
    WEBHOOK,
    api_url,
    bot_message,
    run_queued,
    text_update,
)


@override_settings(**TELEGRAM_SETTINGS)
class ConcurrentUpdatesTestCase(TransactionTestCase):
    def test_one_update_delivered_ten_times_at_once_has_one_effect_and_one_reply(self) -> None:
        user = user_create(username="carol", password="x" * 20, source="cli")
        UserContact.objects.create(
            user=user, channel="telegram", telegram_id=ALICE_TG, chat_id=str(ALICE_TG)
        )
        body = json.dumps(text_update("кофе 250"))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs")  # not a model: outlives tests

        def deliver(_n: int) -> int:
            response = Client().post(
                WEBHOOK,
                data=body,
                content_type="application/json",
                HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
            )
            return response.status_code

        with respx.mock(assert_all_called=False) as mock:
            route = mock.post(api_url("sendMessage")).mock(
                side_effect=lambda request: httpx.Response(
                    200, json={"ok": True, "result": bot_message(ALICE_TG, "ok", 77)}
                )
            )
            statuses = at_once(10, deliver)
            run_queued()
        self.assertEqual(statuses, [200] * 10)
        self.assertEqual(Transaction.objects.count(), 1)
        self.assertEqual(route.call_count, 1)
        self.assertEqual(Message.objects.filter(direction="in").count(), 1)
