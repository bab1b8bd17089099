"""How often, in a person's words: "каждый месяц 1-го", "every friday", "ежегодно 15
марта", "раз в два месяца", "every 2 weeks on friday". Pure: no Django, no clock.

`read` finds the schedule's words, says what they mean, and gives back the rest of the
text ("аренда 45000"), which the text parser reads as any record's text. `strict`
(the chat's reading, where any line may be an expense) takes only what cannot be
anything else: "every"/"каждый", "раз в", "ежемесячно"; a bare "monthly" ("monthly pass
2900") is a schedule only when the caller asked for one.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

DAILY, WEEKLY, MONTHLY, YEARLY = "daily", "weekly", "monthly", "yearly"
LAST_DAY = -1

_NUMBERS = {
    "other": 2,
    "два": 2,
    "две": 2,
    "двух": 2,
    "три": 3,
    "трёх": 3,
    "трех": 3,
    "четыре": 4,
    "четырёх": 4,
    "четырех": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
    "десять": 10,
    "одиннадцать": 11,
    "двенадцать": 12,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
# A unit, and how many of the frequency's steps it is (a quarter: three months).
_UNITS = {
    **dict.fromkeys(["день", "дня", "дней", "сутки", "day", "days"], (DAILY, 1)),
    **dict.fromkeys(["неделю", "недели", "недель", "неделя", "week", "weeks"], (WEEKLY, 1)),
    **dict.fromkeys(["месяц", "месяца", "месяцев", "month", "months"], (MONTHLY, 1)),
    **dict.fromkeys(["квартал", "квартала", "кварталов", "quarter", "quarters"], (MONTHLY, 3)),
    **dict.fromkeys(["год", "года", "лет", "year", "years"], (YEARLY, 1)),
}
_ADVERBS = {
    "ежедневно": (DAILY, 1),
    "еженедельно": (WEEKLY, 1),
    "ежемесячно": (MONTHLY, 1),
    "ежеквартально": (MONTHLY, 3),
    "ежегодно": (YEARLY, 1),
}
# Words that name a schedule only where one was asked for.
_ADJECTIVES = {
    "daily": (DAILY, 1),
    "weekly": (WEEKLY, 1),
    "fortnightly": (WEEKLY, 2),
    "biweekly": (WEEKLY, 2),
    "monthly": (MONTHLY, 1),
    "quarterly": (MONTHLY, 3),
    "yearly": (YEARLY, 1),
    "annually": (YEARLY, 1),
}
# Each weekday as "каждую пятницу"/"every friday" say it, and as "по пятницам" does.
_WEEKDAY_FORMS = {
    0: ("понедельник monday", "понедельникам"),
    1: ("вторник tuesday", "вторникам"),
    2: ("среду wednesday", "средам"),
    3: ("четверг thursday", "четвергам"),
    4: ("пятницу friday", "пятницам"),
    5: ("субботу saturday", "субботам"),
    6: ("воскресенье sunday", "воскресеньям"),
}
WEEKDAYS = {form: n for n, (forms, _plural) in _WEEKDAY_FORMS.items() for form in forms.split()}
_WEEKDAYS_PLURAL = {plural: n for n, (_forms, plural) in _WEEKDAY_FORMS.items()} | {
    f"{form}s": n for form, n in WEEKDAYS.items() if form.isascii()
}
_MONTH_FORMS = {
    1: "января january jan",
    2: "февраля february feb",
    3: "марта march mar",
    4: "апреля april apr",
    5: "мая may",
    6: "июня june jun",
    7: "июля july jul",
    8: "августа august aug",
    9: "сентября september sep sept",
    10: "октября october oct",
    11: "ноября november nov",
    12: "декабря december dec",
}
MONTHS = {form: n for n, forms in _MONTH_FORMS.items() for form in forms.split()}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _any(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_NUMBER = rf"(?:\d{{1,3}}|{_any(_NUMBERS)})"
_EVERY = r"(?:кажд(?:ый|ую|ое|ые|ого|ой)|every|each)"
_B, _E = r"(?<![\w])", r"(?![\w])"

_EVERY_UNIT = re.compile(rf"{_B}{_EVERY}\s+(?:(?P<n>{_NUMBER})\s+)?(?P<unit>{_any(_UNITS)}){_E}")
_ONCE_IN = re.compile(rf"{_B}раз\s+в\s+(?:(?P<n>{_NUMBER})\s+)?(?P<unit>{_any(_UNITS)}){_E}")
_ADVERB = re.compile(rf"{_B}(?P<word>{_any(_ADVERBS)}){_E}")
_ADJECTIVE = re.compile(rf"{_B}(?P<word>{_any(_ADJECTIVES)}){_E}")
_EVERY_WEEKDAY = re.compile(
    rf"{_B}(?:{_EVERY}\s+(?P<day>{_any(WEEKDAYS)})|(?:по|on)\s+(?P<days>{_any(_WEEKDAYS_PLURAL)})){_E}"
)
# Another weekday right after the first ("вторник и четверг", "mondays and thursdays").
_AND_WEEKDAY = re.compile(rf"\s*(?:и|and|,|&)\s*(?:{_any(WEEKDAYS)}|{_any(_WEEKDAYS_PLURAL)}){_E}")
_ON_WEEKDAY = re.compile(rf"{_B}(?:в|во|on)\s+(?P<day>{_any(WEEKDAYS)}){_E}")
# "каждое 5-е число", "every 5th": a monthly schedule said by its day alone.
_EVERY_NTH = re.compile(
    rf"{_B}(?:кажд(?:ое|ого)\s+(?P<ru>\d{{1,2}})\s*-?\s*(?:го|ое|ого|е)?\s+числ(?:а|о)"
    rf"|every\s+(?P<en>\d{{1,2}})(?:st|nd|rd|th)){_E}"
)
_LAST_DAY = re.compile(
    rf"{_B}(?:(?:в\s+)?последн(?:ий|его|ее)\s+(?:день|числа|число)(?:\s+месяца)?"
    r"|в\s+конце\s+месяца"
    r"|(?:on\s+)?the\s+last\s+day(?:\s+of\s+(?:the|each|every)\s+month)?"
    rf"|at\s+the\s+end\s+of\s+(?:the|each|every)\s+month){_E}"
)
# "every last day of the month", "on the last day of each month": monthly, said by its day
# alone ("в последний день каждого месяца" is already "каждого месяца").
_EVERY_LAST_DAY = re.compile(
    rf"{_B}(?:every\s+last\s+day\s+of\s+the\s+month"
    rf"|(?:on\s+)?the\s+last\s+day\s+of\s+(?:each|every)\s+month){_E}"
)
_MONTH_DAY = re.compile(
    rf"{_B}(?:"
    r"(?:кажд(?:ое|ого)\s+)?(?P<ru>\d{1,2})\s*(?:-\s*)?(?:го|е|ое|ого)?\s+числ(?:а|о)"
    r"|(?P<ru_ordinal>\d{1,2})\s*-?\s*(?:го|ое|ого|е)"
    r"|on\s+(?:the\s+)?(?:day\s+)?(?P<en_on>\d{1,2})(?:st|nd|rd|th)?"
    r"|(?:the\s+)?(?P<en_ordinal>\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:the|each|every)\s+month)?"
    rf"){_E}"
)
_DATE = re.compile(
    rf"{_B}(?:"
    rf"(?:on\s+)?(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_any(MONTHS)})"
    rf"|(?:on\s+)?(?P<month2>{_any(MONTHS)})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"){_E}"
)
_EDGES = " ,.;:-–—"


@dataclass(frozen=True)
class ScheduleWords:
    """What the words say: every `interval` units of `frequency`; a monthly schedule's
    `day` (1-31 or LAST_DAY), a weekly one's `weekday` (0 Monday), a yearly one's
    `month` and `day`. `rest` is the text without them. `interval` is as said ("every 0
    days" is 0), and `no_such_day` says the words name a day no month has ("40-го",
    "30 февраля"): what the caller refuses, rather than read the number as an amount;
    `several_weekdays`, that they name more than one weekday ("вторник и четверг"), which
    one rule cannot keep."""

    frequency: str
    interval: int
    rest: str
    day: int | None = None
    weekday: int | None = None
    month: int | None = None
    no_such_day: bool = False
    several_weekdays: bool = False


def _number(word: str | None) -> int:
    if not word:
        return 1
    return int(word) if word.isdigit() else _NUMBERS[word]


def read(text: str, *, strict: bool = False) -> ScheduleWords | None:
    """The schedule `text` states, or None when it states none."""
    # Lowered letter by letter, so that every position is one in what was typed (a few
    # letters grow when lowered: `İ`).
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    spans: list[tuple[int, int]] = []
    frequency: tuple[str, int] | None = None
    weekday: int | None = None

    for pattern in (_EVERY_UNIT, _ONCE_IN):
        match = pattern.search(lowered)
        if match and frequency is None:
            unit, steps = _UNITS[match["unit"]]
            frequency = (unit, _number(match["n"]) * steps)
            spans.append(match.span())
    if frequency is None:
        match = _ADVERB.search(lowered) or (None if strict else _ADJECTIVE.search(lowered))
        if match:
            frequency = {**_ADVERBS, **_ADJECTIVES}[match["word"]]
            spans.append(match.span())
    several_weekdays = False
    match = _EVERY_WEEKDAY.search(lowered)
    if match and (frequency is None or frequency[0] == WEEKLY):
        weekday = WEEKDAYS[match["day"]] if match["day"] else _WEEKDAYS_PLURAL[match["days"]]
        frequency = frequency or (WEEKLY, 1)
        spans.append(match.span())
    elif frequency is not None and frequency[0] == WEEKLY:
        match = _ON_WEEKDAY.search(lowered)
        if match:
            weekday = WEEKDAYS[match["day"]]
            spans.append(match.span())
    if weekday is not None and match is not None:
        several_weekdays = _AND_WEEKDAY.match(lowered, match.end()) is not None
    day: int | None = None
    month: int | None = None
    if frequency is None and (match := _EVERY_LAST_DAY.search(lowered)):
        frequency, day = (MONTHLY, 1), LAST_DAY
        spans.append(match.span())
    if frequency is None:
        match = _EVERY_NTH.search(lowered)
        if match is None or not 1 <= int(match["ru"] or match["en"]) <= 31:
            return None
        frequency, day = (MONTHLY, 1), int(match["ru"] or match["en"])
        spans.append(match.span())

    unit, interval = frequency
    no_such_day = False
    if unit == MONTHLY and day is None:
        day, span = _month_day(lowered)
        if span:
            spans.append(span)
        else:
            no_such_day = any(_MONTH_DAY.finditer(lowered))
    elif unit == YEARLY:
        month, day, span = _date(lowered)
        if span:
            spans.append(span)
        else:
            no_such_day = any(_DATE.finditer(lowered))
    return ScheduleWords(
        frequency=unit,
        interval=interval,
        rest=_without(text, spans),
        day=day,
        weekday=weekday,
        month=month,
        no_such_day=no_such_day,
        several_weekdays=several_weekdays,
    )


def _month_day(lowered: str) -> tuple[int | None, tuple[int, int] | None]:
    last = _LAST_DAY.search(lowered)
    if last:
        return LAST_DAY, last.span()
    for match in _MONTH_DAY.finditer(lowered):
        value = next(v for v in match.groups() if v is not None)
        if 1 <= int(value) <= 31:
            return int(value), match.span()
    return None, None


def _date(lowered: str) -> tuple[int | None, int | None, tuple[int, int] | None]:
    for match in _DATE.finditer(lowered):
        month = MONTHS[match["month"] or match["month2"]]
        day = int(match["day"] or match["day2"])
        if 1 <= day <= _DAYS_IN_MONTH[month - 1]:
            return month, day, match.span()
    return None, None, None


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans cut out (lowering kept every position: the cuts are
    made in what the person typed)."""
    kept, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(text[position:start])
            position = end
    kept.append(text[position:])
    return " ".join(" ".join(kept).split()).strip(_EDGES)
