"""finance.readers.schedule_words: how often, in a person's words (pure)."""

from unittest import TestCase

from finance.readers.schedule_words import LAST_DAY, ScheduleWords, read


class ScheduleWordsTestCase(TestCase):
    def test_the_issues_examples(self) -> None:
        cases = {
            "каждый месяц 1-го аренда 45000": ScheduleWords("monthly", 1, "аренда 45000", day=1),
            "every friday piano lesson 40": ScheduleWords(
                "weekly", 1, "piano lesson 40", weekday=4
            ),
            "ежегодно 15 марта страховка 12000": ScheduleWords(
                "yearly", 1, "страховка 12000", day=15, month=3
            ),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(read(text, strict=True), expected)

    def test_more_ways_to_say_it(self) -> None:
        cases = {
            "Каждые 2 недели по пятницам уборка 3000": ("weekly", 2, None, 4, "уборка 3000"),
            "every 2 weeks on friday cleaning 50": ("weekly", 2, None, 4, "cleaning 50"),
            "раз в два месяца стрижка 1500": ("monthly", 2, None, None, "стрижка 1500"),
            "каждое 5-е число интернет 600": ("monthly", 1, 5, None, "интернет 600"),
            "5-го числа каждого месяца интернет 600": ("monthly", 1, 5, None, "интернет 600"),
            "ежемесячно в последний день ипотека 30000": (
                "monthly",
                1,
                LAST_DAY,
                None,
                "ипотека 30000",
            ),
            "every month on the 31st rent 900": ("monthly", 1, 31, None, "rent 900"),
            "каждые 3 дня корм 300": ("daily", 3, None, None, "корм 300"),
            "каждый квартал налог 5000": ("monthly", 3, None, None, "налог 5000"),
            "every other week, mowing 20": ("weekly", 2, None, None, "mowing 20"),
            "каждое воскресенье рынок 2000": ("weekly", 1, None, 6, "рынок 2000"),
            "netflix 799 every month": ("monthly", 1, None, None, "netflix 799"),
            "every last day of the month mortgage 900": (
                "monthly",
                1,
                LAST_DAY,
                None,
                "mortgage 900",
            ),
            "mortgage 900 on the last day of each month": (
                "monthly",
                1,
                LAST_DAY,
                None,
                "mortgage 900",
            ),
        }
        for text, (frequency, interval, day, weekday, rest) in cases.items():
            with self.subTest(text=text):
                words = read(text, strict=True)
                assert words is not None
                self.assertEqual(
                    (words.frequency, words.interval, words.day, words.weekday, words.rest),
                    (frequency, interval, day, weekday, rest),
                )

    def test_a_yearly_date_in_english(self) -> None:
        for text in (
            "every year on March 15 insurance 120",
            "every year on 15 March insurance 120",
            "every year on the 15th of March insurance 120",
        ):
            with self.subTest(text=text):
                words = read(text)
                self.assertEqual(
                    (words.month, words.day, words.rest) if words else None,
                    (3, 15, "insurance 120"),
                )

    def test_plain_records_are_no_schedule(self) -> None:
        for text in (
            "кофе 250",
            "такси 300 в пятницу",
            "taxi 300 on friday",
            "15 марта 500 подарок",
            "аренда 45000 1-го",
            "the last day of the month party 500",
        ):
            with self.subTest(text=text):
                self.assertIsNone(read(text, strict=True))

    def test_a_bare_adjective_is_a_schedule_only_when_one_was_asked_for(self) -> None:
        self.assertIsNone(read("monthly pass 2900", strict=True))
        words = read("monthly pass 2900")
        self.assertEqual((words.frequency, words.rest) if words else None, ("monthly", "pass 2900"))

    def test_a_day_that_does_not_exist_is_left_in_the_text_and_said(self) -> None:
        words = read("каждый месяц 45-го аренда 100")
        assert words is not None
        self.assertEqual((words.day, words.no_such_day), (None, True))
        words = read("ежегодно 30 февраля налог 100")
        assert words is not None
        self.assertEqual((words.month, words.no_such_day), (None, True))
        for text in ("каждый месяц аренда 100", "ежегодно налог 100", "каждый месяц 31-го 100"):
            with self.subTest(text=text):
                words = read(text)
                self.assertFalse(words.no_such_day if words else True)

    def test_an_interval_is_as_said(self) -> None:
        words = read("every 0 days coffee 5")
        self.assertEqual((words.frequency, words.interval) if words else None, ("daily", 0))

    def test_two_weekdays_are_said(self) -> None:
        for text in (
            "каждый вторник и четверг теннис 1500",
            "по вторникам и четвергам теннис 1500",
            "every monday and thursday gym 10",
            "on mondays, thursdays gym 10",
        ):
            with self.subTest(text=text):
                words = read(text, strict=True)
                self.assertTrue(words.several_weekdays if words else False)
        words = read("каждый вторник теннис 1500 и четверг", strict=True)
        self.assertFalse(words.several_weekdays if words else True)
