"""Voice messages to the Telegram bot: the webhook claims and queues them, the queue's
job fetches (getFile), has the speech service transcribe them and answers the words as
typed text is answered, showing what was heard."""

import json
from decimal import Decimal
from typing import Any

import httpx
import respx
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, override_settings

from finance.models import Transaction
from ledgers.tests.household import HouseholdTestCase
from messaging import speech, telegram, voice
from messaging.chat import router
from messaging.linking import groups
from messaging.models import Conversation, InboundUpdate, Message
from messaging.tests.helpers import (
    ALICE_TG,
    STRANGER_TG,
    TelegramTestCase,
    api_url,
    message,
    run_queued,
    update,
)
from messaging.tests.voice import (
    SPEECH_SETTINGS,
    STT_KEY,
    TRANSCRIPTIONS,
    file_url,
    get_file_answer,
    hear_jobs,
    multipart_fields,
    ogg_bytes,
    transcript,
    voice_object,
)

GROUP_ID = -1001234567890
GROUP = {"id": GROUP_ID, "title": "Семья", "type": "supergroup"}


def voice_update(*, sender: int = ALICE_TG, **voice_fields: Any) -> dict[str, Any]:
    chat = voice_fields.pop("chat", None)
    found = voice_object(**voice_fields)
    return update("message", None, **message(None, sender=sender, chat=chat, voice=found))


@override_settings(**SPEECH_SETTINGS)
class VoiceTestCase(TelegramTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.audio = ogg_bytes()
        self.get_file = self.mock.post(api_url("getFile")).mock(side_effect=get_file_answer)
        self.files = self.mock.get(url__regex=r"https://telegram\.test/file/.*").mock(
            side_effect=lambda request: httpx.Response(200, content=self.audio)
        )
        self.stt = self.mock.post(TRANSCRIPTIONS)
        self.stt.mock(return_value=transcript("кофе 250"))

    def hear(self, *, last_try: bool = False) -> list[bool]:
        """Run the queued voice jobs, as a worker would (`last_try`: the queue's last)."""
        results = []
        for job in hear_jobs():
            with self.captureOnCommitCallbacks(execute=True):
                results.append(telegram.hear(job["args"]["update"], last_try=last_try))
            self.delete_job(job["id"])
        run_queued()  # the replies, sent by the queue as the webhook's are
        return results

    def delete_job(self, job_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job_id])


class PrivateVoiceTestCase(VoiceTestCase):
    def test_the_webhook_queues_it_and_the_job_records_what_was_heard(self) -> None:
        self.link(self.alice)
        sent = voice_update()
        response = self.post(sent)
        self.assertEqual(response.status_code, 200)
        # Answered at once: nothing fetched, heard or sent inside the webhook.
        self.assertFalse(self.get_file.called or self.stt.called or self.send_route.called)
        (job,) = hear_jobs()
        self.assertEqual(job["args"], {"channel": "telegram", "update": sent})

        self.assertEqual(self.hear(), [True])
        (tx,) = Transaction.objects.all()
        self.assertEqual((tx.amount, tx.category.slug), (Decimal("250.00"), "cafe"))
        self.assertEqual(tx.created_by, self.alice)
        reply = self.last_sent()
        self.assertTrue(reply["text"].startswith("Услышал: «кофе 250»\nЗаписал: 250"), reply)
        self.assertIn("Отменить", [text for text, _data in self.buttons(reply)])
        # The transcript is kept with the message; the audio is not.
        incoming = Message.objects.get(direction=Message.Direction.IN)
        self.assertEqual(incoming.text, "кофе 250")
        self.assertEqual(incoming.transaction_id, tx.pk)

    def test_the_service_gets_the_audio_the_model_the_language_and_the_key(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.hear()
        request = self.stt.calls.last.request
        self.assertEqual(request.headers["Authorization"], f"Bearer {STT_KEY}")
        fields = multipart_fields(request)
        self.assertEqual(fields["file"], self.audio)
        self.assertEqual(fields["model"], b"whisper-1")
        self.assertEqual(fields["language"], b"ru")
        self.assertIn(b'filename="voice.ogg"', request.content)
        self.assertEqual(self.files.calls.last.request.url, file_url(self.get_file_calls()[0]))

    def get_file_calls(self) -> list[str]:
        return [json.loads(c.request.content)["file_id"] for c in self.get_file.calls]

    def test_whispers_capitals_and_punctuation_are_read_as_typed_text(self) -> None:
        self.link(self.alice)
        self.stt.mock(return_value=transcript("Такси, 480 рублей."))
        self.post(voice_update())
        self.hear()
        tx = Transaction.objects.get()
        self.assertEqual((tx.amount, tx.category.slug), (Decimal("480.00"), "transport"))

    def test_a_question_asked_aloud_is_answered_as_its_command(self) -> None:
        self.link(self.alice)
        self.say("кофе 250")
        self.stt.mock(return_value=transcript("Сколько я потратил в этом месяце?"))
        self.post(voice_update())
        self.hear()
        reply = self.last_sent()["text"]
        self.assertTrue(reply.startswith("Услышал: «Сколько я потратил в этом месяце?»\n"))
        self.assertIn("250", reply)
        self.assertEqual(Transaction.objects.count(), 1)
        typed = self.say("Сколько я потратил в этом месяце?")["text"]
        self.assertEqual(reply.split("\n", 1)[1], typed)

    def test_a_mishearing_is_corrected_by_a_reply_as_typed_text_is(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.hear()
        confirmation = self.last_message_id()
        self.say("300", reply_to=confirmation)
        tx = Transaction.objects.get()
        self.assertEqual(tx.amount, Decimal("300.00"))

    def test_english_speakers_are_heard_in_english(self) -> None:
        self.link(self.alice, language="en")
        self.stt.mock(return_value=transcript("coffee 4.50"))
        self.post(voice_update())
        self.hear()
        self.assertEqual(multipart_fields(self.stt.calls.last.request)["language"], b"en")
        self.assertTrue(self.last_sent()["text"].startswith("Heard: “coffee 4.50”\nRecorded:"))

    def test_a_failing_service_is_tried_again_by_the_queue_then_heard(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.stt.mock(side_effect=[httpx.Response(503), httpx.ConnectTimeout("slow")])
        for _attempt in range(2):
            (job,) = hear_jobs()
            with self.assertRaises(voice.Unheard):
                telegram.hear(job["args"]["update"], last_try=False)
        # Nothing recorded, nothing said, the answer not claimed: the job stays to retry.
        self.assertFalse(Transaction.objects.exists() or self.send_route.called)
        self.assertFalse(InboundUpdate.objects.filter(update_id__startswith="heard:").exists())
        self.stt.mock(return_value=transcript("такси 400"))
        self.assertEqual(self.hear(), [True])
        self.assertEqual(Transaction.objects.get().amount, Decimal("400.00"))
        self.assertEqual(self.stt.call_count, 3)
        self.assertEqual(self.send_route.call_count, 1)

    def test_the_last_failed_try_tells_the_person_and_keeps_the_message(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.stt.mock(return_value=httpx.Response(502))
        self.assertEqual(self.hear(last_try=True), [True])
        self.assertFalse(Transaction.objects.exists())
        self.assertIn("не смог прослушать", self.last_sent()["text"])
        incoming = Message.objects.get(direction=Message.Direction.IN)
        self.assertEqual(incoming.text, "(голосовое сообщение)")

    def test_audio_the_service_refuses_is_told_at_once(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.stt.mock(return_value=httpx.Response(400, json={"error": {"message": "bad"}}))
        self.assertEqual(self.hear(last_try=False), [True])
        self.assertIn("не смог прослушать", self.last_sent()["text"])
        self.assertEqual(self.stt.call_count, 1)

    def test_silence_is_said_to_be_silence(self) -> None:
        self.link(self.alice)
        self.post(voice_update())
        self.stt.mock(return_value=transcript("  "))
        self.hear()
        self.assertIn("не услышал слов", self.last_sent()["text"])
        self.assertFalse(Transaction.objects.exists())

    def test_a_job_run_twice_answers_once(self) -> None:
        self.link(self.alice)
        sent = voice_update()
        self.post(sent)
        self.hear()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertFalse(telegram.hear(sent, last_try=False))
        self.assertEqual(self.send_route.call_count, 1)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_redelivered_update_is_queued_once(self) -> None:
        self.link(self.alice)
        sent = voice_update()
        self.post(sent)
        self.post(sent)
        self.assertEqual(len(hear_jobs()), 1)

    def test_longer_than_two_minutes_is_refused_kindly_and_never_fetched(self) -> None:
        self.link(self.alice)
        self.post(voice_update(duration=121))
        self.assertIn("длиннее", self.last_sent()["text"])
        self.assertEqual(hear_jobs(), [])
        self.assertFalse(self.get_file.called or self.stt.called)

    def test_larger_than_5_mb_is_refused_kindly_and_never_fetched(self) -> None:
        self.link(self.alice)
        self.post(voice_update(duration=60, size=5 * 1024 * 1024 + 1))
        self.assertIn("длиннее", self.last_sent()["text"])
        self.assertEqual(hear_jobs(), [])
        self.assertFalse(self.get_file.called)

    def test_a_file_larger_than_it_said_is_refused_kindly(self) -> None:
        self.link(self.alice)
        self.post(voice_update(size=None))
        self.audio = bytes(5 * 1024 * 1024 + 10)
        self.hear()
        self.assertIn("длиннее", self.last_sent()["text"])
        self.assertFalse(self.stt.called)

    @override_settings(SPEECH_TO_TEXT_URL="")
    def test_without_a_service_the_person_is_asked_to_type(self) -> None:
        self.link(self.alice)
        response = self.post(voice_update())
        self.assertEqual(response.status_code, 200)
        self.assertIn("пока не умею слушать", self.last_sent()["text"])
        self.assertEqual(hear_jobs(), [])
        self.assertFalse(self.get_file.called or self.stt.called)
        self.assertTrue(Conversation.objects.filter(user=self.alice).exists())

    def test_an_audio_file_is_heard_under_its_own_name(self) -> None:
        self.link(self.alice)
        audio = {
            "file_id": "CQACAgIAAxkBAAIaudio1",
            "file_unique_id": "AgADaudio1",
            "duration": 5,
            "performer": "Alice",
            "file_name": "memo.mp3",
            "mime_type": "audio/mpeg",
            "file_size": 4000,
        }
        self.post(update("message", None, **message(None, audio=audio)))
        self.hear()
        request = self.stt.calls.last.request
        self.assertIn(b'filename="memo.mp3"', request.content)
        self.assertIn(b"Content-Type: audio/mpeg", request.content)
        self.assertEqual(Transaction.objects.count(), 1)

    def test_a_stranger_is_told_how_to_link_and_their_audio_is_not_sent(self) -> None:
        self.post(voice_update(sender=STRANGER_TG))
        self.assertIn("не привязан", self.last_sent()["text"])
        self.assertEqual(hear_jobs(), [])

    def test_telegram_poll_queues_a_voice_message_as_the_webhook_does(self) -> None:
        self.link(self.alice)
        sent = voice_update()
        self.mock.post(api_url("deleteWebhook")).respond(json={"ok": True, "result": True})
        self.mock.post(api_url("setMyCommands")).respond(json={"ok": True, "result": True})
        self.mock.post(api_url("getUpdates")).respond(json={"ok": True, "result": [sent]})
        call_command("telegram_poll", "--once", stdout=None)
        self.assertEqual([j["args"]["update"] for j in hear_jobs()], [sent])
        self.hear()
        self.assertEqual(Transaction.objects.count(), 1)


class GroupVoiceTestCase(VoiceTestCase, HouseholdTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link(self.alice, ALICE_TG)
        groups.group_link(
            user=self.alice, ledger=self.home, chat_id=GROUP_ID, title="Семья", source="cli"
        )

    def test_a_member_speaks_in_the_group_and_it_is_recorded_as_theirs(self) -> None:
        self.post(voice_update(chat=GROUP))
        self.hear()
        tx = Transaction.objects.get()
        self.assertEqual((tx.ledger_id, tx.created_by), (self.home.pk, self.alice))
        reply = self.last_sent()
        self.assertEqual(reply["chat_id"], GROUP_ID)
        self.assertTrue(reply["text"].startswith("Услышал: «кофе 250»"), reply)

    def test_a_failure_in_the_group_is_told_to_the_member(self) -> None:
        self.post(voice_update(chat=GROUP))
        self.stt.mock(return_value=httpx.Response(500))
        self.hear(last_try=True)
        self.assertIn("не смог прослушать", self.last_sent()["text"])
        self.assertEqual(self.last_sent()["chat_id"], GROUP_ID)

    def test_talk_heard_in_the_group_gets_no_answer(self) -> None:
        self.stt.mock(return_value=transcript("встречаемся у входа"))
        self.post(voice_update(chat=GROUP))
        self.hear()
        self.assertFalse(self.send_route.called)

    def test_strangers_voices_in_the_group_are_not_sent_to_the_service(self) -> None:
        self.post(voice_update(sender=STRANGER_TG, chat=GROUP))
        self.assertEqual(hear_jobs(), [])
        self.assertFalse(self.send_route.called)


class QuestionsTestCase(SimpleTestCase):
    def test_questions_in_words_are_their_commands_and_records_are_not(self) -> None:
        asked = {
            "Сколько я потратил в этом месяце?": "month",
            "сколько мы потратили за месяц": "month",
            "А сколько я уже потратила?": "month",
            "How much did I spend this month?": "month",
            "Как там мой бюджет?": "budget",
            "how is our budget doing": "budget",
        }
        for text, name in asked.items():
            self.assertEqual(router.command(text), router.Command(name), text)
        for text in ("кофе 250", "сколько стоит такси 300", "бюджет 5000", "потратил 250"):
            self.assertIsNone(router.command(text), text)


@override_settings(**{**SPEECH_SETTINGS, "SPEECH_TO_TEXT_KEY": ""})
class SpeechServiceTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.mock = respx.mock(assert_all_called=False)
        self.mock.start()
        self.addCleanup(self.mock.stop)
        self.route = self.mock.post(TRANSCRIPTIONS)

    def transcribe(self) -> str:
        return speech.transcribe(
            ogg_bytes(), filename="voice.ogg", content_type="audio/ogg", language="ru"
        )

    def test_it_reads_the_text_and_sends_no_key_when_none_is_set(self) -> None:
        self.route.mock(return_value=transcript(" Кофе   250.\n"))
        self.assertEqual(self.transcribe(), "Кофе 250.")
        self.assertNotIn("Authorization", self.route.calls.last.request.headers)

    def test_what_may_pass_and_what_will_not(self) -> None:
        answers = {
            httpx.Response(429): False,
            httpx.Response(408): False,
            httpx.Response(500): False,
            httpx.Response(200, text="<html>"): False,
            httpx.Response(200, json={"error": "x"}): False,
            httpx.Response(401): True,
            httpx.Response(413): True,
        }
        for answer, permanent in answers.items():
            self.route.mock(return_value=answer)
            with self.assertRaises(speech.SpeechError) as raised:
                self.transcribe()
            self.assertEqual(raised.exception.permanent, permanent, answer)
        self.route.mock(side_effect=httpx.ReadTimeout("slow"))
        with self.assertRaises(speech.SpeechError) as raised:
            self.transcribe()
        self.assertFalse(raised.exception.permanent)
