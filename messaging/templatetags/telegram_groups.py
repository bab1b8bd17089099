"""A ledger's Telegram group on the ledger's page: the group linked to it, and the code
that links one (shown once, to the manager who made it)."""

from typing import Any
from urllib.parse import quote

import segno
from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from ledgers.models import Membership
from messaging.linking import groups
from messaging.linking.codes import IssuedCode
from messaging.transports import telegram_enabled

register = template.Library()


def startgroup_link(code: str) -> str:
    # Telegram asks which group to add the bot to, then sends `/start <code>` there.
    return f"https://t.me/{quote(settings.TELEGRAM_BOT_USERNAME)}?startgroup={code}"


@register.inclusion_tag("messaging/_group_code_card.html")
def group_code_card(group_code: IssuedCode) -> dict[str, Any]:
    link = startgroup_link(group_code.code)
    return {
        "group_code": group_code,
        "group_link": link,
        "group_qr_svg": segno.make(link, error="m").svg_inline(
            scale=5, title=_("QR code of the link that adds the bot to a group")
        ),
        "bot_username": settings.TELEGRAM_BOT_USERNAME,
    }


@register.inclusion_tag("messaging/_ledger_group_card.html")
def ledger_group_card(member: Membership) -> dict[str, Any]:
    return {
        "member": member,
        "ledger": member.ledger,
        "group": groups.group_of(ledger=member.ledger),
        "telegram_enabled": telegram_enabled(),
    }
