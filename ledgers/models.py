"""A ledger holds one set of books; people are its members, each with a role."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import money

INVITE_LIFETIME = timedelta(days=7)


class Ledger(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # RESTRICT: a person's personal ledger goes with them (personal_for), but a shared
    # ledger they own must be handed over before their account can go.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.RESTRICT, related_name="owned_ledgers"
    )
    default_currency = models.CharField(
        _("default currency"), max_length=3, default="RUB", validators=[money.validate_code]
    )
    # The one ledger made for a person on first need; unique, so that two requests
    # making it at once make one.
    personal_for = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_ledger",
    )
    # Bumped by every change to the ledger's categories or keywords. It is read with the
    # ledger (a bot token's lookup joins it), so the parser's per-process copy of the
    # categories is checked without a query of its own.
    categories_version = models.PositiveIntegerField(default=0, editable=False)
    # Set by the first budget plan and never cleared. Read with the ledger, it lets a
    # write to a ledger that has never had a plan skip deferring a budget check that
    # could find nothing to say (one INSERT fewer on every expense).
    has_budget = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")
        READONLY = "readonly", _("Read-only")

    ledger = models.ForeignKey(Ledger, models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ledger", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "ledger"], name="ledgers_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.ledger} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role != self.Role.READONLY

    @property
    def can_manage(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MANAGER)


class Invite(models.Model):
    """A single-use invitation into a ledger. Only the code's SHA-256 is stored."""

    ledger = models.ForeignKey(Ledger, models.CASCADE, related_name="invites")
    role = models.CharField(_("role"), max_length=8, choices=Membership.Role.choices)
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="owner"), name="ledgers_invite_not_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger}: {self.role}"

    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
