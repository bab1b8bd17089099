import json

import yaml
from django.test import override_settings

from botapi.actions import ACTIONS
from config.testing import BaseTestCase

SNIPPETS = [
    "setup-gemini-settings",
    "setup-gemini-add",
    "setup-openclaw-config",
    "setup-openclaw-add",
    "setup-claude-desktop",
]


class SetupSnippetsTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def create(self) -> tuple[str, dict[str, str]]:
        response = self.client.post(
            "/tokens/new/", {"name": "gemini", "scopes": ["expenses:write"], "expires": "30"}
        )
        self.assertEqual(response.status_code, 200)
        raw = response.context["issued"].raw
        for snippet in SNIPPETS:
            self.assertContains(response, f'data-copy="{snippet}"', count=1)
        return raw, {s.id: s.text for s in response.context["setup"]}

    def test_a_new_token_comes_with_each_clients_set_up(self) -> None:
        raw, texts = self.create()
        self.assertEqual(list(texts), SNIPPETS)
        for text in texts.values():
            self.assertIn(raw, text)
        gemini = json.loads(texts["setup-gemini-settings"])["mcpServers"]["kopilka"]
        self.assertEqual(
            gemini,
            {
                "httpUrl": "http://testserver/mcp",
                "headers": {"Authorization": f"Bearer {raw}"},
                "trust": True,
            },
        )
        self.assertIn(
            f"gemini mcp add --scope user --transport http --trust \\\n"
            f"  --header 'Authorization: Bearer {raw}' \\\n  kopilka http://testserver/mcp",
            texts["setup-gemini-add"],
        )
        self.assertIn("--allowed-mcp-server-names kopilka -p", texts["setup-gemini-add"])
        openclaw = json.loads(texts["setup-openclaw-config"])["mcp"]["servers"]["kopilka"]
        self.assertEqual(
            openclaw,
            {
                "url": "http://testserver/mcp",
                "transport": "streamable-http",
                "headers": {"Authorization": f"Bearer {raw}"},
            },
        )
        self.assertTrue(texts["setup-openclaw-add"].startswith("openclaw mcp add kopilka --url"))
        claude = json.loads(texts["setup-claude-desktop"])["mcpServers"]["kopilka"]
        self.assertEqual(claude["env"], {"KOPILKA_TOKEN": raw, "KOPILKA_URL": "http://testserver"})
        self.assertEqual(claude["args"][-1], "/path/to/kopilka-mcp")

    def test_the_set_up_is_shown_only_with_the_new_token(self) -> None:
        raw, _texts = self.create()
        response = self.client.get("/tokens/")
        self.assertNotContains(response, raw)
        self.assertNotContains(response, 'data-copy="setup-')
        self.assertEqual(response.context["setup"], [])
        # The kit is always there.
        self.assertContains(response, 'href="/agents/kopilka/SKILL.md"')
        self.assertContains(response, "http://testserver/mcp")

    @override_settings(
        PUBLIC_URL="https://kopilka.example.org", MCP_URL="https://mcp.example.org/mcp"
    )
    def test_the_addresses_come_from_the_settings(self) -> None:
        _raw, texts = self.create()
        self.assertEqual(
            json.loads(texts["setup-gemini-settings"])["mcpServers"]["kopilka"]["httpUrl"],
            "https://mcp.example.org/mcp",
        )
        claude = json.loads(texts["setup-claude-desktop"])["mcpServers"]["kopilka"]
        self.assertEqual(claude["env"]["KOPILKA_URL"], "https://kopilka.example.org")


class AgentKitDownloadsTestCase(BaseTestCase):
    def test_the_skill_is_an_agentskill_for_openclaw(self) -> None:
        response = self.client.get("/agents/kopilka/SKILL.md")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/markdown; charset=utf-8")
        self.assertIn('attachment; filename="SKILL.md"', response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        _, frontmatter, body = text.split("---\n", 2)
        meta = yaml.safe_load(frontmatter)
        self.assertEqual(meta["name"], "kopilka")
        self.assertGreater(len(meta["description"]), 40)
        openclaw = meta["metadata"]["openclaw"]
        self.assertEqual(openclaw["requires"]["env"], ["KOPILKA_BOT_TOKEN"])
        self.assertEqual(openclaw["primaryEnv"], "KOPILKA_BOT_TOKEN")
        # It prefers the MCP tools, names every one of them, and falls back to curl.
        self.assertLess(body.index("MCP"), body.index("/api/bot/actions"))
        for name in ACTIONS:
            self.assertIn(f"`{name}`", body)
        self.assertIn("curl", body)
        self.assertIn("$KOPILKA_BOT_TOKEN", body)

    def test_the_bridge_downloads(self) -> None:
        response = self.client.get("/agents/kopilka-mcp")
        self.assertEqual(response.status_code, 200)
        text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertTrue(text.startswith("#!/usr/bin/env python3"))
        self.assertEqual(self.client.post("/agents/kopilka-mcp").status_code, 405)
