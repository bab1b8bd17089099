"""The MCP server's prompts: ready-made requests a person can pick in their client."""

from datetime import date
from typing import Any

import mcp_types as types
from django.utils.translation import gettext as _
from mcp.shared.exceptions import MCPError

RECORD = "record"
REVIEW_MONTH = "review_month"


def prompt_list() -> list[types.Prompt]:
    """The prompts, described in the active language."""
    return [
        types.Prompt(
            name=RECORD,
            title=_("Record what I type"),
            description=_("Record an expense or an income from your own words."),
            arguments=[
                types.PromptArgument(
                    name="text",
                    description=_("What you spent or received, e.g. “кофе 250 вчера”."),
                    required=True,
                )
            ],
        ),
        types.Prompt(
            name=REVIEW_MONTH,
            title=_("Review my month"),
            description=_("Income, expenses and the budget of a month, with what stands out."),
            arguments=[
                types.PromptArgument(
                    name="month",
                    description=_("The month as YYYY-MM. Default: this month."),
                    required=False,
                )
            ],
        ),
    ]


def _message(text: str) -> types.PromptMessage:
    return types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))


def get(name: str, arguments: dict[str, Any], today: date) -> types.GetPromptResult:
    if name == RECORD:
        text = str(arguments.get("text", "")).strip()
        if not text:
            raise MCPError(types.INVALID_PARAMS, _("The prompt needs the text to record."))
        instruction = _(
            "Record this in Kopilka. If it is money I received, call create_income, "
            "otherwise create_expense, passing my words unchanged as text. Then tell me "
            "in one line what was recorded (amount, category, date). My words: %(text)s"
        ) % {"text": text}
        return types.GetPromptResult(
            description=_("Record what I type"), messages=[_message(instruction)]
        )
    if name == REVIEW_MONTH:
        month = str(arguments.get("month") or f"{today:%Y-%m}")
        instruction = _(
            "Call get_summary for %(month)s and review my month in a few lines: income, "
            "expenses, the balance, and the categories where I spent more than planned or "
            "have no plan. Suggest one thing to watch."
        ) % {"month": month}
        return types.GetPromptResult(
            description=_("Review my month"), messages=[_message(instruction)]
        )
    raise MCPError(types.INVALID_PARAMS, _("No such prompt: %(name)s") % {"name": name})
