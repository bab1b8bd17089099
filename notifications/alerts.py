"""Budget alerts: after a write, tell each member of the ledger who wants it that a
category's spending has passed one of their thresholds of its monthly plan."""

import logging
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.models import User
from finance.rates.lookup import MissingExchangeRate
from finance.selectors.summary import CategoryLine, MonthlySummary, monthly_summary
from ledgers.models import Ledger, Membership
from notifications import preferences, texts
from notifications.models import Kind, Notification, NotificationSettings
from notifications.outbox import Claim, claim_and_defer, claim_skipped

logger = logging.getLogger(__name__)

# Stored in English on the rows not sent (see outbox's reasons).
SUPERSEDED = gettext_noop(
    "A higher threshold was passed by the same write: only that one was sent."
)


def alert_subject(*, ledger_id: int, category_id: int, threshold: int) -> str:
    return f"ledger:{ledger_id}:category:{category_id}:{threshold}"


def budget_check(*, ledger: Ledger | int, month: date) -> list[int]:
    """Claim an alert for each threshold the ledger's spending in `month` has passed, for
    each member who wants alerts (at their own thresholds, in their own language), and
    send the highest one newly passed per category and member (the lower ones are
    marked not needed)."""
    ledger_id = ledger if isinstance(ledger, int) else ledger.pk
    members = [
        m.user
        for m in Membership.objects.filter(ledger_id=ledger_id, user__is_active=True)
        .select_related("user", "user__notification_settings")
        .order_by("user_id")
    ]
    wanting = [(user, preferences.settings_of(user)) for user in members]
    wanting = [(user, prefs) for user, prefs in wanting if prefs.budget_alerts]
    if not wanting:
        return []
    try:
        # The ledger's figures are the same for every member: read them once, as one.
        summary = monthly_summary(user=wanting[0][0], ledger=ledger_id, month=month)
    except MissingExchangeRate as e:
        logger.warning("notifications: no budget check for ledger %s: %s", ledger_id, e.messages)
        return []
    period = f"{month:%Y-%m}"
    # Someone in more than one ledger is told which one's budget this is.
    named = _in_several_ledgers([user.pk for user, _prefs in wanting])
    name = Ledger.objects.values_list("name", flat=True).get(pk=ledger_id) if named else ""
    sent: list[int] = []
    for line in summary.categories:
        if line.kind != "expense" or line.planned <= 0:
            continue
        for user, prefs in wanting:
            sent += _alert_member(
                user=user,
                prefs=prefs,
                ledger_id=ledger_id,
                ledger_name=name if user.pk in named else "",
                line=line,
                summary=summary,
                month=month,
                period=period,
            )
    return sent


def _in_several_ledgers(user_ids: list[int]) -> set[int]:
    several = (
        Membership.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(ledgers=Count("id"))
        .filter(ledgers__gt=1)
        .order_by()
    )
    return {row["user_id"] for row in several}


def _alert_member(
    *,
    user: User,
    prefs: NotificationSettings,
    ledger_id: int,
    ledger_name: str,
    line: CategoryLine,
    summary: MonthlySummary,
    month: date,
    period: str,
) -> list[int]:
    crossed = [t for t in prefs.thresholds if line.spent * 100 >= line.planned * t]
    if not crossed:
        return []
    subjects = {
        t: alert_subject(ledger_id=ledger_id, category_id=line.category.id, threshold=t)
        for t in crossed
    }
    with transaction.atomic():
        taken = set(
            Notification.objects.filter(
                user=user,
                kind=Kind.BUDGET_ALERT,
                period=period,
                subject__in=list(subjects.values()),
            ).values_list("subject", flat=True)
        )
        new = [t for t in crossed if subjects[t] not in taken]
        if not new:
            return []
        top = max(new)
        lower = [Claim(user.pk, period, subjects[t], "") for t in new if t != top]
        if lower:
            claim_skipped(kind=Kind.BUDGET_ALERT, claims=lower, why=SUPERSEDED)
        with translation.override(user.language):
            text = texts.budget_alert(
                line, summary.currency, month=month, today=user.today(), ledger=ledger_name
            )
        return claim_and_defer(
            kind=Kind.BUDGET_ALERT, claims=[Claim(user.pk, period, subjects[top], text)]
        )
