import json
import re

from django.test import TestCase

from botapi import actions


class RegistryViewTestCase(TestCase):
    def test_it_serves_the_envelope_and_every_action(self) -> None:
        response = self.client.get("/api/bot/schema")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["envelope"]["properties"]["action"]["enum"], list(actions.ACTIONS))
        self.assertEqual(set(body["actions"]), set(actions.ACTIONS))
        expense = body["actions"]["create_expense"]
        self.assertEqual(expense["scope"], "expenses:write")
        self.assertEqual(expense["schema"]["required"], ["text"])
        self.assertEqual(expense["example"]["payload"], {"text": "кофе 250 вчера"})
        self.assertTrue(expense["description"])
        self.assertEqual(body["actions"]["get_summary"]["scope"], "summaries:read")


class OpenApiTestCase(TestCase):
    def test_the_document_describes_every_action_from_the_registry(self) -> None:
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.assertEqual(response.status_code, 200)
        document = json.loads(response.content)
        self.assertEqual(document["openapi"], "3.1.0")
        operation = document["paths"]["/api/bot/actions"]["post"]
        self.assertEqual(operation["security"], [{"BotToken": []}])
        self.assertEqual(sorted(operation["responses"]), ["200", "201", "400", "401", "403", "429"])
        self.assertIn("Retry-After", operation["responses"]["429"]["headers"])
        components = document["components"]
        self.assertEqual(
            components["securitySchemes"]["BotToken"],
            {
                **components["securitySchemes"]["BotToken"],
                "type": "apiKey",
                "in": "header",
                "name": "X-Bot-Token",
            },
        )
        for name, action in actions.ACTIONS.items():
            with self.subTest(action=name):
                request = components["schemas"][f"BotRequest_{name}"]
                self.assertEqual(request["properties"]["action"], {"const": name})
                payload = request["properties"]["payload"]
                self.assertEqual(payload["properties"], action.schema["properties"])
        self.assertIn("/api/bot/schema", document["paths"])

    def test_the_docs_page_works_offline(self) -> None:
        response = self.client.get("/api/docs/")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertNotRegex(page, r"https?://(?!127\.0\.0\.1|localhost)[^\s\"']+\.js")
        scripts = re.findall(r'src="([^"]+\.js)"', page)
        self.assertTrue(scripts)
        for src in scripts:
            with self.subTest(src=src):
                self.assertTrue(src.startswith("/static/"), src)
                asset = self.client.get(src)
                self.assertEqual(asset.status_code, 200)
                self.assertGreater(len(b"".join(asset.streaming_content)), 1000)  # type: ignore[attr-defined]
