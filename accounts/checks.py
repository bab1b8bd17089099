"""Deployment checks of our own, run by `manage.py check --deploy` with Django's."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Backends that do not deliver: a password-reset link sent through them lands in the
# server's log or memory, where it is a way into the account.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    if settings.EMAIL_CONSOLE_IN_PRODUCTION:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: password-reset links would be "
            "written to the log instead of being sent.",
            hint="Configure SMTP (EMAIL_BACKEND, EMAIL_HOST, ...), or set "
            "EMAIL_CONSOLE_IN_PRODUCTION=1 if that is really wanted.",
            id="kopilka.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRUST_X_REAL_IP and not settings.TRUSTED_PROXIES:
        return [
            Error(
                "TRUST_X_REAL_IP is on but TRUSTED_PROXIES is empty: no X-Real-IP is believed.",
                hint="List the proxy's address, e.g. TRUSTED_PROXIES=127.0.0.1,::1.",
                id="kopilka.E002",
            )
        ]
    return []
