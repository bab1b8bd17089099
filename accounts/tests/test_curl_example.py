import json
import subprocess
import uuid

from django.test import SimpleTestCase

from accounts.selectors import curl_example


class CurlExampleTestCase(SimpleTestCase):
    def test_the_shell_quoting_sends_valid_json_with_a_fresh_key(self) -> None:
        example = curl_example("https://kopilka.example.org/api/bot/actions")
        # A stand-in curl prints the body it was given: the quoting is what is tested.
        script = 'curl() { while [ "$1" != "-d" ]; do shift; done; printf %s "$2"; }\n' + example
        bodies = [
            json.loads(
                subprocess.run(
                    ["bash", "-c", script], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(2)
        ]
        self.assertEqual(bodies[0]["action"], "create_expense")
        self.assertEqual(bodies[0]["payload"], {"text": "кофе 250"})
        keys = [str(uuid.UUID(body["idempotency_key"])) for body in bodies]
        self.assertNotEqual(keys[0], keys[1])
        self.assertIn('-H "X-Bot-Token: $KOPILKA_TOKEN"', example)
