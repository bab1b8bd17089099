"""The Messengers page's WhatsApp side, `create_link_code --channel whatsapp`, and the
system check that says WhatsApp is off."""

import io
from urllib.parse import quote

from django.core import checks
from django.core.management import call_command
from django.test import override_settings

from messaging.linking.codes import code_hash
from messaging.models import Channel, LinkCode, UserContact
from messaging.tests.helpers import TELEGRAM_SETTINGS
from messaging.tests.whatsapp import ALICE_NUMBER, WhatsAppTestCase

TEMPLATES = {(p, lang): "" for p in ("reminder", "alert", "report") for lang in ("ru", "en")}


@override_settings(**TELEGRAM_SETTINGS)
class WhatsAppMessengersPageTestCase(WhatsAppTestCase):
    def test_it_offers_whatsapp_beside_telegram(self) -> None:
        self.link_alice()
        self.client.force_login(self.alice)
        response = self.client.get("/messengers/")
        self.assertContains(response, "Привязать Telegram")
        self.assertContains(response, "Привязать WhatsApp")
        self.assertContains(response, "WhatsApp</td>")
        self.assertContains(response, f"whatsapp:+{ALICE_NUMBER}")

    def test_link_whatsapp_shows_the_code_the_wa_me_link_and_a_qr_code(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post("/messengers/whatsapp/link/")
        self.assertEqual(response.status_code, 200)
        code = response.context["issued"].code
        link = LinkCode.objects.get(user=self.alice)
        self.assertEqual((link.channel, link.code_hash), (Channel.WHATSAPP, code_hash(code)))
        self.assertContains(response, f"https://wa.me/14155238886?text=link%20{code}")
        self.assertEqual(quote(f"link {code}"), f"link%20{code}")
        self.assertContains(response, f"link {code}</code>")
        self.assertContains(response, "<svg")
        self.assertContains(response, "+14155238886")
        self.assertNotContains(response, "t.me/")
        self.assertEqual(response["Cache-Control"].count("no-store"), 1)

    def test_the_code_links_through_the_webhook(self) -> None:
        self.client.force_login(self.alice)
        code = self.client.post("/messengers/whatsapp/link/").context["issued"].code
        self.say(f"link {code}")
        self.assertContains(self.client.get("/messengers/"), f"Alice · +{ALICE_NUMBER}")

    def test_it_rejects_get_on_link(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/messengers/whatsapp/link/").status_code, 405)

    def test_it_needs_a_login(self) -> None:
        self.assertEqual(self.client.post("/messengers/whatsapp/link/").status_code, 302)
        self.assertFalse(LinkCode.objects.exists())

    @override_settings(TWILIO_ACCOUNT_SID="")
    def test_without_credentials_it_says_whatsapp_is_off(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get("/messengers/")
        self.assertContains(response, "WhatsApp выключен")
        self.assertNotContains(response, "Привязать WhatsApp")
        self.assertContains(response, "Привязать Telegram")
        response = self.client.post("/messengers/whatsapp/link/", follow=True)
        self.assertContains(response, "WhatsApp на этом сервере не настроен.")
        self.assertFalse(LinkCode.objects.exists())

    @override_settings(TELEGRAM_BOT_TOKEN="")
    def test_whatsapp_works_with_telegram_off(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get("/messengers/")
        self.assertContains(response, "Telegram выключен")
        self.assertContains(response, "Привязать WhatsApp")


class WhatsAppLinkCodeCommandTestCase(WhatsAppTestCase):
    def test_it_makes_a_whatsapp_code(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "create_link_code", "--user", "alice", "--channel", "whatsapp", stdout=out, stderr=err
        )
        code = out.getvalue().strip()
        self.assertEqual(LinkCode.objects.get(code_hash=code_hash(code)).channel, Channel.WHATSAPP)
        self.say(f"link {code}")
        self.assertTrue(
            UserContact.objects.filter(
                user=self.alice, channel=Channel.WHATSAPP, is_active=True
            ).exists()
        )


class WhatsAppSystemCheckTestCase(WhatsAppTestCase):
    def ids(self) -> list[str | None]:
        return [m.id for m in checks.run_checks()]

    @override_settings(TWILIO_TEMPLATES=TEMPLATES)
    def test_it_warns_about_what_is_missing(self) -> None:
        with override_settings(TWILIO_AUTH_TOKEN="", TWILIO_WHATSAPP_FROM=""):
            (warning,) = [m for m in checks.run_checks() if m.id == "messaging.W003"]
            self.assertIn("TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM", warning.msg)
        with override_settings(PUBLIC_URL=""):
            self.assertIn("messaging.W004", self.ids())
        self.assertNotIn("messaging.W003", self.ids())
        # No templates: a choice (replies still go out), so a notice, not a warning.
        (notice,) = [m for m in checks.run_checks() if m.id == "messaging.I005"]
        self.assertEqual(notice.level, checks.INFO)
        with override_settings(TWILIO_TEMPLATES={**TEMPLATES, ("reminder", "ru"): "HX" + "1" * 32}):
            self.assertNotIn("messaging.I005", self.ids())
