import json

import httpx
import respx
from django.test import SimpleTestCase

from messaging.tests.helpers import API, TOKEN, api_url, bot_message
from messaging.transports import TEXT_LIMIT, Button, Telegram, TransportError


def ok(message_id: int = 1) -> httpx.Response:
    return httpx.Response(200, json={"ok": True, "result": bot_message(1, "x", message_id)})


def error(status: int, description: str, **parameters: int) -> httpx.Response:
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(status, json=body)


class TelegramTransportTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.slept: list[float] = []
        self.transport = Telegram(
            token=TOKEN, api_url=API, sleep=self.slept.append, max_retry_after=5
        )

    @respx.mock
    def test_send_escapes_html_and_attaches_buttons(self) -> None:
        route = respx.post(api_url("sendMessage")).mock(return_value=ok(42))
        message_id = self.transport.send(
            chat_id="111", text="<b>кофе</b> & 250", buttons=[[Button("Undo", "u:1")]], reply_to="9"
        )
        self.assertEqual(message_id, "42")
        payload = json.loads(route.calls.last.request.content)
        self.assertEqual(payload["chat_id"], 111)
        self.assertEqual(payload["text"], "&lt;b&gt;кофе&lt;/b&gt; &amp; 250")
        self.assertEqual(payload["parse_mode"], "HTML")
        self.assertEqual(payload["reply_parameters"]["message_id"], 9)
        self.assertEqual(
            payload["reply_markup"],
            {"inline_keyboard": [[{"text": "Undo", "callback_data": "u:1"}]]},
        )

    @respx.mock
    def test_long_texts_are_split_at_the_4096_limit(self) -> None:
        route = respx.post(api_url("sendMessage")).mock(side_effect=[ok(1), ok(2), ok(3)])
        text = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
        self.assertEqual(
            self.transport.send(chat_id="1", text=text, buttons=[[Button("a", "b")]]), "3"
        )
        pieces = [json.loads(c.request.content) for c in route.calls]
        self.assertEqual(len(pieces), 3)
        self.assertTrue(all(len(p["text"]) <= TEXT_LIMIT for p in pieces))
        self.assertEqual("\n".join(p["text"] for p in pieces), text)
        self.assertEqual(["reply_markup" in p for p in pieces], [False, False, True])

    @respx.mock
    def test_a_429_is_honoured_with_its_retry_after(self) -> None:
        respx.post(api_url("sendMessage")).mock(
            side_effect=[error(429, "Too Many Requests: retry after 3", retry_after=3), ok(7)]
        )
        self.assertEqual(self.transport.send(chat_id="1", text="hi"), "7")
        self.assertEqual(self.slept, [3.0])

    @respx.mock
    def test_a_429_longer_than_allowed_fails_without_waiting(self) -> None:
        respx.post(api_url("sendMessage")).mock(
            return_value=error(429, "Too Many Requests: retry after 60", retry_after=60)
        )
        with self.assertRaises(TransportError) as raised:
            self.transport.send(chat_id="1", text="hi")
        self.assertEqual(
            (raised.exception.code, raised.exception.permanent), ("rate_limited", False)
        )
        self.assertEqual(self.slept, [])

    @respx.mock
    def test_5xx_and_network_errors_are_retried_a_few_times(self) -> None:
        route = respx.post(api_url("sendMessage")).mock(
            side_effect=[error(502, "Bad Gateway"), httpx.ConnectError("refused"), ok(5)]
        )
        self.assertEqual(self.transport.send(chat_id="1", text="hi"), "5")
        self.assertEqual(route.call_count, 3)
        route.side_effect = [error(500, "Internal Server Error")] * 3
        with self.assertRaises(TransportError) as raised:
            self.transport.send(chat_id="1", text="hi")
        self.assertFalse(raised.exception.permanent)

    @respx.mock
    def test_a_blocked_bot_is_a_permanent_error(self) -> None:
        route = respx.post(api_url("sendMessage")).mock(
            return_value=error(403, "Forbidden: bot was blocked by the user")
        )
        with self.assertRaises(TransportError) as raised:
            self.transport.send(chat_id="1", text="hi")
        self.assertEqual((raised.exception.code, raised.exception.permanent), ("blocked", True))
        self.assertEqual(route.call_count, 1)

    @respx.mock
    def test_the_token_never_appears_in_the_error(self) -> None:
        respx.post(api_url("sendMessage")).mock(side_effect=httpx.ConnectError(f"{API}/bot{TOKEN}"))
        with self.assertRaises(TransportError) as raised:
            self.transport.send(chat_id="1", text="hi")
        self.assertNotIn(TOKEN, str(raised.exception))

    def test_without_a_token_nothing_is_sent(self) -> None:
        with self.assertRaises(TransportError) as raised:
            Telegram(token="", api_url=API).send(chat_id="1", text="hi")
        self.assertEqual(raised.exception.code, "disabled")
