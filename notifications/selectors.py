"""Reads for notifications: who is due now, and what a person was sent."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from notifications.models import Notification

# How late a daily reminder may still go out (a worker was down at the minute).
REMINDER_WINDOW_SECONDS = 3600

# Each due row as (user id, period). The user's local clock comes from their zone in SQL,
# so 10,000 people due at one minute are found by one statement, not 10,000 look-ups.
_DUE_REMINDERS = """
SELECT s.user_id, to_char(((%(now)s AT TIME ZONE u.timezone)
        - make_interval(secs => d.late))::date, 'YYYY-MM-DD')
FROM notifications_notificationsettings s
JOIN accounts_user u ON u.id = s.user_id
CROSS JOIN LATERAL (
    SELECT MOD(CAST(EXTRACT(EPOCH FROM ((%(now)s AT TIME ZONE u.timezone)::time
        - s.reminder_time)) AS int) + 86400, 86400) AS late
) d
WHERE u.is_active AND s.daily_reminder AND d.late < %(window)s
"""

# On the 1st (local), from the chosen time on: last month's report.
_DUE_REPORTS = """
SELECT s.user_id, to_char((%(now)s AT TIME ZONE u.timezone)::date - 1, 'YYYY-MM')
FROM notifications_notificationsettings s
JOIN accounts_user u ON u.id = s.user_id
WHERE u.is_active AND s.monthly_report
  AND extract(day FROM (%(now)s AT TIME ZONE u.timezone)) = 1
  AND (%(now)s AT TIME ZONE u.timezone)::time >= s.report_time
"""

# Live tokens that expire within the notice period and have no successor yet.
_DUE_TOKENS = """
SELECT t.user_id, to_char(t.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), t.id
FROM api_tokens t
JOIN notifications_notificationsettings s ON s.user_id = t.user_id
JOIN accounts_user u ON u.id = t.user_id
WHERE u.is_active AND s.token_expiry AND t.revoked_at IS NULL
  AND t.expires_at > %(now)s AND t.expires_at <= %(now)s + make_interval(days => %(days)s)
  AND NOT EXISTS (SELECT 1 FROM api_tokens n WHERE n.replaces_id = t.id)
"""


def _rows(sql: str, params: dict[str, Any]) -> Sequence[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: Sequence[tuple[Any, ...]] = cursor.fetchall()
        return rows


def due_reminders(*, now: datetime) -> list[tuple[int, str]]:
    rows = _rows(_DUE_REMINDERS, {"now": now, "window": REMINDER_WINDOW_SECONDS})
    return [(int(u), str(p)) for u, p in rows]


def due_reports(*, now: datetime) -> list[tuple[int, str]]:
    return [(int(u), str(p)) for u, p in _rows(_DUE_REPORTS, {"now": now})]


def due_token_notices(*, now: datetime, days: int) -> list[tuple[int, str, int]]:
    rows = _rows(_DUE_TOKENS, {"now": now, "days": days})
    return [(int(u), str(p), int(t)) for u, p, t in rows]


def notification_list(*, user: User, limit: int = 20) -> "QuerySet[Notification]":
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit]
