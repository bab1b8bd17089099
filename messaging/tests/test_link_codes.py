import io
from datetime import timedelta

import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from accounts.services import user_create
from audit.models import AuditLog
from config.testing import at_once
from messaging.linking.codes import CODE_ALPHABET, code_hash, link_code_create, link_code_redeem
from messaging.linking.contacts import Account
from messaging.models import LinkCode, UserContact
from messaging.tests.helpers import ALICE_TG, STRANGER_TG, TELEGRAM_SETTINGS, TelegramTestCase


def account(telegram_id: int = ALICE_TG) -> Account:
    return Account(channel="telegram", chat_id=str(telegram_id), telegram_id=telegram_id)


class LinkCodeCreateTestCase(TelegramTestCase):
    def test_it_makes_an_eight_character_code_stored_only_hashed(self) -> None:
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        self.assertEqual(len(issued.code), 8)
        self.assertTrue(set(issued.code) <= set(CODE_ALPHABET))
        self.assertFalse(set("0O1I") & set(CODE_ALPHABET))
        link = LinkCode.objects.get()
        self.assertEqual(link.code_hash, code_hash(issued.code))
        self.assertNotIn(issued.code, link.code_hash)
        self.assertEqual(link.expires_at - link.created_at, timedelta(minutes=10))
        row = AuditLog.objects.get(action="link_code.create")
        self.assertNotIn(issued.code, str(row.details))

    def test_a_new_code_retires_the_previous_one(self) -> None:
        first = link_code_create(user=self.alice, channel="telegram", source="web")
        second = link_code_create(user=self.alice, channel="telegram", source="web")
        with self.assertRaises(ValidationError) as raised:
            link_code_redeem(account=account(), code=first.code, source="telegram")
        self.assertEqual(raised.exception.code, "code_expired")
        self.assertEqual(
            link_code_redeem(account=account(), code=second.code, source="telegram").user,
            self.alice,
        )

    def test_an_expired_code_is_refused(self) -> None:
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        later = timezone.now() + timedelta(minutes=10, seconds=1)
        with time_machine.travel(later), self.assertRaises(ValidationError) as raised:
            link_code_redeem(account=account(), code=issued.code, source="telegram")
        self.assertEqual(raised.exception.code, "code_expired")
        self.assertFalse(UserContact.objects.exists())

    def test_a_code_is_single_use(self) -> None:
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        link_code_redeem(account=account(), code=issued.code, source="telegram")
        with self.assertRaises(ValidationError) as raised:
            link_code_redeem(account=account(STRANGER_TG), code=issued.code, source="telegram")
        self.assertEqual(raised.exception.code, "code_used")

    def test_a_code_is_bound_to_its_channel(self) -> None:
        issued = link_code_create(user=self.alice, channel="whatsapp", source="web")
        with self.assertRaises(ValidationError) as raised:
            link_code_redeem(account=account(), code=issued.code, source="telegram")
        self.assertEqual(raised.exception.code, "code_wrong")

    def test_more_than_five_wrong_codes_are_refused_for_a_while(self) -> None:
        for _ in range(5):
            reply = self.say("/link WRONG234", sender=STRANGER_TG)
            self.assertIn("неверный", reply["text"].lower())
        issued = link_code_create(user=self.alice, channel="telegram", source="web")
        # Even the right code is refused now...
        reply = self.say(f"/link {issued.code}", sender=STRANGER_TG)
        self.assertIn("Слишком много", reply["text"])
        self.assertFalse(UserContact.objects.exists())
        # ...and another chat is not affected.
        self.say(f"/link {issued.code}")
        self.assertEqual(UserContact.objects.get().telegram_id, ALICE_TG)

    def test_the_command_prints_only_the_code(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command("create_link_code", user="alice", channel="telegram", stdout=out, stderr=err)
        code = out.getvalue().strip()
        self.assertRegex(code, f"^[{CODE_ALPHABET}]{{8}}$")
        self.assertEqual(LinkCode.objects.get().code_hash, code_hash(code))
        self.assertNotIn(code, err.getvalue())


@override_settings(**TELEGRAM_SETTINGS)
class ConcurrentRedemptionTestCase(TransactionTestCase):
    def test_two_redemptions_of_one_code_at_once_exactly_one_wins(self) -> None:
        user = user_create(username="carol", password="x" * 20, source="cli")
        issued = link_code_create(user=user, channel="telegram", source="web")
        results = at_once(
            2,
            lambda n: link_code_redeem(
                account=account(STRANGER_TG + n), code=issued.code, source="telegram"
            ),
        )
        won = [r for r in results if isinstance(r, UserContact)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual((len(won), len(lost)), (1, 1), results)
        self.assertEqual(lost[0].code, "code_used")
        self.assertEqual(UserContact.objects.count(), 1)
