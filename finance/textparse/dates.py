"""Dates inside a text: a small grammar instead of dateparser.

dateparser knows far more phrasings, but it costs milliseconds a call (and more on
some inputs) where this grammar costs microseconds, and a chat backend parses on
the request path. The grammar covers what the contract lists: сегодня/вчера/
позавчера, `N дней назад`, weekdays, `15.11`, `15.11.2026`, `15 ноября`, `Nov 15`,
`2026-11-15`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH_FORMS = {
    1: "январь января январе янв january jan",
    2: "февраль февраля феврале фев февр february feb",
    3: "март марта марте мар march mar",
    4: "апрель апреля апреле апр april apr",
    5: "май мая мае may",
    6: "июнь июня июне июн june jun",
    7: "июль июля июле июл july jul",
    8: "август августа августе авг august aug",
    9: "сентябрь сентября сентябре сен сент september sep sept",
    10: "октябрь октября октябре окт october oct",
    11: "ноябрь ноября ноябре ноя нояб november nov",
    12: "декабрь декабря декабре дек december dec",
}
MONTHS = {form: n for n, forms in _MONTH_FORMS.items() for form in forms.split()}
_EN_MONTHS = {form: n for form, n in MONTHS.items() if form.isascii()}

_WEEKDAY_FORMS = {
    0: "понедельник monday",
    1: "вторник tuesday",
    2: "среда среду wednesday",
    3: "четверг thursday",
    4: "пятница пятницу friday",
    5: "суббота субботу saturday",
    6: "воскресенье sunday",
}
_WEEKDAY_SHORT = {
    0: "mon",
    1: "tue tues",
    2: "wed",
    3: "thu thur thurs",
    4: "fri",
    5: "sat",
    6: "sun",
}
WEEKDAYS = {form: n for n, forms in _WEEKDAY_FORMS.items() for form in forms.split()}
WEEKDAYS_SHORT = {form: n for n, forms in _WEEKDAY_SHORT.items() for form in forms.split()}

RELATIVE = {
    "сегодня": 0,
    "today": 0,
    "вчера": 1,
    "yesterday": 1,
    "позавчера": 2,
    "day before yesterday": 2,
    "the day before yesterday": 2,
}
NUMERALS = {
    "a": 1, "an": 1, "one": 1, "один": 1, "одна": 1, "одну": 1,
    "two": 2, "два": 2, "две": 2, "пару": 2, "пара": 2,
    "three": 3, "три": 3, "four": 4, "четыре": 4, "five": 5, "пять": 5,
    "six": 6, "шесть": 6, "seven": 7, "семь": 7,
}  # fmt: skip


# Currency signs (money.SYMBOLS; money imports words, which must not import dates).
_SIGNS = re.escape("$€£¥₽₸₴₺₾֏₼₹₩₪฿₫")


def _alternatives(words: Iterable[str]) -> str:
    # Longest first, so `day before yesterday` wins over `yesterday`.
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


DATE_RE = re.compile(
    rf"""
    (?<!\w)(?<!\d[.,])
    (?:
        (?P<iso>(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}}))
      | (?P<dmy>(?P<dmy_d>\d{{1,2}})[./](?P<dmy_m>\d{{1,2}})[./](?P<dmy_y>\d{{4}}|\d{{2}}))
      | (?P<dm>(?P<dm_d>\d{{1,2}})(?P<dm_sep>[./])(?P<dm_m>\d{{1,2}}))
      | (?P<ago>(?:(?P<ago_n>\d{{1,3}}|{_alternatives(NUMERALS)})\s+
            (?P<ago_units>день|дня|дней|суток|недели|недель|days?|weeks?)
          | (?P<ago_unit>день|сутки|неделю|day|week))  # `неделю назад`, not `350 неделю`
            \s+(?:назад|ago))
      # `$25 Oct 30`: a number after a currency sign is money, not the day before a month.
      | (?P<named>(?<![{_SIGNS}])(?<![{_SIGNS}]\s)(?P<named_d>\d{{1,2}})(?:-?(?:го|е|st|nd|rd|th))?\s+(?:of\s+)?
            (?P<named_m>{_alternatives(MONTHS)})\.?
            (?P<named_y>\s+\d{{4}}(?:\s*(?:г\.|года|год|г)(?!\w))?)?)
      | (?P<en>(?P<en_m>{_alternatives(_EN_MONTHS)})\.?\s+(?P<en_d>\d{{1,2}})(?:st|nd|rd|th)?
            (?P<en_y>,?\s+\d{{4}})?)
      | (?P<nth>(?:on\s+)?the\s+(?P<nth_d>\d{{1,2}})(?:st|nd|rd|th)
            (?!\s+(?:of\s+)?(?:{_alternatives(MONTHS)})(?!\w)))
      | (?P<chislo>(?P<chislo_d>\d{{1,2}})(?:-?(?:го|е))?\s+числа)
      | (?P<rel>{_alternatives(RELATIVE)})
      | (?P<wd>(?:(?:в|во|on|last)\s+)?(?:прошл(?:ый|ую|ое|ой|ом)\s+)?
            (?P<wd_name>{_alternatives(WEEKDAYS)}))
      | (?P<wds>(?:on|last)\s+(?P<wds_name>{_alternatives(WEEKDAYS_SHORT)})\.?)
    )
    (?!\w)(?![.,]\d)
    """,
    re.VERBOSE,
)
TIME_RE = re.compile(
    r"""
    (?<!\d)\d{1,2}:\d{2}(?!\d)
    | (?<!\d)\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)
    # `в 7 утра`, `к 9 часам`; `2 дня` alone is two days, `в 2 дня` two in the afternoon.
    | (?:(?<=\s)|^)(?:в|к|at|by)\s+\d{1,2}(?:[:.]\d{2})?\s*
        (?:утра|вечера|дня|ночи|час[а-я]*|ч\.?|o'?clock)(?!\w)
    | (?<!\d)\d{1,2}\s+(?:утра|вечера|ночи)(?!\w)
    """,
    re.VERBOSE,
)
_YEAR_RE = re.compile(r"\d{4}")


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: date | None  # None: the words name a day that does not exist (`31 ноября`)
    soft: bool = False  # `15.11` with no year: an amount (15.11) when no other number is


def _latest(day: int, month: int, today: date) -> date | None:
    """The latest day/month not after today, or None if no year has that day (`30.02`)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _day_of_month(day: int, today: date) -> date | None:
    """`on the 5th`, `5 числа`: the latest such day of a month not after today."""
    year, month = today.year, today.month
    for _ in range(12):
        candidate = _exact(year, month, day)
        if candidate is not None and candidate <= today:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _exact(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _plausible_year(text: str | None, today: date) -> int | None:
    """A year next to a date, if it is one; `15 ноября 4500` is a date and an amount."""
    if not text:
        return None
    year = int(_YEAR_RE.search(text)[0])  # type: ignore[index]
    return year if today.year - 50 <= year <= today.year + 1 else None


def _weekday(weekday: int, today: date) -> date:
    # The contract: `в понедельник`, `on monday` and `last monday` alike mean the latest
    # such day not after today.
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def find(text: str, today: date) -> list[DateMatch]:
    """Every date expression in a lower-cased text, in order."""
    found = []
    for m in DATE_RE.finditer(text):
        start, end = m.span()
        value: date | None
        if m["iso"]:
            value = _exact(int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"]))
        elif m["dmy"]:
            short = int(m["dmy_y"])
            value = _exact(short + 2000 if short < 100 else short, int(m["dmy_m"]), int(m["dmy_d"]))
        elif m["dm"]:
            day, month = int(m["dm_d"]), int(m["dm_m"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue  # `4.75` is money, never a date
            value = _latest(day, month, today)
            if value is None:
                continue
            # `15/11` cannot be money; `15.11` can.
            found.append(DateMatch(start, end, value, soft=m["dm_sep"] == "."))
            continue
        elif m["ago"]:
            raw = m["ago_n"]
            n = 1 if raw is None else int(raw) if raw.isdigit() else NUMERALS[raw]
            unit = m["ago_units"] or m["ago_unit"]
            value = today - timedelta(days=n * 7 if unit.startswith(("нед", "week")) else n)
        elif m["named"] or m["en"]:
            prefix = "named" if m["named"] else "en"
            day, month = int(m[f"{prefix}_d"]), MONTHS[m[f"{prefix}_m"]]
            stated_year = _plausible_year(m[f"{prefix}_y"], today)
            if m[f"{prefix}_y"] and stated_year is None:
                end = m.start(f"{prefix}_y")  # the number after the date is not its year
            if stated_year is None:
                value = _latest(day, month, today)
            else:
                value = _exact(stated_year, month, day)
        elif m["nth"] or m["chislo"]:
            value = _day_of_month(int(m["nth_d"] or m["chislo_d"]), today)
        elif m["rel"]:
            value = today - timedelta(days=RELATIVE[" ".join(m["rel"].split())])
        elif m["wd"]:
            value = _weekday(WEEKDAYS[m["wd_name"]], today)
        else:
            value = _weekday(WEEKDAYS_SHORT[m["wds_name"]], today)
        found.append(DateMatch(start, end, value))
    return found
