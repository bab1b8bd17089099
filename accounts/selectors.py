"""Reads for the accounts pages."""

import json
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import ApiToken, Scope, User

# The bot endpoint's path is part of the published contract (botapi).
BOT_ACTIONS_PATH = "/api/bot/actions"
# What the curl example records: the same words a person would type to the bot.
EXAMPLE_ACTION = {
    "action": "create_expense",
    "payload": {"text": "кофе 250"},
}


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    status: str  # active, expired, revoked

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in self.token.scopes]


@dataclass(frozen=True)
class TokensPage:
    rows: list[TokenRow]
    agent_prompt: str
    endpoint: str
    curl_example: str


def token_rows(*, user: User) -> list[TokenRow]:
    now = timezone.now()
    rows = []
    for token in ApiToken.objects.filter(user=user).order_by("-created_at", "-id"):
        rows.append(TokenRow(token=token, status=token.status(now)))
    return rows


def curl_example(endpoint: str) -> str:
    # A fresh idempotency key per call: a retried request must not record twice.
    body = json.dumps({**EXAMPLE_ACTION, "idempotency_key": "IDEMPOTENCY_KEY"}, ensure_ascii=False)
    # python3 rather than uuidgen, which not every system has.
    fresh_key = "$(python3 -c 'import uuid; print(uuid.uuid4())')"
    body = body.replace('"IDEMPOTENCY_KEY"', f'"\'"{fresh_key}"\'"')
    return (
        f"curl -sS -X POST {endpoint} \\\n"
        '  -H "X-Bot-Token: $KOPILKA_TOKEN" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{body}'"
    )


def tokens_page(*, user: User, base_url: str, agent_prompt: str) -> TokensPage:
    """The tokens page: the person's tokens, the bot endpoint and its example, and the
    agent's prompt (the dispatcher's, handed in by the page)."""
    endpoint = base_url.rstrip("/") + BOT_ACTIONS_PATH
    return TokensPage(
        rows=token_rows(user=user),
        agent_prompt=agent_prompt,
        endpoint=endpoint,
        curl_example=curl_example(endpoint),
    )
