"""The minute's schedule: daily reminders, monthly reports, bot tokens' expiry notices
and recurring rules' dates due now, each claimed once however many workers run it."""

from datetime import datetime

from notifications import preferences, recurring, selectors
from notifications.models import Kind
from notifications.outbox import Claim, claim_and_defer

TOKEN_NOTICE_DAYS = 7


def schedule_due(*, now: datetime) -> int:
    """Claim and queue everything due at `now`: reminders, reports, token notices, and
    the recurring rules' dates (recorded now, their notices queued)."""
    preferences.settings_ensure_all()
    count = len(recurring.post_due(now=now))
    count += len(
        claim_and_defer(
            kind=Kind.DAILY_REMINDER,
            claims=[Claim(u, p) for u, p in selectors.due_reminders(now=now)],
        )
    )
    count += len(
        claim_and_defer(
            kind=Kind.MONTHLY_REPORT,
            claims=[Claim(u, p) for u, p in selectors.due_reports(now=now)],
        )
    )
    notices = selectors.due_token_notices(now=now, days=TOKEN_NOTICE_DAYS)
    count += len(
        claim_and_defer(
            kind=Kind.TOKEN_EXPIRY, claims=[Claim(u, p, f"token:{t}") for u, p, t in notices]
        )
    )
    return count
