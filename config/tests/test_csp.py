"""The Content-Security-Policy comes from Django itself, without nginx."""

import re
from pathlib import Path

from django.test import Client

from config.testing import BaseTestCase

ROOT = Path(__file__).resolve().parents[2]
# An inline script or an on* handler, which a policy without 'unsafe-inline' blocks.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_pages_carry_a_policy_without_inline_scripts(self) -> None:
        self.client.force_login(self.alice)
        for path in ["/", "/login/", "/budget/", "/admin/", "/api/docs/"]:
            with self.subTest(path=path):
                client = Client() if path == "/login/" else self.client
                response = client.get(path, follow=True)
                self.assertEqual(response.status_code, 200)
                policy = directives(response["Content-Security-Policy"])
                self.assertEqual(policy["script-src"], ["'self'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertIsNone(INLINE_SCRIPT.search(response.content.decode()), path)

    def test_no_template_has_an_inline_script_or_handler(self) -> None:
        for template in (ROOT / "templates").rglob("*.html"):
            with self.subTest(template=template.name):
                self.assertIsNone(INLINE_SCRIPT.search(template.read_text()))

    def test_nginx_sends_the_same_script_policy(self) -> None:
        conf = (ROOT / "nginx.conf").read_text()
        header = re.search(r'Content-Security-Policy "([^"]+)"', conf)
        assert header is not None
        response = Client().get("/login/")
        self.assertEqual(directives(header[1]), directives(response["Content-Security-Policy"]))
