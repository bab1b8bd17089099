"""finance.schedules: the dates a rule falls on (pure)."""

from datetime import date
from unittest import TestCase

from finance.schedules import LAST_DAY, Schedule


class ScheduleTestCase(TestCase):
    def test_monthly_on_the_31st_takes_the_last_day_of_shorter_months(self) -> None:
        rent = Schedule(frequency="monthly", start=date(2026, 1, 1), day=31)
        self.assertEqual(
            rent.between(date(2026, 1, 1), date(2026, 5, 31)),
            [
                date(2026, 1, 31),
                date(2026, 2, 28),
                date(2026, 3, 31),
                date(2026, 4, 30),
                date(2026, 5, 31),
            ],
        )

    def test_monthly_on_the_29th_and_30th_too(self) -> None:
        for day, february in ((29, date(2028, 2, 29)), (30, date(2028, 2, 29))):
            with self.subTest(day=day):
                rule = Schedule(frequency="monthly", start=date(2028, 1, 1), day=day)
                self.assertEqual(rule.on_or_after(date(2028, 2, 1)), february)
                self.assertEqual(rule.on_or_after(date(2028, 3, 1)), date(2028, 3, day))
        on_29 = Schedule(frequency="monthly", start=date(2027, 1, 1), day=29)
        self.assertEqual(on_29.on_or_after(date(2027, 2, 1)), date(2027, 2, 28))

    def test_the_last_day(self) -> None:
        rule = Schedule(frequency="monthly", start=date(2026, 1, 15), day=LAST_DAY)
        self.assertEqual(rule.first(), date(2026, 1, 31))
        self.assertEqual(rule.after(date(2026, 1, 31)), date(2026, 2, 28))

    def test_monthly_without_a_day_keeps_the_start_day(self) -> None:
        rule = Schedule(frequency="monthly", start=date(2026, 11, 20), interval=2)
        self.assertEqual(
            rule.between(date(2026, 11, 1), date(2027, 3, 31)),
            [date(2026, 11, 20), date(2027, 1, 20), date(2027, 3, 20)],
        )

    def test_weekly_on_a_weekday(self) -> None:
        # 2 November 2026 is a Monday; lessons on Fridays, every other week.
        lessons = Schedule(frequency="weekly", start=date(2026, 11, 2), weekday=4, interval=2)
        self.assertEqual(
            lessons.between(date(2026, 11, 1), date(2026, 12, 31)),
            [date(2026, 11, 6), date(2026, 11, 20), date(2026, 12, 4), date(2026, 12, 18)],
        )

    def test_yearly_on_29_february_falls_on_the_28th_in_common_years(self) -> None:
        rule = Schedule(frequency="yearly", start=date(2028, 2, 29))
        self.assertEqual(
            rule.between(date(2028, 1, 1), date(2032, 12, 31)),
            [
                date(2028, 2, 29),
                date(2029, 2, 28),
                date(2030, 2, 28),
                date(2031, 2, 28),
                date(2032, 2, 29),
            ],
        )

    def test_daily_every_three_days(self) -> None:
        rule = Schedule(frequency="daily", start=date(2026, 12, 30), interval=3)
        self.assertEqual(
            rule.between(date(2026, 12, 1), date(2027, 1, 8)),
            [date(2026, 12, 30), date(2027, 1, 2), date(2027, 1, 5), date(2027, 1, 8)],
        )

    def test_an_end_date_and_a_count_end_it(self) -> None:
        until = Schedule(frequency="monthly", start=date(2026, 1, 10), end=date(2026, 3, 10))
        self.assertEqual(until.after(date(2026, 3, 10)), None)
        self.assertEqual(len(until.between(date(2026, 1, 1), date(2027, 1, 1))), 3)
        three = Schedule(frequency="weekly", start=date(2026, 11, 2), count=3)
        self.assertEqual(three.between(date(2026, 1, 1), date(2027, 1, 1))[-1], date(2026, 11, 16))
        self.assertIsNone(three.on_or_after(date(2026, 11, 17)))

    def test_a_schedule_that_never_falls_due(self) -> None:
        # Fridays, from a Monday to the Wednesday after.
        never = Schedule(
            frequency="weekly", start=date(2026, 11, 2), weekday=4, end=date(2026, 11, 4)
        )
        self.assertIsNone(never.first())
        self.assertEqual(never.between(date(2026, 1, 1), date(2027, 1, 1)), [])

    def test_between_an_empty_range(self) -> None:
        rule = Schedule(frequency="daily", start=date(2026, 1, 1))
        self.assertEqual(rule.between(date(2026, 2, 2), date(2026, 2, 1)), [])
