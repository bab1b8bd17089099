"""The strict system prompt for the agent (Gemini CLI), generated from the registry.

`manage.py bot_prompt` prints it; the web cabinet shows it too.
"""

import json
from datetime import date
from typing import Any

from botapi import actions

LANGUAGES = ("ru", "en")

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
}

TEXT = {
    "en": {
        "intro": (
            "You turn one message from a person into exactly one request to Kopilka, "
            "their personal-finance service. A program sends your reply as it is, so it "
            "must be valid JSON."
        ),
        "rules_title": "Rules",
        "rules": [
            "Reply with ONE JSON object and nothing else: no prose, no explanation, no "
            "Markdown, no code fences, nothing before or after it.",
            'The object has exactly the keys "action", "payload" and "idempotency_key", '
            'plus "dry_run": true only when the person asks to check without recording.',
            '"action" is one of the actions below, and "payload" has only the fields listed '
            "for it. Leave out optional fields you do not need; never invent fields or actions.",
            '"idempotency_key" is a fresh random UUID (version 4) for every message, never reused.',
            'Copy the person\'s words into "text" unchanged (do not translate, round or '
            "compute): the server finds the amount, currency, date and category in them.",
            'Today is {today} ({weekday}). Resolve relative dates such as "yesterday" or '
            '"last month" against it when you fill a date (YYYY-MM-DD) or month (YYYY-MM) '
            "field.",
            'Amounts are decimal strings such as "15000.50" or integers, never numbers '
            "with a decimal point.",
            "Money spent is create_expense, money received is create_income. If the message "
            "asks for nothing below, reply with get_summary for the current month.",
            'A payment that repeats ("every month", "каждую пятницу", "ежегодно") is '
            'create_recurring, with the person\'s words in "text".',
            "A bank's SMS or push the person pasted or forwarded goes to record_bank_messages "
            "whole, as the bank wrote it.",
        ],
        "actions_title": "Actions",
        "scope": "Token scope",
        "fields": "Payload fields",
        "no_fields": "none",
        "required": "required",
        "optional": "optional",
        "example": "Example",
        "dry_run": "dry_run allowed",
        "one_of": "give exactly one of",
        "types": {
            "string": "string",
            "integer": "integer",
            "amount": 'decimal string or integer, e.g. "15000.50"',
            "boolean": "true/false",
        },
        "values": "one of",
    },
    "ru": {
        "intro": (
            "Ты превращаешь одно сообщение человека ровно в один запрос к Копилке, его "
            "сервису личных финансов. Программа отправляет твой ответ как есть, поэтому он "
            "должен быть корректным JSON."
        ),
        "rules_title": "Правила",
        "rules": [
            "Отвечай ОДНИМ JSON-объектом и ничем больше: без пояснений, без Markdown, без "
            "блоков кода, ничего до и после него.",
            'У объекта ровно ключи "action", "payload" и "idempotency_key", плюс '
            '"dry_run": true, только если человек просит проверить, не записывая.',
            '"action" — одно из действий ниже, а в "payload" только перечисленные для него '
            "поля. Необязательные поля опускай, если они не нужны; не придумывай полей и "
            "действий.",
            '"idempotency_key" — новый случайный UUID (версии 4) для каждого сообщения, '
            "никогда не повторяй его.",
            'Слова человека копируй в "text" без изменений (не переводи, не округляй, не '
            "считай): сумму, валюту, дату и категорию сервер найдёт в них сам.",
            "Сегодня {today} ({weekday}). Относительные даты вроде «вчера» или «в прошлом "
            "месяце» считай от сегодняшней, когда заполняешь поле даты (ГГГГ-ММ-ДД) или "
            "месяца (ГГГГ-ММ).",
            'Суммы — строки с десятичным числом вроде "15000.50" или целые числа, но не '
            "числа с точкой.",
            "Потраченные деньги — create_expense, полученные — create_income. Если сообщение "
            "не просит ничего из перечисленного, ответь get_summary за текущий месяц.",
            "Платёж, который повторяется («каждый месяц», «каждую пятницу», «ежегодно»), — "
            'create_recurring, слова человека — в "text".',
            "СМС или пуш банка, которые человек вставил или переслал, целиком и как их "
            "написал банк передай в record_bank_messages.",
        ],
        "actions_title": "Действия",
        "scope": "Право токена",
        "fields": "Поля payload",
        "no_fields": "нет",
        "required": "обязательное",
        "optional": "необязательное",
        "example": "Пример",
        "dry_run": "можно dry_run",
        "one_of": "укажи ровно одно из",
        "types": {
            "string": "строка",
            "integer": "целое число",
            "amount": 'строка с десятичным числом или целое число, например "15000.50"',
            "boolean": "true/false",
        },
        "values": "одно из",
    },
}


def _type_name(schema: dict[str, Any], words: dict[str, Any]) -> str:
    types: dict[str, str] = words["types"]
    if "anyOf" in schema:
        alternatives: list[dict[str, Any]] = schema["anyOf"]
        if alternatives[0].get("type") == "string" and "pattern" in alternatives[0]:
            return types["amount"]
        return " / ".join(_type_name(alternative, words) for alternative in alternatives)
    if "enum" in schema:
        return f"{words['values']} {', '.join(str(v) for v in schema['enum'])}"
    kind = schema.get("type", "string")
    names = kind if isinstance(kind, list) else [kind]
    return " / ".join(types.get(str(name), str(name)) for name in names)


def _action_text(action: actions.Action, language: str, words: dict[str, Any]) -> list[str]:
    schema = action.schema
    lines = [f"### {action.name}", action.description_in(language)]
    lines.append(f"- {words['scope']}: {' / '.join(action.scopes)}")
    if action.dry_run:
        lines.append(f"- {words['dry_run']}")
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines.append(
        f"- {words['fields']}:" if properties else f"- {words['fields']}: {words['no_fields']}"
    )
    for name, field in properties.items():
        need = words["required"] if name in required else words["optional"]
        description = field.get(f"x-description-{language}", field.get("description", ""))
        lines.append(f"  - {name} ({_type_name(field, words)}, {need}): {description}")
    for branch in schema.get("oneOf", []):
        if set(branch) != {"required"}:
            break
    else:
        if "oneOf" in schema:
            names = ", ".join(n for b in schema["oneOf"] for n in b["required"])
            lines.append(f"  - {words['one_of']}: {names}")
    # A placeholder, not a real key: an example's key would be copied.
    request = {**actions.example_request(action), "idempotency_key": "<fresh UUID v4>"}
    example = json.dumps(request, ensure_ascii=False)
    lines.append(f"- {words['example']}: {example}")
    return lines


def system_prompt(language: str, today: date) -> str:
    """The agent's system prompt in `language` ("ru" or "en") for the day `today`."""
    if language not in TEXT:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    words = TEXT[language]
    weekday = WEEKDAYS[language][today.weekday()]
    lines = [str(words["intro"]), "", f"## {words['rules_title']}"]
    for number, rule in enumerate(words["rules"], start=1):
        lines.append(f"{number}. {rule.format(today=today.isoformat(), weekday=weekday)}")
    lines += ["", f"## {words['actions_title']}"]
    for action in actions.ACTIONS.values():
        lines += ["", *_action_text(action, language, words)]
    return "\n".join(lines) + "\n"
