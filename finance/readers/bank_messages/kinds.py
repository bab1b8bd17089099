"""Which operation a notification reports, from the words banks use for it.

Cues come in tiers. A refusal or a refund decides whatever else the text says
(`Отказ покупка`, `Возврат покупки`). Then the specific words (salary, cashback,
interest, own accounts, a fee, cash) beat the general ones: `Пополнение ... Зарплата`
is salary, `Комиссия за снятие наличных` a fee. Among the general words (a purchase,
a transfer either way) the first in the text wins, the longest where two start together
(`Payment received` is money in). A bare `Списание` or a sign is the last resort.
"""

import re

from finance.readers.bank_messages.operation import Kind

Cues = tuple[tuple[Kind, str], ...]  # a kind and a regex of its words, in order

OVERRIDING: Cues = (
    (
        Kind.DECLINED,
        r"отказ|отклон[её]н|недостаточно\ средств|не\ выполнен|не\ проведен|не\ прошл"
        r"|неуспешн|otkaz|otklonen|nedostatochno|declined|insufficient\ funds|denied"
        r"|abgelehnt|unsuccessful",
    ),
    (
        Kind.REFUND,
        r"возврат|vozvrat|refund|returned|reversal|chargeback|erstattung"
        r"|отмена\ (?:покупки|операции|платежа)",
    ),
)
SPECIFIC: Cues = (
    (Kind.SALARY, r"зарплат|заработн|\bаванс\b|zarplat|salary|payroll|direct\ deposit|gehalt"),
    (Kind.CASHBACK, r"к[еэ]шб[еэ]к|keshbek|cash\ ?back"),
    (
        Kind.INTEREST,
        r"процент|капитализац|procent|\binterest\b|zinsen|доход\ по\ (?:вкладу|сч[её]ту)",
    ),
    (
        Kind.OWN_TRANSFER,
        r"между\ (?:своими\ )?сч[её]тами|между\ своими|на\ сво[йи]\ |со\ своего|с\ вклада"
        r"|на\ вклад|пополнение\ вклада|на\ накопительн|с\ накопительн|на\ сберегательн"
        r"|с\ сберегательн|на\ сейф|с\ сейфа|в\ копилку|из\ копилки|внесение\ наличных"
        r"|через\ банкомат|обмен\ валют|покупка\ валюты|продажа\ валюты|конвертац"
        r"|exchanged|converted|moved\ .{0,40}\b(?:to|from)\ (?:your\ )?(?:space|pocket"
        r"|vault|savings|jar)|(?:to|from)\ (?:your\ )?(?:savings|vault|pocket|space|jar)\b"
        r"|to\ your\ (?:[a-z]{3}\ )?balance|between\ (?:your\ )?(?:own\ )?accounts|own\ account|from\ checking|to\ checking"
        r"|cash\ deposit|deposited\ cash",
    ),
    (
        Kind.FEE,
        r"комисси|komissi|плата\ за|абонентск|обслуживани|оповещени|уведомлени"
        r"|мобильн\w*\ банк|sms-информ|смс-информ|пакет\ услуг|\bfees?\b|gebühr"
        r"|kontoführung",
    ),
    (
        Kind.CASH_WITHDRAWAL,
        r"выдача|снятие|(?<!без)наличн|vydacha|snyatie|(?<!bez)nalichn|cash\ withdrawal"
        r"|withdrew|withdrawal|\batm\b|банкомат|bankomat|bargeld",
    ),
)
GENERAL: Cues = (
    (
        Kind.PURCHASE,
        r"покупк|оплат|pokupka|oplata|tranzakc|транзакц|\bpaid\b|\bspent\b|payment"
        r"|purchase|transaction|\bcharged?\b|you\ made|direct\ debit|lastschrift|bezahlt"
        r"|kartenzahlung",
    ),
    (
        Kind.TRANSFER_IN,
        r"поступлени|поступил|зачислен|пополнени|postuplenie|zachislenie|popolnenie"
        r"|входящ|перевел(?:\(а\)|а)?\ вам|вам\ перев|payment\ received|received|sent\ you"
        r"|you\ got|credited|incoming|money\ in|eingang|erhalten",
    ),
    (
        Kind.TRANSFER_OUT,
        r"перевод|перевел|перевели|perevod|исходящ|отправлен|\bsent\b|transfer|überweisung"
        r"|zelle|outgoing",
    ),
)

_WEAK_DEBIT_RE = re.compile(r"списани|spisanie|debited|abbuchung", re.IGNORECASE)
# Once the operation is a transfer, these say the money came in: `Перевод 5000р от Иван И.`
_INCOMING_HINT_RE = re.compile(r"\bот\ +[А-ЯЁA-Z]|\bfrom\ +[A-Z]|\bвам\b|\bвходящ", re.VERBOSE)
_PLAIN_CUES = (*OVERRIDING, *SPECIFIC, *GENERAL)
_ANY_CUE_RE = re.compile(
    r"\b(?:"
    + "|".join(f"(?:{p})" for _, p in _PLAIN_CUES)
    + "|"
    + _WEAK_DEBIT_RE.pattern
    + r")\w*",
    re.IGNORECASE,
)
_CONTENT_RE = re.compile(r"[^\W_]{2,}")
# Small words around operation words: `зачислен на`, `charged for`.
_SMALL = "на в во за по с со от у к the a an to on of for at in your"
_SMALL_WORDS = frozenset(_SMALL.split())


def _compiled(cues: Cues) -> tuple[tuple[Kind, re.Pattern[str]], ...]:
    return tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in cues)


_OVERRIDING, _SPECIFIC, _GENERAL = _compiled(OVERRIDING), _compiled(SPECIFIC), _compiled(GENERAL)


def find(text: str, sign: str) -> Kind:
    """The kind of operation `text` reports; `sign` is the amount's printed sign."""
    for kind, regex in _OVERRIDING:
        if regex.search(text):
            return kind
    for kind, regex in _SPECIFIC:
        if regex.search(text):
            return _direction(kind, text, sign)
    best: tuple[int, int, Kind] | None = None
    for kind, regex in _GENERAL:
        m = regex.search(text)
        if m is not None and (best is None or (m.start(), -len(m[0])) < best[:2]):
            best = (m.start(), -len(m[0]), kind)
    if best is not None:
        return _direction(best[2], text, sign)
    if sign == "+":
        return Kind.TRANSFER_IN
    if sign == "-" or _WEAK_DEBIT_RE.search(text):
        return Kind.PURCHASE
    return Kind.NOT_UNDERSTOOD


def _direction(kind: Kind, text: str, sign: str) -> Kind:
    if kind is Kind.TRANSFER_OUT and (sign == "+" or _INCOMING_HINT_RE.search(text)):
        return Kind.TRANSFER_IN
    if kind is Kind.PURCHASE and sign == "+":
        return Kind.TRANSFER_IN
    return kind


def is_cue(text: str) -> bool:
    """Whether a text holds only operation words (`Зарплата`, `Покупка.`), no name."""
    rest = _ANY_CUE_RE.sub(" ", text)
    return all(w.casefold() in _SMALL_WORDS for w in _CONTENT_RE.findall(rest))
