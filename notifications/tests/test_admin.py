from django.contrib.auth.models import Permission

from config.testing import BaseTestCase
from notifications.models import Notification


class NotificationAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.alice.is_staff = True
        self.alice.save(update_fields=["is_staff"])
        self.alice.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="notifications")
        )
        self.client.force_login(self.alice)
        self.notification = Notification.objects.create(
            user=self.bob,
            kind="test",
            period="2026-12-01",
            subject="a",
            status="failed",
            error="Telegram 403: Forbidden: bot was blocked by the user",
        )

    def test_it_lists_sent_and_failed_notifications(self) -> None:
        response = self.client.get("/admin/notifications/notification/")
        self.assertContains(response, "bot was blocked by the user")

    def test_it_is_read_only(self) -> None:
        url = f"/admin/notifications/notification/{self.notification.pk}/change/"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="_save"')
        self.client.post(url, {"status": "sent"})
        self.notification.refresh_from_db()
        self.assertEqual(self.notification.status, "failed")
        self.assertEqual(self.client.get("/admin/notifications/notification/add/").status_code, 403)
        delete = f"/admin/notifications/notification/{self.notification.pk}/delete/"
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(Notification.objects.filter(pk=self.notification.pk).exists())
