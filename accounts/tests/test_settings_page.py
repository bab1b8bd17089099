from audit.models import AuditLog
from config.testing import BaseTestCase


class SettingsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def test_it_shows_the_current_settings(self) -> None:
        response = self.client.get("/settings/")
        form = response.context["form"]
        self.assertEqual(form.initial["default_currency"], "RUB")
        self.assertEqual(form.initial["timezone"], "Europe/Moscow")

    def test_it_says_which_currency_suits_the_time_zone(self) -> None:
        self.alice.timezone = "Asia/Almaty"
        self.alice.save()
        response = self.client.get("/settings/")
        self.assertContains(response, "Предлагаем: KZT, потому что ваш часовой пояс — Asia/Almaty.")
        self.assertContains(response, "По нему считаются даты и «сегодня».")
        codes = [c for c, _label in response.context["form"].fields["default_currency"].choices]
        self.assertEqual(codes[:4], ["RUB", "USD", "EUR", "KZT"])
        self.assertNotIn("ADP", codes)

    def test_a_withdrawn_currency_already_chosen_stays_in_the_list(self) -> None:
        self.alice.default_currency = "BYR"
        self.alice.save()
        response = self.client.get("/settings/")
        codes = [c for c, _label in response.context["form"].fields["default_currency"].choices]
        self.assertEqual(codes[0], "BYR")

    def test_it_saves_and_audits(self) -> None:
        response = self.client.post(
            "/settings/",
            {"default_currency": "EUR", "timezone": "Asia/Tbilisi", "language": "en"},
        )
        self.assertRedirects(response, "/settings/", fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual(
            (self.alice.default_currency, self.alice.timezone, self.alice.language),
            ("EUR", "Asia/Tbilisi", "en"),
        )
        row = AuditLog.objects.get(action="user.settings")
        self.assertEqual((row.source, row.details["language"]), ("web", "en"))

    def test_it_refuses_bad_values_and_writes_nothing(self) -> None:
        response = self.client.post(
            "/settings/", {"default_currency": "XXQ", "timezone": "Nowhere", "language": "de"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            set(response.context["form"].errors), {"default_currency", "timezone", "language"}
        )
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.default_currency, "RUB")
        self.assertFalse(AuditLog.objects.filter(action="user.settings").exists())


class LanguageTestCase(BaseTestCase):
    def test_the_users_language_beats_the_browsers(self) -> None:
        self.client.force_login(self.alice)  # alice chose Russian
        response = self.client.get("/settings/", headers={"accept-language": "en"})
        self.assertContains(response, "Настройки")
        self.assertEqual(response["Content-Language"], "ru")

    def test_strangers_get_the_browsers_language(self) -> None:
        response = self.client.get("/login/", headers={"accept-language": "en-GB,en;q=0.9"})
        self.assertContains(response, "Log in")
        response = self.client.get("/login/", headers={"accept-language": "ru"})
        self.assertContains(response, "Войти")
