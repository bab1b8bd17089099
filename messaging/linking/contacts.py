"""Contacts: a person's own messenger account linked to them (by a code, in
`messaging.linking.codes`), found again by its chat, and unlinked."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from core import sql
from ledgers.models import Ledger, Membership
from messaging.models import Channel, Conversation, UserContact


@dataclass(frozen=True)
class Account:
    """The messenger account that redeems a code."""

    channel: str
    chat_id: str
    telegram_id: int | None = None
    whatsapp_id: str = ""
    phone: str = ""
    display_name: str = ""


def contact_link(*, user: User, account: Account, source: str) -> UserContact:
    """Link `account` to `user` (a code was just claimed for it): the account's link to
    anyone else ends; its link to `user` is kept, with the name and chat it has now."""
    now = timezone.now()
    current = UserContact.objects.select_for_update().filter(
        channel=account.channel, is_active=True
    )
    if account.telegram_id is not None:
        current = current.filter(telegram_id=account.telegram_id)
    else:
        current = current.filter(whatsapp_id=account.whatsapp_id)
    for old in current:
        if old.user_id == user.pk:
            old.display_name = account.display_name or old.display_name
            old.chat_id = account.chat_id
            old.save(update_fields=["display_name", "chat_id"])
            return old
        _contact_end(old, reason=UserContact.InactiveReason.RELINKED, source=source, now=now)
    contact = UserContact.objects.create(
        user=user,
        channel=account.channel,
        telegram_id=account.telegram_id,
        whatsapp_id=account.whatsapp_id,
        phone=account.phone,
        chat_id=account.chat_id,
        display_name=account.display_name[:200],
        linked_at=now,
    )
    audit_record(
        source=source,
        action="contact.link",
        user=user,
        obj=contact,
        details={"channel": contact.channel, "chat": contact.chat_id},
    )
    return contact


def _contact_end(contact: UserContact, *, reason: str, source: str, now: datetime) -> None:
    contact.is_active = False
    contact.inactive_reason = reason
    contact.unlinked_at = now
    contact.save(update_fields=["is_active", "inactive_reason", "unlinked_at"])
    audit_record(
        source=source,
        action="contact.unlink",
        user=contact.user,
        obj=contact,
        details={"channel": contact.channel, "chat": contact.chat_id, "reason": reason},
    )


def _contact_end_locked(contact_id: int, *, reason: str, source: str) -> bool:
    locked = UserContact.objects.select_for_update().filter(pk=contact_id, is_active=True).first()
    if locked is None:
        return False
    _contact_end(locked, reason=reason, source=source, now=timezone.now())
    return True


@transaction.atomic
def contact_unlink(
    *,
    contact: UserContact,
    source: str,
    reason: str = UserContact.InactiveReason.UNLINKED,
) -> bool:
    """End a link; False when it had already ended."""
    if not _contact_end_locked(contact.pk, reason=reason, source=source):
        return False
    contact.refresh_from_db()
    return True


@transaction.atomic
def contact_blocked(*, contact_id: int, source: str) -> bool:
    """A send to the person's chat said they blocked the bot: the link ends until they
    write again (`contact_for_chat` brings it back). False when it had already ended."""
    return _contact_end_locked(contact_id, reason=UserContact.InactiveReason.BLOCKED, source=source)


def contact_for_chat(*, channel: str, chat_id: str) -> UserContact | None:
    """The chat's active link, with its user and the user's membership of their active
    ledger; a link ended only because the bot was blocked comes back when the person
    writes again (they unblocked it)."""
    contact = _active_contact(channel, chat_id)
    if contact is not None:
        return contact
    contacts = UserContact.objects.select_related("user").filter(
        channel=channel, chat_id=chat_id, user__is_active=True
    )
    blocked = (
        contacts.filter(is_active=False, inactive_reason=UserContact.InactiveReason.BLOCKED)
        .order_by("-linked_at")
        .first()
    )
    if blocked is None:
        return None
    try:
        with transaction.atomic():
            UserContact.objects.filter(pk=blocked.pk).update(
                is_active=True, inactive_reason="", unlinked_at=None
            )
    except IntegrityError:  # the account was linked elsewhere meanwhile
        return None
    blocked.refresh_from_db()
    return blocked


def _active_contact(channel: str, chat_id: str) -> UserContact | None:
    # The first query of every message: one statement made once, as the bot token's
    # (accounts.services._token_with_owner), instead of two ORM queries compiled each time.
    statement, parts = _contact_lookup()
    with connection.cursor() as cursor:
        cursor.execute(statement, [channel, chat_id])
        row = cursor.fetchone()
    if row is None:
        return None
    (contact, user, ledger, conversation), rest = sql.instances(row, parts)
    contact = cast(UserContact, contact)
    contact.user = cast(User, user)
    if conversation is not None:
        contact.conversation = cast(Conversation, conversation)
        contact.conversation.user = contact.user
    member_id, role = rest
    if member_id is not None:
        contact.membership = Membership(
            pk=member_id, ledger=cast(Ledger, ledger), user=contact.user, role=role
        )
    return contact


@functools.cache
def _contact_lookup() -> tuple[str, list[sql.Part]]:
    columns, parts = sql.select_list(
        (UserContact, "c"), (User, "u"), (Ledger, "l"), (Conversation, "v")
    )
    return (
        f'SELECT {columns}, m."id", m."role"'
        f' FROM "{UserContact._meta.db_table}" c'
        f' JOIN "{User._meta.db_table}" u ON u."id" = c."user_id"'
        f' LEFT JOIN "{Membership._meta.db_table}" m'
        ' ON m."user_id" = u."id" AND m."ledger_id" = u."active_ledger_id"'
        f' LEFT JOIN "{Ledger._meta.db_table}" l ON l."id" = m."ledger_id"'
        f' LEFT JOIN "{Conversation._meta.db_table}" v ON v."user_id" = c."user_id"'
        ' AND v."channel" = c."channel" AND v."chat_id" = c."chat_id"'
        # A user switched off (user_set_access) writes nothing, as their tokens do not.
        ' WHERE c."channel" = %s AND c."chat_id" = %s AND c."is_active" AND u."is_active"'
        ' ORDER BY c."linked_at" DESC, c."id" DESC LIMIT 1'
    ), parts


def contact_for_telegram_id(*, telegram_id: int) -> UserContact | None:
    """The active link of a Telegram account, wherever it writes from (a group: its own
    link, not the group's, which is nobody's contact)."""
    return (
        UserContact.objects.active()
        .select_related("user")
        .filter(channel=Channel.TELEGRAM, telegram_id=telegram_id, user__is_active=True)
        .first()
    )


def contact_set_language(*, contact: UserContact, language: str) -> UserContact:
    contact.language = language
    contact.save(update_fields=["language"])
    return contact


def contact_list(*, user: User) -> list[UserContact]:
    return list(UserContact.objects.filter(user=user, is_active=True).order_by("-linked_at"))
