"""When a recurring rule falls due: its dates, from dateutil's rrule (RFC 5545's
recurrence rules). Pure: no Django, no clock; today is always passed in.

A monthly rule on the 29th-31st falls on the last day of a shorter month, and a yearly
one on 29 February on the 28th in other years: "the 31st" of someone's rent means the
month's end, not a month skipped.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dateutil import rrule

DAILY = "daily"
WEEKLY = "weekly"
MONTHLY = "monthly"
YEARLY = "yearly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY, YEARLY)
_RRULE_FREQUENCY: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    DAILY: rrule.DAILY,
    WEEKLY: rrule.WEEKLY,
    MONTHLY: rrule.MONTHLY,
    YEARLY: rrule.YEARLY,
}
# `day` of a monthly rule: the month's last day, whatever its number.
LAST_DAY = -1
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Schedule:
    """Every `interval` days, weeks, months or years from `start`: a monthly one on
    `day` (1-31 or LAST_DAY; default: the start's day), a weekly one on `weekday`
    (0 Monday - 6 Sunday; default: the start's), a yearly one on the start's day and
    month. It ends after `end` or after `count` dates (counted from `start`), or never."""

    frequency: str
    start: date
    interval: int = 1
    day: int | None = None
    weekday: int | None = None
    end: date | None = None
    count: int | None = None

    def _rule(self) -> rrule.rrule:
        options: dict[str, object] = {}
        if self.frequency == WEEKLY:
            options["byweekday"] = (
                self.weekday if self.weekday is not None else self.start.weekday()
            )
        elif self.frequency == MONTHLY:
            options.update(_month_day(self.day if self.day is not None else self.start.day))
        elif self.frequency == YEARLY:
            options["bymonth"] = self.start.month
            options.update(_month_day(self.start.day))
        if self.end is not None:
            options["until"] = _midnight(self.end)
        if self.count is not None:
            options["count"] = self.count
        return rrule.rrule(
            _RRULE_FREQUENCY[self.frequency],
            dtstart=_midnight(self.start),
            interval=self.interval,
            cache=False,
            **options,  # type: ignore[arg-type]
        )

    def first(self) -> date | None:
        """The first date, or None for a schedule that never falls due."""
        return self.on_or_after(self.start)

    def on_or_after(self, day: date) -> date | None:
        """The first date on or after `day` (None: the schedule has ended by then)."""
        found = self._rule().after(_midnight(day), inc=True)
        return found.date() if found is not None else None

    def after(self, day: date) -> date | None:
        """The first date after `day`."""
        return self.on_or_after(day + timedelta(days=1)) if day < date.max else None

    def between(self, first: date, last: date) -> list[date]:
        """The dates from `first` to `last`, both included."""
        if last < first:
            return []
        found = self._rule().between(_midnight(first), _midnight(last), inc=True)
        return [d.date() for d in found]


def _midnight(day: date) -> datetime:
    # rrule counts in datetimes; these are calendar days, in no zone at all.
    return datetime(day.year, day.month, day.day)  # noqa: DTZ001


def _month_day(day: int) -> dict[str, object]:
    """rrule's words for "on `day` of the month, or its last day when it is shorter":
    the last of the days 28..`day` that the month has."""
    if day == LAST_DAY:
        return {"bymonthday": -1}
    if day <= 28:
        return {"bymonthday": day}
    return {"bymonthday": tuple(range(28, day + 1)), "bysetpos": -1}
