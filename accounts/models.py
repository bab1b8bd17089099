import zoneinfo
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import money

if TYPE_CHECKING:
    from ledgers.models import Membership


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone."),
            code="unknown_timezone",
            params={"value": value},
        )


class User(AbstractUser):
    class Language(models.TextChoices):
        RU = "ru", "Русский"
        EN = "en", "English"

    default_currency = models.CharField(
        _("default currency"), max_length=3, default="RUB", validators=[money.validate_code]
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RU
    )
    # Where what the person records goes unless they say otherwise; None until first need.
    active_ledger = models.ForeignKey(
        "ledgers.Ledger", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> date:
        return timezone.now().astimezone(self.tz()).date()


class Scope(models.TextChoices):
    EXPENSES_WRITE = "expenses:write", _("Record and delete expenses")
    INCOMES_WRITE = "incomes:write", _("Record and delete incomes")
    BUDGETS_WRITE = "budgets:write", _("Plan the monthly budget")
    SUMMARIES_READ = "summaries:read", _("Read monthly summaries and categories")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: datetime | None = None) -> "ApiTokenQuerySet":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A per-user bot token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    # The books the token acts in; what it may do there is the lesser of its scopes
    # and its owner's role.
    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    scopes = ArrayField(models.CharField(max_length=32, choices=Scope.choices))
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )

    # The owner's membership of the token's ledger, read with the token by
    # `api_token_authenticate` (None when they are no longer a member).
    membership: "Membership | None" = None

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "api_tokens"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="accounts_apitoken_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now: datetime | None = None) -> str:
        """One of "active", "expired" and "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.status(now) == "active"
