from django.conf import settings
from django.db import models
from django.utils import timezone


class Source(models.TextChoices):
    WEB = "web"
    API = "api"
    BOT = "bot"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    MCP = "mcp"
    ADMIN = "admin"
    CLI = "cli"


class AuditLog(models.Model):
    """Append-only: the application never updates or deletes a row, and a database
    trigger (migration 0002) refuses UPDATE and DELETE.

    Foreign keys carry no database constraint and do nothing on delete, so a row
    outlives the user or token it names.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    action = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who acted, when not the user themselves (an operator in the admin).",
    )
    token = models.ForeignKey(
        "accounts.ApiToken",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    ledger = models.ForeignKey(
        "ledgers.Ledger",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    duration_ms = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "audit_log"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="audit_log_user_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.source} {self.action}"
