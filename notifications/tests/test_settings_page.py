from datetime import time

from django.core import mail

from config.testing import PASSWORD, BaseTestCase
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications.models import Notification, NotificationSettings
from notifications.tests.helpers import queued, run_queued

URL = "/settings/notifications/"

FORM = {
    "budget_alerts": "on",
    "thresholds": "75, 100",
    "monthly_report": "on",
    "report_time": "09:30",
    "daily_reminder": "on",
    "reminder_time": "22:15",
    "channel": "email",
}


class SettingsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_shows_the_defaults(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.initial["thresholds"], "80, 100")
        self.assertTrue(form.initial["budget_alerts"])
        self.assertTrue(form.initial["monthly_report"])
        self.assertTrue(form.initial["token_expiry"])
        self.assertFalse(form.initial["daily_reminder"])
        self.assertContains(response, "Отправить тестовое сообщение")
        self.assertContains(response, "Сейчас: Электронная почта.")

    def test_it_saves(self) -> None:
        response = self.client.post(URL, FORM)
        self.assertRedirects(response, URL)
        prefs = NotificationSettings.objects.get(user=self.alice)
        self.assertEqual(prefs.thresholds, [75, 100])
        self.assertEqual((prefs.reminder_time, prefs.report_time), (time(22, 15), time(9, 30)))
        self.assertTrue(prefs.daily_reminder)
        self.assertFalse(prefs.token_expiry)
        self.assertEqual(prefs.channel, "email")

    def test_it_rejects_bad_thresholds_and_writes_nothing(self) -> None:
        for thresholds in ["eighty", "0, 100", "80, 5000", ""]:
            with self.subTest(thresholds=thresholds):
                response = self.client.post(URL, {**FORM, "thresholds": thresholds})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)
        self.assertEqual(NotificationSettings.objects.get(user=self.alice).thresholds, [80, 100])

    def test_it_refuses_a_channel_that_is_not_set_up(self) -> None:
        response = self.client.post(URL, {**FORM, "channel": "telegram"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["channel"], ["Этот канал у вас ещё не настроен."]
        )
        self.assertEqual(NotificationSettings.objects.get(user=self.alice).channel, "")

    def test_the_test_button_sends_and_the_page_shows_the_result(self) -> None:
        response = self.client.post(URL + "test/")
        self.assertRedirects(response, URL)
        self.assertEqual(len(queued("notifications.deliver")), 1)
        run_queued()
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        response = self.client.get(URL)
        self.assertContains(response, "Тестовое сообщение")
        self.assertContains(response, "Отправлено")

    def test_test_messages_are_limited_per_hour(self) -> None:
        for _ in range(5):
            self.client.post(URL + "test/")
        response = self.client.post(URL + "test/", follow=True)
        self.assertContains(response, "Хватит тестовых сообщений на этот час")
        self.assertEqual(Notification.objects.filter(user=self.alice, kind="test").count(), 5)

    def test_reasons_read_in_the_readers_language(self) -> None:
        Notification.objects.create(
            user=self.alice,
            kind="daily_reminder",
            period="2026-12-01",
            status="skipped",
            error="No longer needed when its time came.",
        )
        self.assertContains(
            self.client.get(URL), "Не понадобилось: Уже не нужно, когда пришло время."
        )

    def test_it_rejects_get_on_the_test_button(self) -> None:
        self.assertEqual(self.client.get(URL + "test/").status_code, 405)

    def test_it_hides_other_users_notifications(self) -> None:
        Notification.objects.create(
            user=self.bob, kind="test", period="2026-12-01", subject="x", error="bobs-secret"
        )
        self.assertNotContains(self.client.get(URL), "bobs-secret")

    def test_a_turned_off_channel_says_why(self) -> None:
        UserContact.objects.create(
            user=self.alice, channel=MessagingChannel.TELEGRAM, telegram_id=1, chat_id="1"
        )
        NotificationSettings.objects.create(
            user=self.alice, telegram_disabled="Telegram 403: blocked"
        )
        self.assertContains(self.client.get(URL), "Telegram отключён: Telegram 403: blocked")

    def test_it_requires_login(self) -> None:
        self.client.logout()
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.client.login(username="alice", password=PASSWORD))
