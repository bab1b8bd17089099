"""Telegram as the tests see it: Bot API `Update`s shaped as documented
(https://core.telegram.org/bots/api#update) and the outbound side faked with respx."""

import itertools
import json
from collections.abc import Collection
from typing import Any

import httpx
import respx
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.jobs import Job

from accounts.models import User
from config.testing import BaseTestCase
from ledgers.models import Ledger
from messaging.chat.receipts import PHOTO_TASK
from messaging.models import Channel, GroupLink, UserContact
from notifications.tests.helpers import queued


def forget_queue() -> None:
    """Start with no job waiting (within the test's transaction): the queue's tables are
    not Django models, and what other tests' live servers committed outlives them."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


def run_queued(
    *, include_later: bool = False, limit: int = 100, skip: Collection[str] = ()
) -> list[tuple[str, Any]]:
    """Run the queued jobs that are due (and those scheduled later, with
    `include_later`), oldest first, as a worker would: a job that raises is scheduled
    again as its task's retry strategy decides, or fails for good (left as "failed").
    A job whose lock an earlier waiting job holds waits for it, as the queue has it."""
    results: list[tuple[str, Any]] = []
    for _ in range(limit):
        now = timezone.now()
        waiting = queued()
        due = [
            job
            for n, job in enumerate(waiting)
            # A task that wants a worker's context (a voice message heard) is its tests' own.
            if not app.tasks[job["task"]].pass_context
            and job["task"] not in skip
            and (include_later or job["scheduled_at"] is None or job["scheduled_at"] <= now)
            and not any(j["lock"] and j["lock"] == job["lock"] for j in waiting[:n])
        ]
        if not due:
            return results
        job = due[0]
        task = app.tasks[job["task"]]
        try:
            results.append((job["task"], task.func(**job["args"])))
        except Exception as exc:
            attempt = Job(
                id=job["id"],
                queue=task.queue,
                lock=job["lock"],
                queueing_lock=None,
                task_name=job["task"],
                attempts=job["attempts"],
            )
            strategy = task.retry_strategy
            decision = strategy.get_retry_decision(exception=exc, job=attempt) if strategy else None
            with connection.cursor() as cursor:
                if decision is None:
                    cursor.execute(
                        "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = %s", [job["id"]]
                    )
                else:
                    cursor.execute(
                        "UPDATE procrastinate_jobs SET scheduled_at = %s, attempts = attempts + 1"
                        " WHERE id = %s",
                        [decision.retry_at, job["id"]],
                    )
            results.append((job["task"], exc))
            continue
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job["id"]])
    raise AssertionError("the queue did not empty")


TOKEN = "123456:TEST-token_for-tests"
SECRET = "test-webhook-secret"
API = "https://telegram.test"
BOT = "kopilka_test_bot"
WEBHOOK = "/webhooks/telegram/"
ALICE_TG = 111_000_001
BOB_TG = 222_000_002
STRANGER_TG = 333_000_003
DATE = 1_764_590_400  # a Unix time, as Telegram sends `date`

TELEGRAM_SETTINGS = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": SECRET,
    "TELEGRAM_API_URL": API,
    "TELEGRAM_BOT_USERNAME": BOT,
    "TELEGRAM_MAX_RETRY_AFTER": 5,
    # The dialogue's tests send many replies to one chat; the limits have their own.
    "TELEGRAM_CHAT_INTERVAL_MS": 0,
    "TELEGRAM_RATE_PER_SECOND": 0,
}

_update_ids = itertools.count(700_000)
_message_ids = itertools.count(10)


def api_url(method: str) -> str:
    return f"{API}/bot{TOKEN}/{method}"


def tg_user(telegram_id: int, language_code: str = "ru", name: str = "Alice") -> dict[str, Any]:
    return {
        "id": telegram_id,
        "is_bot": False,
        "first_name": name,
        "username": f"{name.lower()}_tg",
        "language_code": language_code,
    }


def private_chat(telegram_id: int, name: str = "Alice") -> dict[str, Any]:
    return {
        "id": telegram_id,
        "first_name": name,
        "username": f"{name.lower()}_tg",
        "type": "private",
    }


def message(
    text: str | None,
    *,
    sender: int = ALICE_TG,
    language_code: str = "ru",
    chat: dict[str, Any] | None = None,
    message_id: int | None = None,
    reply_to: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": tg_user(sender, language_code),
        "chat": chat or private_chat(sender),
        "date": DATE,
        **fields,
    }
    if text is not None:
        data["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            data["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    if reply_to is not None:
        data["reply_to_message"] = {
            "message_id": reply_to,
            "from": {"id": 999, "is_bot": True, "first_name": "Kopilka", "username": BOT},
            "chat": data["chat"],
            "date": DATE,
            "text": "Записал: …",
        }
    return data


def update(kind: str = "message", update_id: int | None = None, **body: Any) -> dict[str, Any]:
    return {"update_id": update_id if update_id is not None else next(_update_ids), kind: body}


def text_update(text: str | None, **kwargs: Any) -> dict[str, Any]:
    update_id = kwargs.pop("update_id", None)
    return update("message", update_id, **message(text, **kwargs))


def edited_update(text: str, *, message_id: int, **kwargs: Any) -> dict[str, Any]:
    body = message(text, message_id=message_id, **kwargs)
    body["edit_date"] = DATE + 60
    return update("edited_message", None, **body)


def callback_update(data: str, *, message_id: int, sender: int = ALICE_TG) -> dict[str, Any]:
    return update(
        "callback_query",
        None,
        id=f"cb-{next(_update_ids)}",
        **{"from": tg_user(sender)},
        message={
            "message_id": message_id,
            "from": {"id": 999, "is_bot": True, "first_name": "Kopilka", "username": BOT},
            "chat": private_chat(sender),
            "date": DATE,
            "text": "Записал: …",
        },
        chat_instance="-4411",
        data=data,
    )


def bot_message(chat_id: int, text: str, message_id: int) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "from": {"id": 999, "is_bot": True, "first_name": "Kopilka", "username": BOT},
        "chat": private_chat(chat_id),
        "date": DATE,
        "text": text,
    }


def linked_group(ledger: Ledger) -> tuple[int | None, str]:
    """The Telegram group linked to `ledger` as stored now: (chat id, title), or (None, "")."""
    link = GroupLink.objects.filter(ledger=ledger).first()
    return (link.chat_id, link.title) if link is not None else (None, "")


def group_chat_id(ledger: Ledger) -> int | None:
    return linked_group(ledger)[0]


def group_title(ledger: Ledger) -> str:
    return linked_group(ledger)[1]


@override_settings(**TELEGRAM_SETTINGS)
class TelegramTestCase(BaseTestCase):
    """Alice's Telegram is linked; the Bot API answers every call as Telegram would."""

    def setUp(self) -> None:
        forget_queue()
        self.mock = respx.mock(assert_all_called=False)
        self.mock.start()
        self.addCleanup(self.mock.stop)
        self.bot_ids = itertools.count(5000)
        self.send_route = self.mock.post(api_url("sendMessage")).mock(side_effect=self._sent)
        self.answer_route = self.mock.post(api_url("answerCallbackQuery")).respond(
            json={"ok": True, "result": True}
        )

    def _sent(self, request: httpx.Request) -> httpx.Response:
        payload = json.loads(request.content)
        sent = bot_message(payload["chat_id"], payload["text"], next(self.bot_ids))
        return httpx.Response(200, json={"ok": True, "result": sent})

    def link(self, user: User, telegram_id: int = ALICE_TG, **fields: Any) -> UserContact:
        return UserContact.objects.create(
            user=user,
            channel=Channel.TELEGRAM,
            telegram_id=telegram_id,
            chat_id=str(telegram_id),
            display_name="alice_tg",
            **fields,
        )

    def post(self, body: Any, *, secret: str | None = SECRET) -> Any:
        headers: dict[str, Any] = {}
        if secret is not None:
            headers["HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"] = secret
        data = body if isinstance(body, bytes) else json.dumps(body)
        response = self.client.post(WEBHOOK, data=data, content_type="application/json", **headers)
        # The webhook leaves its replies to the queue: run them as a worker would (a
        # photo's reading is the receipts tests' own to run).
        run_queued(skip={PHOTO_TASK})
        return response

    def say(self, text: str | None, **kwargs: Any) -> dict[str, Any]:
        """Alice writes `text`; returns the bot's last reply (the sendMessage payload)."""
        response = self.post(text_update(text, **kwargs))
        self.assertEqual(response.status_code, 200, response.content)
        return self.last_sent()

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.content) for call in self.send_route.calls]

    def last_sent(self) -> dict[str, Any]:
        sent = self.sent()
        self.assertTrue(sent, "the bot sent nothing")
        return sent[-1]

    def last_message_id(self) -> int:
        response = self.send_route.calls.last.response
        message_id: int = response.json()["result"]["message_id"]
        return message_id

    @staticmethod
    def buttons(payload: dict[str, Any]) -> list[tuple[str, str]]:
        rows = payload.get("reply_markup", {}).get("inline_keyboard", [])
        return [(b["text"], b["callback_data"]) for row in rows for b in row]
