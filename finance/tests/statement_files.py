"""Statement files of any length, made by code: for the readers' tests and bench/imports.py.

Each maker writes `n` operations the way its bank or format does (encoding, quoting, signs,
dates), drawn from a small set of plausible merchants with a seeded generator, so the same
call gives the same bytes.
"""

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

# (name as the bank prints it, MCC, T-Bank's category); None: a transfer or an income.
MERCHANTS = (
    ("Пятёрочка", "5411", "Супермаркеты"),
    ("Перекрёсток", "5411", "Супермаркеты"),
    ("ВкусВилл", "5411", "Супермаркеты"),
    ("Шоколадница", "5814", "Фастфуд"),
    ("Вкусно — и точка", "5814", "Фастфуд"),
    ("Теремок", "5812", "Рестораны"),
    ("Яндекс Такси", "4121", "Транспорт"),
    ("Метро Москва", "4111", "Местный транспорт"),
    ("Лукойл АЗС 77021", "5541", "Топливо"),
    ("Газпромнефть АЗС 112", "5542", "Топливо"),
    ("Аптека Ригла", "5912", "Аптеки"),
    ("МТС", "4814", "Мобильная связь"),
    ("Синема Парк", "7832", "Кино"),
    ("OZON.ru", "5399", "Маркетплейсы"),
)
START = datetime(2026, 1, 1, 8, 0)  # noqa: DTZ001 (a statement's local time, as banks write it)


def _operations(n: int, seed: int) -> Iterator[tuple[datetime, Decimal, str, str | None, str]]:
    """(when, signed amount, description, MCC, bank's category) for `n` operations."""
    rng = random.Random(seed)
    when = START
    for i in range(n):
        when += timedelta(seconds=rng.randint(60, 3600))
        if i % 50 == 49:
            yield (
                when,
                Decimal(rng.randint(40_000, 150_000)),
                "Зарплата ООО «Ромашка»",
                None,
                "Пополнения",
            )
        elif i % 17 == 16:
            yield when, -Decimal(rng.randint(100, 20_000)), "Иван П.", None, "Переводы"
        else:
            name, mcc, category = rng.choice(MERCHANTS)
            cents = Decimal(rng.randint(5_00, 15_000_00)).scaleb(-2)
            yield when, -cents, name, mcc, category


def _comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def tbank_csv(n: int, *, seed: int = 0, encoding: str = "cp1251") -> bytes:
    header = (
        "Дата операции;Дата платежа;Номер карты;Статус;Сумма операции;Валюта операции;"
        "Сумма платежа;Валюта платежа;Кэшбэк;Категория;MCC;Описание;Бонусы (включая кэшбэк);"
        "Округление на инвесткопилку;Сумма операции с округлением"
    )
    lines = [";".join(f'"{h}"' for h in header.split(";"))]
    for i, (when, amount, name, mcc, category) in enumerate(_operations(n, seed)):
        status = "FAILED" if i % 97 == 96 else "OK"
        cells = (
            f"{when:%d.%m.%Y %H:%M:%S}", f"{when:%d.%m.%Y}", "*4417" if mcc else "", status,
            _comma(amount), "RUB", _comma(amount), "RUB", "", category, mcc or "", name,
            "0,00", "0,00", _comma(abs(amount)),
        )  # fmt: skip
        lines.append(";".join(f'"{c}"' for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def sber_csv(n: int, *, seed: int = 0) -> bytes:
    lines = [
        "Выписка по счёту дебетовой карты;;;;;;;;;;",
        "Период;01.01.2026 — 31.12.2026;;;;;;;;;",
        "Дата операции;Время;Дата обработки;Код авторизации;Категория;Описание операции;"
        "Сумма в валюте операции;Валюта операции;Сумма в валюте счёта;Валюта счёта;Остаток средств",
    ]
    for i, (when, amount, name, mcc, category) in enumerate(_operations(n, seed)):
        written = ("+" if amount > 0 else "") + f"{abs(amount):,.2f}".replace(",", " ").replace(
            ".", ","
        )
        code = f"{100000 + i % 900000}" if mcc else ""
        lines.append(
            f"{when:%d.%m.%Y};{when:%H:%M};{when:%d.%m.%Y};{code};{category};{name};"
            f"{written};RUB;{written};RUB;"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def ofx(n: int, *, seed: int = 0, version: int = 1) -> bytes:
    transactions = []
    for i, (when, amount, name, mcc, _category) in enumerate(_operations(n, seed)):
        kind = "CREDIT" if amount > 0 else "DEBIT"
        sic = f"<SIC>{mcc}" if mcc else ""
        fields = [
            f"<TRNTYPE>{kind}", f"<DTPOSTED>{when:%Y%m%d%H%M%S}.000[+3:MSK]",
            f"<TRNAMT>{amount:.2f}", f"<FITID>T{i:09d}", sic, f"<NAME>{name[:32]}",
        ]  # fmt: skip
        if version == 2:
            fields = [f"{f}</{f[1 : f.index('>')]}>" for f in fields if f]
        transactions.append("<STMTTRN>" + "".join(f for f in fields if f) + "</STMTTRN>")
    body = (
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
        "<DTSERVER>20270101120000</DTSERVER><LANGUAGE>RUS</LANGUAGE></SONRS></SIGNONMSGSRSV1>"
        "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE>"
        "<SEVERITY>INFO</SEVERITY></STATUS><CCSTMTRS><CURDEF>RUB</CURDEF><CCACCTFROM>"
        "<ACCTID>5536913800004417</ACCTID></CCACCTFROM><BANKTRANLIST><DTSTART>20260101</DTSTART>"
        "<DTEND>20270101</DTEND>\n" + "\n".join(transactions) + "\n</BANKTRANLIST>"
        "<LEDGERBAL><BALAMT>0.00</BALAMT><DTASOF>20270101</DTASOF></LEDGERBAL></CCSTMTRS>"
        "</CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>\n"
    )
    if version == 2:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" '
            'SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
        )
        return (head + body).encode("utf-8")
    head = (
        "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
        "CHARSET:1251\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
    )
    return (head + body).encode("cp1251")


def qif(n: int, *, seed: int = 0) -> bytes:
    lines = ["!Type:Bank"]
    for when, amount, name, _mcc, category in _operations(n, seed):
        lines += [f"D{when:%d.%m.%Y}", f"T{_comma(amount)}", f"P{name}", f"L{category}", "^"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def camt053(n: int, *, seed: int = 0) -> bytes:
    entries = []
    for i, (when, amount, name, _mcc, _category) in enumerate(_operations(n, seed)):
        direction, role = ("CRDT", "Dbtr") if amount > 0 else ("DBIT", "Cdtr")
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{when:%Y-%m-%d}</Dt></BookgDt>"
            f"<AcctSvcrRef>{i:012d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><{role}><Pty>"
            f"<Nm>{name}</Nm></Pty></{role}></RltdPties><RmtInf><Ustrd>{name} {when:%d.%m}</Ustrd>"
            "</RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2027-01-01T06:00:00</CreDtTm></GrpHdr><Stmt>"
        "<Id>BENCH-1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n"
        + "\n".join(entries)
        + "\n</Stmt></BkToCstmrStmt></Document>\n"
    ).encode("utf-8")


def generic_csv(n: int, *, seed: int = 0) -> bytes:
    lines = ["Дата;Сумма;Валюта;Категория;Описание"]
    for when, amount, name, _mcc, category in _operations(n, seed):
        lines.append(f"{when:%d.%m.%Y};{_comma(amount)};RUB;{category};{name}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def ofx1(n: int, *, seed: int = 0) -> bytes:
    return ofx(n, seed=seed, version=1)


def ofx2(n: int, *, seed: int = 0) -> bytes:
    return ofx(n, seed=seed, version=2)


# Format name (finance.readers.statements.Format) -> the maker of such a file of n rows.
MAKERS: dict[str, Callable[[int], bytes]] = {
    "tbank_csv": tbank_csv,
    "sber_csv": sber_csv,
    "ofx1": ofx1,
    "ofx2": ofx2,
    "qif": qif,
    "camt053": camt053,
    "csv": generic_csv,
}
