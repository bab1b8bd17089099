from django.apps import AppConfig


class BotapiConfig(AppConfig):
    name = "botapi"
    verbose_name = "Bot API"

    def ready(self) -> None:
        # Load and compile every action's schema at start-up, not on the first request,
        # and register the token scheme with drf-spectacular.
        from botapi import actions, openapi  # noqa: F401
