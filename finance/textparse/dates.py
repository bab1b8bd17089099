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
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from finance.textparse import words

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
    6: "воскресенье воскресение sunday",  # the second is a common misspelling
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
# `в пт`, `во вт`: Russian abbreviations, only after the preposition.
_WEEKDAY_ABBR = {0: "пн", 1: "вт", 2: "ср", 3: "чт", 4: "пт", 5: "сб", 6: "вс"}
WEEKDAYS = {form: n for n, forms in _WEEKDAY_FORMS.items() for form in forms.split()}
WEEKDAYS_SHORT = {form: n for n, forms in _WEEKDAY_SHORT.items() for form in forms.split()}
WEEKDAYS_SHORT |= {form: n for n, form in _WEEKDAY_ABBR.items()}

RELATIVE = {
    "сегодня": 0, "седня": 0, "сёдня": 0, "today": 0, "tonight": 0, "this morning": 0,
    "this afternoon": 0, "this evening": 0, "earlier today": 0,
    "вчера": 1, "yesterday": 1, "yday": 1, "last night": 1, "прошлой ночью": 1,
    "позавчера": 2, "day before yesterday": 2, "the day before yesterday": 2,
    "позапозавчера": 3,
}  # fmt: skip
# The words of RELATIVE that a slip of the finger still names: `вчра`, `yesturday`.
TYPO_RELATIVE = ("сегодня", "вчера", "позавчера", "today", "yesterday")
_UNITS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_RU_UNITS = (
    "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
    "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать"
)
NUMERALS = {
    **{w: n for n, w in enumerate(_UNITS.split(), 1)},
    **{w: n for n, w in enumerate(_RU_UNITS.split(), 1)},
    "a": 1, "an": 1, "одна": 1, "одну": 1, "две": 2, "пару": 2, "пара": 2, "couple": 2,
    "a couple": 2, "a couple of": 2, "couple of": 2, "twenty": 20, "thirty": 30,
    "двадцать": 20, "тридцать": 30,
}  # fmt: skip
_ORDINALS_EN = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_ORDINAL_STEMS_RU = (
    "перв втор треть четверт пят шест седьм восьм девят десят одиннадцат двенадцат "
    "тринадцат четырнадцат пятнадцат шестнадцат семнадцат восемнадцат девятнадцат двадцат"
)


def _ordinals() -> dict[str, int]:
    """Days of the month in words: `третьего`, `двадцать первое`, `the twenty-first`."""
    simple = {w: n for n, w in enumerate(_ORDINALS_EN.split(), 1)} | {"thirtieth": 30}
    for n, stem in enumerate(_ORDINAL_STEMS_RU.split(), 1):
        endings = ("ье", "ьего") if stem.endswith("ь") else ("ое", "ого")
        simple |= {stem.removesuffix("ь") + e: n for e in endings}
    simple |= {"тридцатое": 30, "тридцатого": 30}
    simple |= {w.replace("четверт", "четвёрт"): n for w, n in simple.items() if "четверт" in w}
    found = dict(simple)
    for tens, value in (("двадцать", 20), ("тридцать", 30), ("twenty", 20), ("thirty", 30)):
        for word, n in simple.items():
            if n < 10 and word.isascii() == tens.isascii() and value + n <= 31:
                found[f"{tens} {word}"] = found[f"{tens}-{word}"] = value + n
    return found


ORDINALS = _ordinals()
# Alone, `второго` is too often `the second one` to be a day.
_ORDINAL_ALONE = {w: n for w, n in ORDINALS.items() if not w.isascii() and n > 2}


# Currency signs (money.SYMBOLS; money imports words, which must not import dates).
_SIGNS = re.escape("$€£¥₽₸₴₺₾֏₼₹₩₪฿₫")


def _alternatives(words: Iterable[str]) -> str:
    """A pattern for any of the words, as a trie: `пят(?:ого|ое|ница|ницу)`.

    A flat `a|b|c` of a few hundred words makes the engine try each at every word of
    every text (~30 µs a text); the trie tries one letter at a time. Its optional tails are
    greedy, so `day before yesterday` still wins over `yesterday`.
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


# A week named relative to this one: `на прошлой неделе`, `the week before last`.
_WEEK = r"""(?P<{0}>
    (?:на\s+)?(?P<{0}_before>поза)?прошлой\s+недел[еи]
  | на\s+той\s+неделе
  | (?:the\s+)?week\s+before\s+last(?P<{0}_before_en>)
  | (?:on\s+)?last\s+week | of\s+last\s+week
  | (?P<{0}_this>на\s+этой\s+неделе|this\s+week)
)"""

_AGO_N = (
    r"\d{1,3}|(?:(?:twenty|thirty|двадцать|тридцать)[\s-]+)?(?:" + _alternatives(NUMERALS) + ")"
)
_AGO_UNITS = r"день|дня|дней|суток|недели|недель|месяца|месяцев|days?|weeks?|fortnights?|months?"

# The words a weekday expression may open with.
_WD_FIRST = _alternatives(
    {*WEEKDAYS, *WEEKDAYS_SHORT, "в", "во", "on", "last", "this", "past", "the", "на", "of"}
)

DATE_RE = re.compile(
    rf"""
    # Not inside a word; a word may follow digits (`такси350вчера`), digits may not.
    (?<![^\W\d_])(?:(?<!\d)|(?!\d))(?<!\d[.,])
    (?:
        (?P<iso>(?P<iso_y>\d{{4}})-(?P<iso_m>\d{{1,2}})-(?P<iso_d>\d{{1,2}}))
      | (?P<dmy>(?P<dmy_d>\d{{1,2}})[./](?P<dmy_m>\d{{1,2}})[./](?P<dmy_y>\d{{4}}|\d{{2}}))
      | (?P<dm>(?P<dm_d>\d{{1,2}})(?P<dm_sep>[./])(?P<dm_m>\d{{1,2}}))
      | (?P<ago>(?:(?P<ago_n>{_AGO_N})\s+(?P<ago_units>{_AGO_UNITS})
          # `дня три назад`: about three days ago
          | (?P<ago_units_first>{_AGO_UNITS})\s+(?P<ago_n_after>{_AGO_N})
          | (?P<ago_unit>день|сутки|неделю|месяц|day|week|fortnight|month))
            \s+(?:тому\s+)?(?:назад|ago|back))
      # `$25 Oct 30`: a number after a currency sign is money, not the day before a month.
      | (?P<named>(?<![{_SIGNS}])(?<![{_SIGNS}]\s)
            (?:(?P<named_d>\d{{1,2}})(?:-?(?:го|е|st|nd|rd|th))?|(?P<named_w>{_alternatives(ORDINALS)}))
            \s+(?:of\s+)?
            (?P<named_m>{_alternatives(MONTHS)})\.?
            (?P<named_y>\s+\d{{4}}(?:\s*(?:г\.|года|год|г)(?!\w))?)?)
      | (?P<en>(?P<en_m>{_alternatives(_EN_MONTHS)})\.?\s+(?P<en_d>\d{{1,2}})(?:st|nd|rd|th)?
            (?P<en_y>,?\s+\d{{4}})?)
      | (?P<nth>(?:on\s+)?the\s+(?:(?P<nth_d>\d{{1,2}})(?:st|nd|rd|th)|(?P<nth_w>{_alternatives(ORDINALS)}))
            (?!\s+(?:of\s+)?(?:{_alternatives(MONTHS)})(?!\w)))
      | (?P<chislo>(?:(?P<chislo_d>\d{{1,2}})(?:-?(?:го|е))?|(?P<chislo_w>{_alternatives(ORDINALS)}))
            \s+числа)
      | (?P<go>(?P<go_d>\d{{1,2}})-?го)
      | (?P<rel>{_alternatives(RELATIVE)})
      # The look-ahead lets most words fail at once: the branch is long to try (~1.5 µs).
      | (?=(?:{_WD_FIRST})(?![^\W\d_])|(?:поза)?прошл)(?P<wd>(?:{_WEEK.format("pre")}[\s,]+)?
            (?:(?P<wd_prep>в|во|on|last|this\s+past|past|this|the)\s+)?
            (?:(?P<wd_last>(?:поза)?прошл(?:ый|ую|ое|ой|ом|ая))\s+)?
            (?:(?P<wd_name>{_alternatives(WEEKDAYS)})
              | (?P<wd_short>{_alternatives(WEEKDAYS_SHORT)})\.?)
            (?:[\s,]+(?:(?P<wd_before_last>before\s+last)|{_WEEK.format("post")}))?)
      | {_WEEK.format("week")}
      | (?P<ordinal>{_alternatives(_ORDINAL_ALONE)})
    )
    (?!\w)(?![.,]\d)
    """,
    re.VERBOSE,
)
TIME_RE = re.compile(
    r"""
    \d(?<!\d\d)\d?  # one or two digits, not the end of a longer number
    (?: :\d{2}(?!\d)(?:\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w))?
      | (?:\.\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)
      | \s+(?:утра|вечера|ночи)(?!\w)
    )
    # `в 7 утра`, `к 9 часам`; `2 дня` alone is two days, `в 2 дня` two in the afternoon.
    | (?:[вк](?<![^\W\d_].)|(?:at|by)(?<![^\W\d_]..))\s+\d{1,2}(?:[:.]\d{2})?\s*
        (?:утра|вечера|дня|ночи|час[а-я]*|ч\.?|o'?clock)(?!\w)
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


def _weeks_back(m: re.Match[str], prefix: str) -> int | None:
    """How many weeks before this one a `_WEEK` group names, or None if it is absent."""
    if m[prefix] is None:
        return None
    if m[f"{prefix}_this"]:
        return 0
    return 2 if m[f"{prefix}_before"] or m[f"{prefix}_before_en"] is not None else 1


def _named_weekday(m: re.Match[str], today: date) -> date | None:
    """`в прошлую среду`, `на прошлой неделе в четверг`, `позапрошлая пятница`, `the friday
    before last`; None for an abbreviation with nothing to say it is a day (`sat`)."""
    if (
        m["wd_short"]
        and not (m["wd_prep"] or m["wd_last"] or m["pre"] or m["post"])
        and m.end() < len(m.string.rstrip(" .!"))
    ):
        return None  # `sat`, `wed`: verbs too, unless they end the text (`taxi 14 wed`)
    weekday = WEEKDAYS[m["wd_name"]] if m["wd_name"] else WEEKDAYS_SHORT[m["wd_short"]]
    weeks = _weeks_back(m, "pre")
    if weeks is None:
        weeks = _weeks_back(m, "post")
    if weeks is not None:
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(weeks=weeks) + timedelta(days=weekday)
    day = _weekday(weekday, today)
    last = m["wd_last"] or ""
    # Said on a Wednesday, `last Wednesday` and `в прошлую среду` are a week ago, not today.
    if day == today and (last or (m["wd_prep"] or "").endswith("last")):
        day -= timedelta(weeks=1)
    if last.startswith("поза") or m["wd_before_last"]:
        day -= timedelta(weeks=1)
    return day


def _months_back(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in range(today.day, 0, -1):
        if (found := _exact(year, month, day)) is not None:
            return found
    return today  # unreachable: every month has a 28th


def _ago(m: re.Match[str], today: date) -> date:
    raw = m["ago_n"] or m["ago_n_after"]
    if raw is None:
        n = 1
    elif raw.isdigit():
        n = int(raw)
    else:
        *tens, unit = raw.replace("-", " ").split()
        n = sum(NUMERALS[w] for w in tens) + NUMERALS.get(unit, 0)
        if unit not in NUMERALS:  # `a couple of`
            n = NUMERALS[" ".join(raw.split())]
    unit = m["ago_units"] or m["ago_units_first"] or m["ago_unit"]
    if unit.startswith(("мес", "month")):
        return _months_back(today, n)
    days = 14 if unit.startswith("fortnight") else 7 if unit.startswith(("нед", "week")) else 1
    return today - timedelta(days=n * days)


def find(text: str, today: date, tokens: list[str] | None = None) -> list[DateMatch]:
    """Every date expression in a lower-cased text, in order.

    `tokens`: the text's runs of letters (`words.LETTERS_RE`), if the caller has them.
    """
    if tokens is None:
        tokens = words.LETTERS_RE.findall(text)
    if not _DIGIT_DATE_RE.search(text) and _TRIGGERS.isdisjoint(tokens):
        return _slips(text, tokens, today)  # most texts name no day: skip the grammar (~15 µs)
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
            value = _ago(m, today)
        elif m["named"] or m["en"]:
            prefix = "named" if m["named"] else "en"
            if m["named_w"]:
                day = ORDINALS[" ".join(m["named_w"].split())]
            else:
                day = int(m[f"{prefix}_d"])
            month = MONTHS[m[f"{prefix}_m"]]
            if day > _LAST_DAY:
                continue  # `water bill for october 45`: money after a month, not its day
            stated_year = _plausible_year(m[f"{prefix}_y"], today)
            if m[f"{prefix}_y"] and stated_year is None:
                end = m.start(f"{prefix}_y")  # the number after the date is not its year
            if stated_year is None:
                value = _latest(day, month, today)
            else:
                value = _exact(stated_year, month, day)
        elif m["nth"] or m["chislo"] or m["go"] or m["ordinal"]:
            number = m["nth_d"] or m["chislo_d"] or m["go_d"]
            spelled = m["nth_w"] or m["chislo_w"] or m["ordinal"]
            day = int(number) if number else ORDINALS[" ".join(spelled.split())]
            value = _day_of_month(day, today)
        elif m["rel"]:
            value = today - timedelta(days=RELATIVE[" ".join(m["rel"].split())])
        elif m["wd"]:
            value = _named_weekday(m, today)
            if value is None:
                continue
        else:
            value = today - timedelta(weeks=_weeks_back(m, "week") or 0)
        found.append(DateMatch(start, end, value))
    if not found:
        found = _slips(text, tokens, today)
    return found


_SLIP_LENGTHS = (4, 10)
_LAST_DAY = 31
# A text holds a date only if it holds one of these words or digit shapes.
_DIGIT_DATE_RE = re.compile(r"\d[./-]\d|\d-?го|\d(?:st|nd|rd|th|е)(?!\w)")
_TRIGGERS = frozenset(
    {
        *MONTHS,
        *WEEKDAYS,
        *WEEKDAYS_SHORT,
        *ORDINALS,
        *(w for phrase in RELATIVE for w in phrase.split()[-1:]),
        *("назад", "ago", "back", "числа", "неделе", "недели", "week"),
    }
    - {"the", "a"}
)


def _slips(text: str, tokens: list[str], today: date) -> list[DateMatch]:
    """`вчра`, `позавчира`, `yesturday`: a relative day with one letter wrong."""
    for token in tokens:
        if _SLIP_LENGTHS[0] <= len(token) <= _SLIP_LENGTHS[1]:
            days = _relative_typo(token)
            if days is not None:
                m = re.search(rf"(?<![^\W\d_]){re.escape(token)}(?![^\W\d_])", text)
                if m is not None:
                    return [DateMatch(m.start(), m.end(), today - timedelta(days=days))]
    return []


@lru_cache(maxsize=4096)
def _relative_typo(token: str) -> int | None:
    typed = words.plain(token)
    if typed in RELATIVE or words.is_dictionary_word(typed):
        return None
    hit = process.extractOne(typed, TYPO_RELATIVE, scorer=OSA.distance, score_cutoff=1)
    if hit is None or hit[0][0] != typed[0]:
        return None
    return RELATIVE[hit[0]]
