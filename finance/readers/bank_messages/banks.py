"""The banks whose notifications are known, as data: a new bank is one more entry here.

`markers` are how a bank names itself in its texts (a signature, an app's title line);
`starts` are how its notifications begin when the name is left out (Sber's
`MIR-1234 12:34`), which also tells where one ends and the next begins in a paste of
several; `parties` find the merchant where the generic rules would not (Alfa-Bank's
`RU/MOSCOW/PYATEROCHKA`); `month_first` reads `11/22/2026` the American way. Everything
else is read by the generic rules, which are also what an unknown sender's text gets:
figures and their labels (figures.py), the words for each operation (kinds.py), cards and
dates (fields.py), and the merchant (party.py).
"""

import re
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Bank:
    code: str
    name: str
    markers: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    month_first: bool = False

    @cached_property
    def marker_re(self) -> re.Pattern[str] | None:
        return _join(self.markers)

    @cached_property
    def start_re(self) -> re.Pattern[str] | None:
        return _join(self.starts)

    @cached_property
    def party_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in self.parties)


def _join(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_SBER_CARD = r"(?:ECMC|VISA|MIR-?|МИР-?|MAES|MC|СЧ[ЁЕ]Т)\d{4}"
_RU_OPERATION = (
    r"(?:Покупка|Оплата|Отказ|Пополнение|Перевод|Снятие|Возврат|Списание|Кэшбэк|Кешбэк"
    r"|Проценты[\w ]*|Поступление|Зачисление)"
)

BANKS: tuple[Bank, ...] = (
    Bank(
        "sber",
        "Sber",
        markers=(
            r"\bСбер(?:банк|Банк)?\b",
            r"\bSber(?:bank)?\b",
            r"\b(?:MIR|МИР|VISA|MC|ECMC|Mastercard|Сч[её]т)\s?••\s?\d{4}",
        ),
        starts=(rf"\b{_SBER_CARD}\s+(?:\d{{2}}\.\d{{2}}\.\d{{2}}\s+)?\d{{1,2}}:\d{{2}}",),
    ),
    Bank(
        "tbank",
        "T-Bank",
        markers=(r"\bТинькофф\b", r"\bTinkoff\b", r"\bТ-Банк\b", r"\bT-Bank\b", r"\bTBANK\b"),
        starts=(
            rf"\b{_RU_OPERATION}[,.]\s+(?:(?:Покупка|Оплата|Снятие)\.\s+)?"
            r"(?:карта|сч[её]т)\s+(?:\*\d{4}|RUB|USD|EUR)",
            r"\bПеревод между счетами\.",
        ),
    ),
    Bank(
        "alfa",
        "Alfa-Bank",
        markers=(r"\bАльфа(?:-Банк|-Банка)?\b", r"\bAlfa(?:-?Bank)?\b", r"··\s?\d{4}"),
        starts=(
            r"\bKarta \*\d{4}; (?:Pokupka|Vydacha|Vozvrat|Postuplenie|Popolnenie|Perevod|Oplata)",
        ),
        # Karta *1234; Pokupka; Uspeshno; Summa: ...; Ostatok: ...; RU/MOSCOW/PYATEROCHKA; ...
        parties=(r";\s*(?P<party>[A-Z]{2}/[^;]+?)\s*;",),
    ),
    Bank(
        "vtb",
        "VTB",
        markers=(r"\bВТБ\b", r"\bVTB\b"),
        starts=(
            r"\b(?:Оплата|Списание|Поступление|Перевод|Снятие|Отказ|Возврат|Начислен\w*)"
            r"(?:\s[а-яё]+){0,3}\s\d[\d .,]*р\s(?:Карта|Сч[её]т)\*\d{4}",
            r"\bKarta \*\d{4}: (?:Oplata|Snyatie|Postuplenie|Perevod|Vozvrat|Otkaz)",
        ),
    ),
    Bank(
        "gazprombank",
        "Gazprombank",
        markers=(r"\bГазпромбанк\w*", r"\bGazprombank\b", r"\bGPB\b"),
        starts=(r"\bTelecard;",),
    ),
    Bank(
        "raiffeisen",
        "Raiffeisenbank",
        markers=(r"\bРайффайзен\w*", r"\bRaiffeisen\w*"),
        starts=(
            r"\bKarta \*\d{4}; (?:Provedena|Otklonena|Snyatie|Vozvrat|Popolnenie|Postuplenie)"
            r"\w*(?: \w+)?:",
        ),
    ),
    Bank("ozon", "Ozon Bank", markers=(r"\bOzon\s?(?:Банк|Bank)\b", r"\bОзон\s?Банк\b")),
    Bank("yandex", "Yandex Bank", markers=(r"\bЯндекс\s?Банк\b", r"\bYandex\s?Bank\b")),
    Bank(
        "revolut",
        "Revolut",
        markers=(r"\bRevolut\b",),
        # Revolut puts the symbol first: `Paid £12.50 at Tesco`.
        starts=(
            r"(?:^|\n)\W{0,3}(?:Paid|Sent|Received|Refund of|Exchanged|Cash withdrawal of"
            r"|Cashback of|Salary of)\s[-+]?[£€$]",
        ),
    ),
    Bank(
        "wise",
        "Wise",
        markers=(r"\bWise\b", r"\bTransferWise\b"),
        # Wise puts the code after: `You spent 12.50 EUR at LIDL`.
        starts=(
            r"(?:^|\n)You(?:'ve)? (?:spent|sent|received|withdrew|converted|earned)"
            r" [\d,.]+ [A-Z]{3}\b",
        ),
    ),
    Bank(
        "n26",
        "N26",
        markers=(r"\bN26\b",),
        starts=(
            r"(?:^|\n)(?:€[\d,.]+ (?:spent at|moved to)|Incoming transfer:|Outgoing transfer:"
            r"|MoneyBeam:|Refund:|ATM withdrawal:|Fee:|Interest:|Direct debit:|Declined:)",
        ),
    ),
    Bank("chase", "Chase", markers=(r"\bChase\b",), month_first=True),
    Bank(
        "amex", "American Express", markers=(r"\bAmerican Express\b", r"\bAmex\b"), month_first=True
    ),
)
BY_CODE = {bank.code: bank for bank in BANKS}
UNKNOWN = Bank("", "")

_AT_START, _ANYWHERE, _NAMED = 5, 3, 2


def detect(text: str) -> Bank:
    """The bank whose format or name the notification shows, else UNKNOWN."""
    best, score = UNKNOWN, 0
    for bank in BANKS:
        points = 0
        if bank.start_re is not None and (m := bank.start_re.search(text)) is not None:
            points += _AT_START if not text[: m.start()].strip() else _ANYWHERE
        if bank.marker_re is not None and bank.marker_re.search(text):
            points += _NAMED
        if points > score:
            best, score = bank, points
    return best


def is_name(line: str) -> bool:
    """Whether a line is only a bank's name: a push's title (`N26`, `Revolut`)."""
    line = line.strip(" .:!")
    return any(b.marker_re is not None and b.marker_re.fullmatch(line) for b in BANKS)


def any_start_re() -> re.Pattern[str]:
    """Where a notification of any known bank begins."""
    return _ANY_START


def any_name_re() -> re.Pattern[str]:
    """Any known bank's name."""
    return _ANY_NAME


_ANY_NAME = re.compile("|".join(f"(?:{p})" for b in BANKS for p in b.markers), re.IGNORECASE)
_ANY_START = re.compile(
    "|".join(f"(?:{bank.start_re.pattern})" for bank in BANKS if bank.start_re is not None),
    re.IGNORECASE,
)
