from django.test import SimpleTestCase, override_settings

from agents import server, tools
from botapi.actions import ACTIONS


class FlattenTestCase(SimpleTestCase):
    def test_it_keeps_the_fields_and_drops_what_clients_strip(self) -> None:
        schema = tools.input_schema(ACTIONS["set_budget_item"], "en")
        self.assertEqual(schema["type"], "object")
        self.assertEqual(schema["required"], ["month", "planned_amount"])
        self.assertNotIn("oneOf", schema)
        self.assertNotIn("additionalProperties", schema)
        amount = schema["properties"]["planned_amount"]
        self.assertEqual(
            amount,
            {
                "type": "string",
                "pattern": "^[0-9]{1,12}(\\.[0-9]{1,2})?$",
                "description": ACTIONS["set_budget_item"].schema["properties"]["planned_amount"][
                    "description"
                ],
            },
        )
        self.assertEqual(schema["properties"]["category_id"]["minimum"], 1)

    def test_it_describes_in_the_language_asked(self) -> None:
        ru = tools.input_schema(ACTIONS["get_summary"], "ru")["properties"]["month"]
        en = tools.input_schema(ACTIONS["get_summary"], "en")["properties"]["month"]
        self.assertEqual(ru["description"], "Месяц в виде ГГГГ-ММ. По умолчанию текущий.")
        self.assertEqual(en["description"], "The month as YYYY-MM. Default: the current month.")
        # A language without translations falls back to English.
        self.assertEqual(
            tools.input_schema(ACTIONS["get_summary"], "de")["properties"]["month"], en
        )

    def test_only_create_actions_take_dry_run(self) -> None:
        with_dry_run = {
            n for n, a in ACTIONS.items() if "dry_run" in tools.input_schema(a, "en")["properties"]
        }
        self.assertEqual(with_dry_run, {"create_expense", "create_income"})

    def test_call_splits_the_options_from_the_payload(self) -> None:
        call = tools.call(
            "create_expense", {"text": "кофе", "idempotency_key": "k" * 8, "dry_run": True}
        )
        self.assertEqual((call.payload, call.key, call.dry_run), ({"text": "кофе"}, "k" * 8, True))
        fresh = tools.call("get_summary", None)
        self.assertEqual(fresh.payload, {})
        self.assertTrue(fresh.key.startswith("mcp:"))
        self.assertNotEqual(fresh.key, tools.call("get_summary", None).key)


class TransportSecurityTestCase(SimpleTestCase):
    @override_settings(ALLOWED_HOSTS=["kopilka.example.org", ".example.net", "127.0.0.1"])
    def test_it_allows_what_allowed_hosts_does(self) -> None:
        settings = server.transport_security()
        self.assertTrue(settings.enable_dns_rebinding_protection)
        self.assertIn("kopilka.example.org", settings.allowed_hosts)
        self.assertIn("kopilka.example.org:*", settings.allowed_hosts)
        self.assertIn("example.net", settings.allowed_hosts)
        self.assertIn("127.0.0.1:*", settings.allowed_hosts)
        self.assertIn("https://kopilka.example.org", settings.allowed_origins)
        self.assertNotIn("evil.example", settings.allowed_hosts)

    @override_settings(ALLOWED_HOSTS=["*"])
    def test_a_wildcard_turns_the_check_off(self) -> None:
        self.assertFalse(server.transport_security().enable_dns_rebinding_protection)
