"""The bot endpoint answers in Accept-Language, else in the token owner's language."""

import re

from botapi.tests.helpers import BotTestCase, envelope

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
QUOTED = re.compile("“[^”]*”|«[^»]*»")


class BotLanguageTestCase(BotTestCase):
    def messages(self, response: object) -> list[str]:
        body = response.json()  # type: ignore[attr-defined]
        return [body["message"], *(d["message"] for d in body.get("details", []))]

    def test_the_owners_language_without_a_header(self) -> None:
        response = self.act("create_expense", {"text": "", "tip": 1})  # alice reads Russian
        self.assertEqual(response.status_code, 400)
        texts = self.messages(response)
        self.assertTrue(all(CYRILLIC.search(t) for t in texts), texts)

    def test_accept_language_wins_and_one_body_keeps_to_it(self) -> None:
        for payload in ({"text": "кофе"}, {"text": "", "tip": 1}):
            with self.subTest(payload=payload):
                response = self.post(envelope("create_expense", payload), HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(response.status_code, 400)
                texts = self.messages(response)
                self.assertFalse(any(CYRILLIC.search(QUOTED.sub("", t)) for t in texts), texts)

    def test_refusals_before_the_dispatcher_speak_it_too(self) -> None:
        response = self.post(b"{not json", raw=True, HTTP_ACCEPT_LANGUAGE="ru")
        self.assertEqual(response.status_code, 400)
        self.assertTrue(all(CYRILLIC.search(t) for t in self.messages(response)))
        response = self.post(envelope("get_summary", {}), token="", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 401)
        self.assertFalse(any(CYRILLIC.search(t) for t in self.messages(response)))
