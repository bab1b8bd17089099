from django.conf import settings


def test_settings_come_from_the_environment() -> None:
    assert settings.SECRET_KEY.startswith("insecure-test")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
