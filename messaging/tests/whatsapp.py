"""What the WhatsApp tests share: Twilio's settings, its webhook form, and its signature
made with the package's own `RequestValidator.compute_signature`."""

import itertools
import secrets
from typing import Any
from xml.etree import ElementTree

from django.test import override_settings
from twilio.request_validator import RequestValidator

from config.testing import BaseTestCase, clear_cache
from messaging.chat.receipts import PHOTO_TASK
from messaging.linking.codes import link_code_create, link_code_redeem
from messaging.linking.contacts import Account
from messaging.models import Channel, UserContact
from messaging.tests.helpers import forget_queue, run_queued

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "0f" * 16
SENDER = "whatsapp:+14155238886"
PUBLIC_URL = "https://kopilka.example.org"
WEBHOOK = "/webhooks/whatsapp/"
STATUS = "/webhooks/whatsapp/status/"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
ALICE_NUMBER = "79161234567"

TWILIO = override_settings(
    TWILIO_ACCOUNT_SID=ACCOUNT_SID,
    TWILIO_AUTH_TOKEN=AUTH_TOKEN,
    TWILIO_WHATSAPP_FROM=SENDER,
    TWILIO_WEBHOOK_KEY_SID="",
    TWILIO_WEBHOOK_KEY_SECRET="",
    PUBLIC_URL=PUBLIC_URL,
)
_sids = itertools.count(1)


def message_sid(prefix: str = "SM") -> str:
    return f"{prefix}{secrets.token_hex(12)}{next(_sids):08x}"


def inbound_form(
    text: str, *, number: str = ALICE_NUMBER, sid: str = "", **extra: str
) -> dict[str, str]:
    """An inbound WhatsApp message as Twilio posts it (its documented parameters)."""
    sid = sid or message_sid()
    form = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Alice",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": number,
        "SmsStatus": "received",
        "Body": text,
        "To": SENDER,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:+{number}",
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def twilio_message(sid: str, to: str, body: str = "", status: str = "queued") -> dict[str, Any]:
    """The Message resource Twilio answers a create with (201)."""
    return {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": "Tue, 01 Dec 2026 10:00:00 +0000",
        "date_sent": None,
        "date_updated": "Tue, 01 Dec 2026 10:00:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": SENDER,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": None,
        "sid": sid,
        "status": status,
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"
        },
        "to": to,
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
    }


def twilio_error(code: int, message: str, status: int = 400) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@TWILIO
class WhatsAppTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        clear_cache()  # wrong-code guesses are counted in the shared cache
        forget_queue()

    def sign(self, form: dict[str, str], url: str = "", token: str = AUTH_TOKEN, **kw: Any) -> str:
        return str(
            RequestValidator(token).compute_signature(url or PUBLIC_URL + WEBHOOK, form, **kw)
        )

    def post(self, form: dict[str, str], *, path: str = WEBHOOK, **headers: Any) -> Any:
        if "HTTP_X_TWILIO_SIGNATURE" not in headers:
            headers["HTTP_X_TWILIO_SIGNATURE"] = self.sign(form, PUBLIC_URL + path)
        response = self.client.post(path, form, **headers)
        # What the webhook leaves to the queue (a template sent again): as a worker would
        # (a photo's reading is the receipts tests' own to run).
        run_queued(skip={PHOTO_TASK})
        return response

    def say(self, text: str, **kw: Any) -> str:
        """Send `text` from Alice's number; the replies, as TwiML."""
        response = self.post(inbound_form(text, **kw))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/xml; charset=utf-8")
        return str(response.content.decode())

    def link_alice(self, number: str = ALICE_NUMBER) -> UserContact:
        issued = link_code_create(user=self.alice, channel=Channel.WHATSAPP, source="cli")
        return link_code_redeem(
            account=Account(
                channel=Channel.WHATSAPP,
                chat_id=f"whatsapp:+{number}",
                whatsapp_id=number,
                phone=f"+{number}",
            ),
            code=issued.code,
            source="whatsapp",
        )


def replies(twiml: str) -> list[str]:
    """The texts of a TwiML answer's <Message>s."""
    root = ElementTree.fromstring(twiml)
    assert root.tag == "Response", twiml
    return [m.text or "" for m in root.iter("Message")]
