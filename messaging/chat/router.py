"""What a chat message means, for any messenger, without an LLM.

Text in; out comes a `Command` (what each does is `commands.COMMANDS`'), or the
`(action, payload)` steps that `perform` runs. The router reads (is this an income
word?) but never writes: the dispatcher does.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from finance.readers import schedule_words
from finance.selectors.categories import looks_like_income

# A text of many lines records one transaction per line, up to this many.
MAX_LINES = 20
TEXT_MAX = 500
# `/month@kopilka_bot extra`, as Telegram sends commands in some clients.
COMMAND_RE = re.compile(r"^/([A-Za-z_]+)(?:@(\w+))?(?:\s+(.*))?$", re.S)
# WhatsApp has no slash commands: `link ABCD2345` works there (and here) too.
PLAIN_LINK_RE = re.compile(r"^(?:link|привязать)\s+([A-Za-z0-9]{8})$", re.I)
# WhatsApp has no command menu: there a command is a plain word, in either language,
# with or without a slash.
PLAIN_COMMANDS = {
    "undo": "undo",
    "отмена": "undo",
    "month": "month",
    "месяц": "month",
    "budget": "budget",
    "бюджет": "budget",
    "categories": "categories",
    "категории": "categories",
    "help": "help",
    "помощь": "help",
    "unlink": "unlink",
    "отвязать": "unlink",
    "recurring": "recurring",
    "регулярные": "recurring",
    "today": "today",
    "сегодня": "today",
    "balance": "balance",
    "баланс": "balance",
    "settle": "settle",
    "расчёт": "settle",
    "расчет": "settle",
    "separately": "separately",
    "отдельно": "separately",
    "transfer": "transfer",
    "перевод": "transfer",
}
PLAIN_ARGUMENT_RE = re.compile(
    r"^/?(category|категория|lang|язык|settle|расч[её]т)\s+(\S.*)$", re.I | re.S
)
PLAIN_ARGUMENT_NAMES = {
    "category": "category",
    "категория": "category",
    "язык": "lang",
    "расчёт": "settle",
    "расчет": "settle",
}
# The question `/today` answers, asked in words in any chat.
TODAY_RE = re.compile(
    r"^(?:сколько\s+(?:мне\s+)?(?:ещё\s+|еще\s+)?(?:можно|могу)\s+(?:ещё\s+|еще\s+)?"
    r"потратить(?:\s+сегодня)?|how\s+much\s+(?:can|may)\s+i\s+(?:still\s+)?spend"
    r"(?:\s+today)?)\s*\??$",
    re.I,
)
# Questions asked in words, as a voice message says them (and anyone may type them):
# "Сколько я потратил в этом месяце?" is /month.
QUESTIONS = (
    (
        "month",
        re.compile(
            r"^(?:а |ну )?сколько (?:я |мы )?(?:уже )?(?:потратила?|потратили|трачу|тратим)"
            r"(?: денег)?(?: (?:в|за) (?:этом|этот|текущем|текущий) месяц[е]?| за месяц)?$"
        ),
    ),
    (
        "month",
        re.compile(r"^how much (?:did |have )?(?:i|we) (?:spend|spent)(?: this month)?$"),
    ),
    ("budget", re.compile(r"^(?:как (?:там )?|что с )(?:мо[ийм] |наш[иим]? )?бюджет(?:ом)?$")),
    ("budget", re.compile(r"^how is (?:my |our )?budget(?: doing)?$")),
)
BARE_AMOUNT_RE = re.compile(r"^\+?\s*(\d{1,3}(?:[  ]\d{3})+|\d+)(?:[.,](\d{1,2}))?$")


@dataclass(frozen=True)
class Command:
    name: str
    argument: str = ""
    # The bot a Telegram command names (`/month@kopilka_bot`): in a group with several
    # bots, a command for another one is not ours.
    bot: str = ""


@dataclass(frozen=True)
class Step:
    action: str
    payload: dict[str, Any]


def command(text: str, *, plain: bool = False) -> Command | None:
    """The command `text` is, if it is one (unknown names too: the chat says so).
    `plain`: also the words of PLAIN_COMMANDS and `category <name>`."""
    text = text.strip()
    if TODAY_RE.match(text):
        return Command("today")
    if plain:
        word = text.removeprefix("/").strip().rstrip(".!").lower()
        if word in PLAIN_COMMANDS:
            return Command(PLAIN_COMMANDS[word])
        match = PLAIN_ARGUMENT_RE.match(text)
        if match:
            name = match[1].lower()
            return Command(PLAIN_ARGUMENT_NAMES.get(name, name), " ".join(match[2].split()))
    match = COMMAND_RE.match(text)
    if match:
        return Command(match[1].lower(), (match[3] or "").strip(), bot=match[2] or "")
    match = PLAIN_LINK_RE.match(text)
    if match:
        return Command("link", match[1])
    return question(text)


def question(text: str) -> Command | None:
    """The command a question in words asks for (`QUESTIONS`), if it is one."""
    words = " ".join(re.sub(r"[?!.,…]+", " ", text.lower().replace("ё", "е")).split())
    for name, pattern in QUESTIONS:
        if pattern.match(words):
            return Command(name)
    return None


def records(text: str) -> list[Step]:
    """One create step per line: `+` or an income word makes an income, a line that says
    how often ("каждый месяц 1-го аренда 45000") a regular payment."""
    steps = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if schedule_words.read(line, strict=True) is not None:
            # How often, in words: a regular payment (its own words say expense or income).
            action = "create_recurring"
        elif line.startswith("+"):
            action, line = "create_income", line[1:].strip() or line
        elif looks_like_income(line):
            action = "create_income"
        else:
            action = "create_expense"
        steps.append(Step(action, {"text": line[:TEXT_MAX]}))
    return steps[:MAX_LINES]


def bare_amount(text: str) -> str | None:
    """`300`, `1 299,50` -> "1299.50"; None when the text is more than an amount."""
    match = BARE_AMOUNT_RE.match(text.strip())
    if not match:
        return None
    whole = re.sub(r"\s", "", match[1])
    try:
        amount = Decimal(f"{whole}.{match[2] or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return f"{amount:.2f}" if amount > 0 else None


def correction(text: str) -> dict[str, Any]:
    """What a reply to a confirmation changes: the amount (`300`) or the category (`такси`)."""
    amount = bare_amount(text)
    if amount is not None:
        return {"amount": amount}
    return {"category": " ".join(text.split())[:100]}


@dataclass(frozen=True)
class Press:
    """A pressed inline button: what and on which transaction."""

    what: str  # "undo", "choose" (show the categories) or "category"
    transaction_id: int
    category_id: int | None = None


def button(data: str) -> Press | None:
    """Decode callback data made by `button_data`; None for anything else."""
    parts = data.split(":")
    try:
        if parts[0] == "u" and len(parts) == 2:
            return Press("undo", int(parts[1]))
        if parts[0] == "k" and len(parts) == 2:
            return Press("choose", int(parts[1]))
        if parts[0] == "c" and len(parts) == 3:
            return Press("category", int(parts[1]), int(parts[2]))
    except ValueError:
        return None
    return None


def button_data(press: Press) -> str:
    # Telegram allows 64 bytes of callback data; two ids fit with room to spare.
    code = {"undo": "u", "choose": "k", "category": "c"}[press.what]
    tail = f":{press.category_id}" if press.category_id is not None else ""
    return f"{code}:{press.transaction_id}{tail}"


def ledger_button_data(ledger_id: int) -> str:
    return f"l:{ledger_id}"


def ledger_button(data: str) -> int | None:
    """The ledger a `/ledger` button switches to; None for any other button."""
    code, _sep, tail = data.partition(":")
    return int(tail) if code == "l" and tail.isascii() and tail.isdigit() else None
