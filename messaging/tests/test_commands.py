import io
import itertools
import json
import signal
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import httpx
from django.core import checks
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from finance.models import Transaction
from messaging.chat import private
from messaging.chat.exchange import Handled, Inbound
from messaging.models import Conversation, InboundUpdate, Message, PollCursor
from messaging.tests.helpers import TelegramTestCase, api_url, text_update
from notifications.tests.helpers import run_queued


def _failing_once(respond: Callable[[Inbound], Handled]) -> Callable[[Inbound], Handled]:
    calls = itertools.count()

    def failing(inbound: Inbound) -> Handled:
        if next(calls) == 0:
            raise RuntimeError("a bug")
        return respond(inbound)

    return failing


class TelegramPollTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice)
        self.mock.post(api_url("deleteWebhook")).respond(json={"ok": True, "result": True})
        self.commands = self.mock.post(api_url("setMyCommands")).respond(
            json={"ok": True, "result": True}
        )
        self.batches: list[list[dict[str, object]]] = []
        self.get_updates = self.mock.post(api_url("getUpdates")).mock(side_effect=self._updates)

    def _updates(self, request: httpx.Request) -> httpx.Response:
        batch = self.batches.pop(0) if self.batches else []
        if not self.batches:
            signal.raise_signal(signal.SIGTERM)  # as systemd stops the service
        return httpx.Response(200, json={"ok": True, "result": batch})

    def poll(self) -> str:
        out = io.StringIO()
        call_command("telegram_poll", timeout=1, stdout=out)
        return out.getvalue()

    def test_an_update_that_fails_is_logged_and_the_next_ones_still_come(self) -> None:
        bad, good = text_update("кофе 100"), text_update("кофе 250")
        self.batches = [[bad, good]]
        # A bug met in the first update only (injected): the poller must not stop at it.
        with (
            mock.patch.object(private, "respond", _failing_once(private.respond)),
            self.assertLogs("messaging.telegram", "ERROR") as logged,
        ):
            self.poll()
        self.assertIn(str(bad["update_id"]), logged.output[0])
        self.assertEqual(list(Transaction.objects.values_list("text", flat=True)), ["кофе 250"])
        self.assertEqual(PollCursor.objects.get().offset, good["update_id"] + 1)

    def test_it_handles_updates_and_keeps_the_offset_across_restarts(self) -> None:
        first, second = text_update("кофе 250"), text_update("такси 300")
        self.batches = [[first, second]]
        self.assertIn("Handled 2", self.poll())
        self.assertEqual(Transaction.objects.count(), 2)
        self.assertEqual(PollCursor.objects.get().offset, second["update_id"] + 1)
        sent = json.loads(self.get_updates.calls[0].request.content)
        self.assertEqual(sent["offset"], 0)
        self.assertEqual(
            sent["allowed_updates"],
            ["message", "edited_message", "callback_query", "my_chat_member"],
        )
        # A restart asks from the saved offset; a redelivered update changes nothing.
        self.batches = [[second]]
        self.poll()
        resumed = json.loads(self.get_updates.calls[1].request.content)
        self.assertEqual(resumed["offset"], second["update_id"] + 1)
        self.assertEqual(Transaction.objects.count(), 2)
        # The replies went to the queue, once each, as the webhook's do.
        self.assertEqual(self.send_route.call_count, 0)
        run_queued()
        self.assertEqual(self.send_route.call_count, 2)

    def test_sigterm_stops_it_after_the_batch_in_hand(self) -> None:
        self.batches = [[text_update("кофе 250")]]
        self.poll()
        self.assertEqual(self.get_updates.call_count, 1)
        self.assertEqual(Transaction.objects.count(), 1)
        # The menus of private chats and of groups, in Russian and English.
        self.assertEqual(self.commands.call_count, 4)

    @override_settings(TELEGRAM_BOT_TOKEN="")
    def test_it_needs_a_token(self) -> None:
        with self.assertRaises(CommandError):
            call_command("telegram_poll")


class WebhookCommandsTestCase(TelegramTestCase):
    @override_settings(PUBLIC_URL="https://kopilka.example.org")
    def test_set_webhook_sends_the_url_secret_and_allowed_updates_and_the_commands(self) -> None:
        hook = self.mock.post(api_url("setWebhook")).respond(json={"ok": True, "result": True})
        commands = self.mock.post(api_url("setMyCommands")).respond(
            json={"ok": True, "result": True}
        )
        out = io.StringIO()
        call_command("telegram_set_webhook", stdout=out)
        payload = json.loads(hook.calls.last.request.content)
        self.assertEqual(payload["url"], "https://kopilka.example.org/webhooks/telegram/")
        self.assertEqual(payload["secret_token"], "test-webhook-secret")
        self.assertEqual(
            payload["allowed_updates"],
            ["message", "edited_message", "callback_query", "my_chat_member"],
        )
        self.assertNotIn("test-webhook-secret", out.getvalue())
        ru, ru_groups, en, en_groups = (json.loads(c.request.content) for c in commands.calls)
        self.assertEqual(ru["language_code"], "ru")
        self.assertNotIn("language_code", en)
        self.assertEqual(ru["scope"], {"type": "default"})
        self.assertEqual(en_groups["scope"], {"type": "all_group_chats"})
        self.assertIn(
            {"command": "month", "description": "Этот месяц: доходы, расходы, баланс"},
            ru["commands"],
        )
        self.assertIn(
            {"command": "ledger", "description": "В какую книгу я записываю; переключить"},
            ru["commands"],
        )
        self.assertIn(
            {"command": "ledger", "description": "Which ledger I record into; switch it"},
            en["commands"],
        )
        self.assertIn(
            {"command": "undo", "description": "Убрать вашу последнюю запись здесь"},
            ru_groups["commands"],
        )
        self.assertNotIn("unlink", [c["command"] for c in en_groups["commands"]])
        self.assertIn("month", [c["command"] for c in en["commands"]])

    @override_settings(PUBLIC_URL="")
    def test_set_webhook_needs_an_https_public_url(self) -> None:
        with self.assertRaises(CommandError):
            call_command("telegram_set_webhook")

    def test_delete_webhook(self) -> None:
        route = self.mock.post(api_url("deleteWebhook")).respond(json={"ok": True, "result": True})
        call_command("telegram_delete_webhook", stdout=io.StringIO())
        self.assertTrue(route.called)

    def test_a_refusal_is_a_command_error(self) -> None:
        self.mock.post(api_url("deleteWebhook")).respond(
            401, json={"ok": False, "error_code": 401, "description": "Unauthorized"}
        )
        with self.assertRaises(CommandError):
            call_command("telegram_delete_webhook")


class PurgeMessagesTestCase(TelegramTestCase):
    def test_it_deletes_messages_older_than_the_retention(self) -> None:
        self.link(self.alice)
        self.say("кофе 250")
        conversation = Conversation.objects.get()
        old = Message.objects.create(
            conversation=conversation,
            direction="in",
            text="old",
            created_at=timezone.now() - timedelta(days=181),
        )
        InboundUpdate.objects.create(
            channel="telegram", update_id="1", received_at=timezone.now() - timedelta(days=181)
        )
        out = io.StringIO()
        call_command("purge_messages", stdout=out)
        self.assertIn("Purged 1 message", out.getvalue())
        self.assertFalse(Message.objects.filter(pk=old.pk).exists())
        self.assertEqual(Message.objects.count(), 2)
        self.assertFalse(InboundUpdate.objects.filter(update_id="1").exists())
        self.assertEqual(Transaction.objects.count(), 1)


class SystemCheckTestCase(TelegramTestCase):
    def test_without_a_token_check_notes_it(self) -> None:
        with override_settings(TELEGRAM_BOT_TOKEN=""):
            levels = {m.id: m.level for m in checks.run_checks()}
        self.assertEqual(levels["messaging.I001"], checks.INFO)  # off by choice
        self.assertNotIn("messaging.I001", [m.id for m in checks.run_checks()])
        with override_settings(TELEGRAM_WEBHOOK_SECRET=""):  # half set up: a warning
            levels = {m.id: m.level for m in checks.run_checks()}
        self.assertEqual(levels["messaging.W002"], checks.WARNING)
