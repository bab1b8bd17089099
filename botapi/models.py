from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A bot request's idempotency key, claimed before its action runs, with its result.

    Keys are per user. A row is claimed and its response stored in the same database
    transaction as the action's writes, so a stored row always has its response.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    action = models.CharField(max_length=64)
    # SHA-256 of the canonical action and payload: the same key with another request
    # is refused instead of replaying the wrong answer.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The body as JSON text, not jsonb: jsonb reorders keys, and a replay must be the
    # same body, byte for byte, as the first answer.
    response = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="botapi_idempotencykey_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.action})"
