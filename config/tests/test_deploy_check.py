import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kopilka.example.org",
        CSRF_TRUSTED_ORIGINS="https://kopilka.example.org",
        # Both messengers and the speech service set up: without them `check` notes each
        # is off (messaging.I001, I003, I006); see test_a_server_without_messengers_passes.
        TELEGRAM_BOT_TOKEN="123456:production-token",
        TELEGRAM_WEBHOOK_SECRET=secrets.token_urlsafe(32),
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_WHATSAPP_FROM="whatsapp:+14155238886",
        TWILIO_TEMPLATE_REMINDER_RU="HX" + "0" * 32,
        PUBLIC_URL="https://kopilka.example.org",
        SPEECH_TO_TEXT_URL="http://stt.internal:8000/v1",
    )
    return env


def test_check_deploy_is_clean_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = production_environment()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**production_environment(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_with_the_console_email_backend() -> None:
    console = "django.core.mail.backends.console.EmailBackend"
    refused = deploy_check(EMAIL_BACKEND=console)
    assert refused.returncode != 0
    assert "password-reset links would be written to the log" in refused.stderr
    allowed = deploy_check(EMAIL_BACKEND=console, EMAIL_CONSOLE_IN_PRODUCTION="1")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_check_deploy_refuses_backends_that_do_not_deliver() -> None:
    for backend in ["filebased", "locmem", "dummy"]:
        result = deploy_check(EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend")
        assert result.returncode != 0, backend
        assert "kopilka.E001" in result.stdout + result.stderr, backend
    allowed = deploy_check(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        EMAIL_CONSOLE_IN_PRODUCTION="1",
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_production_mail_defaults_to_smtp() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend"


def test_trusting_x_real_ip_needs_a_proxy_address() -> None:
    result = deploy_check(TRUST_X_REAL_IP="1", TRUSTED_PROXIES=" ")
    assert "kopilka.E002" in result.stdout + result.stderr
    bad = deploy_check(TRUSTED_PROXIES="not-an-address")
    assert "TRUSTED_PROXIES must list addresses" in bad.stderr


MESSENGER_SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_WHATSAPP_FROM",
    "TWILIO_TEMPLATE_REMINDER_RU",
    "SPEECH_TO_TEXT_URL",
)


def without_messengers(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in production_environment().items() if k not in MESSENGER_SETTINGS}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_server_without_messengers_passes() -> None:
    # Telegram and WhatsApp off by choice: said once each, as notes, and no failure.
    result = without_messengers()
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "INFOS:" in output and "WARNINGS:" not in output, output
    assert output.count("(messaging.I001) TELEGRAM_BOT_TOKEN is not set") == 1
    assert output.count("(messaging.I003)") == 1
    # So are voice messages: the speech service is the operator's choice.
    assert output.count("(messaging.I006) SPEECH_TO_TEXT_URL is not set") == 1
    # WhatsApp without message templates is a choice too (replies work, reminders wait).
    whatsapp = without_messengers(
        TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        TWILIO_AUTH_TOKEN=secrets.token_hex(16),
        TWILIO_WHATSAPP_FROM="whatsapp:+14155238886",
    )
    assert whatsapp.returncode == 0, whatsapp.stdout + whatsapp.stderr
    assert "messaging.I005" in whatsapp.stdout + whatsapp.stderr


def test_a_half_configured_messenger_fails() -> None:
    # A token without the webhook's secret: the webhook refuses every update.
    telegram = without_messengers(TELEGRAM_BOT_TOKEN="123456:production-token")
    assert telegram.returncode != 0
    assert "messaging.W002" in telegram.stderr
    # Part of Twilio's settings: WhatsApp is off though the operator meant it on.
    whatsapp = without_messengers(TWILIO_ACCOUNT_SID="AC" + "0" * 32)
    assert whatsapp.returncode != 0
    assert "(messaging.W003) TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM not set" in whatsapp.stderr
