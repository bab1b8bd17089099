"""Writes of the messengers: linking codes, contacts, the dialogue, update claims."""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from core import sql
from ledgers import access
from ledgers.models import Ledger, Membership
from ledgers.services import ledger_telegram_link
from messaging.models import (
    Channel,
    Conversation,
    InboundUpdate,
    LinkCode,
    LinkFailure,
    Message,
    PollCursor,
    UserContact,
)

# No look-alikes: no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(minutes=10)
# Wrong codes a chat may send in GUESS_WINDOW before it is refused for the rest of it.
GUESS_LIMIT = 5
GUESS_WINDOW = timedelta(minutes=10)

CODE_WRONG = _("That code is not right. Make a new one in the cabinet (Messengers).")
CODE_USED = _("That code was already used. Make a new one in the cabinet (Messengers).")
CODE_EXPIRED = _("That code has expired. Make a new one in the cabinet (Messengers).")
CODE_GUESSES = _("Too many wrong codes. Wait ten minutes and try again.")
GROUP_SENDER_UNLINKED = _(
    "I do not know you yet: link your own Telegram in the cabinet (Messengers) first, "
    "then send the group's link again."
)
GROUP_SENDER_NOT_MANAGER = _(
    "Only the ledger's owners and managers may link a group to it. The code still works for them."
)


def code_hash(code: str) -> str:
    # Keyed, so a copy of the table alone does not let anyone try all 32^8 codes offline.
    normalized = "".join(code.split()).upper()
    return hmac.new(
        settings.SECRET_KEY.encode(), f"link-code:{normalized}".encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    link: LinkCode


@transaction.atomic
def link_code_create(
    *, user: User, channel: str, source: str, ledger: Ledger | None = None
) -> IssuedCode:
    """A fresh code for `user` on `channel` (with `ledger`: a code linking a group to it);
    the user's earlier unused ones of the same kind stop working."""
    now = timezone.now()
    LinkCode.objects.filter(
        user=user, channel=channel, ledger=ledger, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                link = LinkCode.objects.create(
                    user=user,
                    channel=channel,
                    ledger=ledger,
                    code_hash=code_hash(code),
                    created_at=now,
                    expires_at=now + CODE_LIFETIME,
                )
            break
        except IntegrityError:  # one in 10^12: draw again
            continue
    details: dict[str, Any] = {"channel": channel}
    if ledger is not None:
        details["group"] = True
    audit_record(
        source=source,
        action="link_code.create",
        user=user,
        ledger=ledger,
        obj=link,
        details=details,
    )
    return IssuedCode(code=code, link=link)


def group_code_create(*, user: User, ledger: access.LedgerRef, source: str) -> IssuedCode:
    """A code that links a Telegram group to the ledger; only its managers make one."""
    member = access.member_of(user=user, ledger=ledger, manage=True)
    return link_code_create(
        user=user, channel=Channel.TELEGRAM, source=source, ledger=member.ledger
    )


@dataclass(frozen=True)
class Account:
    """The messenger account that redeems a code."""

    channel: str
    chat_id: str
    telegram_id: int | None = None
    whatsapp_id: str = ""
    phone: str = ""
    display_name: str = ""


def link_code_redeem(*, account: Account, code: str, source: str) -> UserContact:
    """Link `account` to the user whose code this is, or raise ValidationError
    (code_wrong, code_used, code_expired, too_many_guesses). Of two redemptions of
    one code at once exactly one wins: the claim is a single conditional UPDATE."""
    now = timezone.now()
    if _guessing(channel=account.channel, chat_id=account.chat_id, now=now):
        raise ValidationError(CODE_GUESSES, code="too_many_guesses")
    failures = LinkFailure.objects.filter(channel=account.channel, chat_id=account.chat_id)
    digest = code_hash(code)
    with transaction.atomic():
        # A group's code is not a person's: redeemed here it would link this chat to the
        # manager who made it.
        claimed = LinkCode.objects.filter(
            code_hash=digest,
            channel=account.channel,
            ledger__isnull=True,
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
        if claimed:
            link = LinkCode.objects.select_related("user").get(code_hash=digest)
            contact = _contact_link(user=link.user, account=account, source=source)
            link.contact = contact
            link.save(update_fields=["contact"])
            failures.delete()
            return contact
    known = LinkCode.objects.filter(
        code_hash=digest, channel=account.channel, ledger__isnull=True
    ).first()
    _refuse(known, channel=account.channel, chat_id=account.chat_id, now=now)


def _refuse(known: LinkCode | None, *, channel: str, chat_id: str, now: datetime) -> NoReturn:
    """Why a code that could not be claimed was refused (a wrong one counts as a guess)."""
    if known is not None and known.used_at is not None:
        raise ValidationError(CODE_USED, code="code_used")
    if known is not None:
        raise ValidationError(CODE_EXPIRED, code="code_expired")
    LinkFailure.objects.create(channel=channel, chat_id=chat_id, created_at=now)
    raise ValidationError(CODE_WRONG, code="code_wrong")


def _guessing(*, channel: str, chat_id: str, now: datetime) -> bool:
    # Counted in the database, not the cache: a counter that a cache flush resets
    # would let a patient guesser go on for ever.
    failures = LinkFailure.objects.filter(channel=channel, chat_id=chat_id)
    return failures.filter(created_at__gt=now - GUESS_WINDOW).count() >= GUESS_LIMIT


@dataclass(frozen=True)
class LinkedGroup:
    ledger: Ledger
    # The manager's own link, who redeemed the code in the group.
    contact: UserContact


def group_code_redeem(
    *, account: Account, chat_id: int, title: str, code: str, source: str
) -> LinkedGroup:
    """Link the group `chat_id` to the ledger of a group code, when the Telegram account
    that sent it is linked to one of the ledger's managers; otherwise raise ValidationError
    (code_wrong, code_used, code_expired, too_many_guesses, sender_not_linked,
    sender_not_manager, telegram_group_taken). A refused sender leaves the code usable;
    of two redemptions at once exactly one wins (the conditional UPDATE)."""
    now = timezone.now()
    chat = str(chat_id)
    if _guessing(channel=Channel.TELEGRAM, chat_id=chat, now=now):
        raise ValidationError(CODE_GUESSES, code="too_many_guesses")
    digest = code_hash(code)
    known = (
        LinkCode.objects.select_related("ledger")
        .filter(code_hash=digest, channel=Channel.TELEGRAM, ledger__isnull=False)
        .first()
    )
    if known is None or known.used_at is not None or known.expires_at <= now:
        _refuse(known, channel=Channel.TELEGRAM, chat_id=chat, now=now)
    contact = (
        UserContact.objects.active()
        .select_related("user")
        .filter(channel=Channel.TELEGRAM, telegram_id=account.telegram_id, user__is_active=True)
        .first()
        if account.telegram_id is not None
        else None
    )
    if contact is None:
        raise ValidationError(GROUP_SENDER_UNLINKED, code="sender_not_linked")
    try:
        access.member_of(user=contact.user, ledger=known.ledger_id, manage=True)
    except (access.LedgerNotFound, access.LedgerForbidden):
        raise ValidationError(GROUP_SENDER_NOT_MANAGER, code="sender_not_manager") from None
    with transaction.atomic():
        claimed = LinkCode.objects.filter(
            pk=known.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now, contact=contact)
        if not claimed:
            raise ValidationError(CODE_USED, code="code_used")
        ledger = ledger_telegram_link(
            user=contact.user, ledger=known.ledger_id, chat_id=chat_id, title=title, source=source
        )
    LinkFailure.objects.filter(channel=Channel.TELEGRAM, chat_id=chat).delete()
    return LinkedGroup(ledger=ledger, contact=contact)


def _contact_link(*, user: User, account: Account, source: str) -> UserContact:
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


def _contact_end(contact: UserContact, *, reason: str, source: str, now: Any) -> None:
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


@transaction.atomic
def contact_unlink(
    *,
    contact: UserContact,
    source: str,
    reason: str = UserContact.InactiveReason.UNLINKED,
) -> bool:
    """End a link; False when it had already ended."""
    locked = UserContact.objects.select_for_update().filter(pk=contact.pk, is_active=True).first()
    if locked is None:
        return False
    _contact_end(locked, reason=reason, source=source, now=timezone.now())
    contact.refresh_from_db()
    return True


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


def contact_set_language(*, contact: UserContact, language: str) -> UserContact:
    contact.language = language
    contact.save(update_fields=["language"])
    return contact


# The dialogue


_CLAIM_SQL = """
INSERT INTO messaging_inboundupdate (channel, update_id, received_at)
VALUES (%s, %s, %s) ON CONFLICT (channel, update_id) DO NOTHING RETURNING id
"""


def update_claim(*, channel: str, update_id: str) -> bool:
    """Claim an update for handling: False when it was handled (or is being handled).

    Inside the caller's transaction a twin delivery waits on the unique index until
    the first commits, then finds the claim taken; if the first rolls back, the twin
    handles it instead.
    """
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [channel, update_id, timezone.now()])
        return cursor.fetchone() is not None


_TOUCH_SQL = """
INSERT INTO conversations AS c (user_id, channel, chat_id, started_at, last_activity_at)
VALUES (%(user)s, %(channel)s, %(chat)s, %(now)s, %(now)s)
ON CONFLICT (user_id, channel, chat_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at
RETURNING c.id, c.started_at
"""


# How fresh a conversation's last activity is kept: a chat busier than this is
# not written to on every message.
TOUCH_RESOLUTION = timedelta(minutes=1)


def conversation_touch(
    *, user: User, channel: str, chat_id: str, known: Conversation | None = None
) -> Conversation:
    """The user's conversation in this chat, made or marked active now (one upsert,
    written by hand: every message makes it, and the ORM's took 0.5 ms to compile).
    `known`: the conversation as read with the contact; active within the last minute,
    it is used as it is."""
    now = timezone.now()
    if (
        known is not None
        and (known.user_id, known.channel, known.chat_id) == (user.pk, channel, chat_id)
        and now - known.last_activity_at < TOUCH_RESOLUTION
    ):
        return known
    with connection.cursor() as cursor:
        cursor.execute(
            _TOUCH_SQL, {"user": user.pk, "channel": channel, "chat": chat_id, "now": now}
        )
        pk, started_at = cursor.fetchone()
    conversation = Conversation(
        pk=pk,
        user=user,
        channel=channel,
        chat_id=chat_id,
        started_at=started_at,
        last_activity_at=now,
    )
    conversation._state.adding, conversation._state.db = False, connection.alias
    return conversation


def messages_save(*, messages: list[Message]) -> list[Message]:
    sql.insert(messages)
    return messages


def message_sent(*, message: Message, external_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messages SET external_id = %s WHERE id = %s", [external_id, message.pk]
        )
    message.external_id = external_id


def poll_offset_save(*, channel: str, offset: int) -> None:
    PollCursor.objects.update_or_create(
        channel=channel, defaults={"offset": offset, "updated_at": timezone.now()}
    )


@dataclass(frozen=True)
class Purged:
    messages: int
    updates: int


# Telegram redelivers an update for at most 24 hours; claims are kept a little longer.
CLAIM_RETENTION = timedelta(days=2)


def messages_purge(*, days: int | None = None) -> Purged:
    days = settings.MESSAGES_RETENTION_DAYS if days is None else days
    now = timezone.now()
    messages, _kinds = Message.objects.filter(created_at__lt=now - timedelta(days=days)).delete()
    updates, _kinds = InboundUpdate.objects.filter(
        received_at__lt=now - max(CLAIM_RETENTION, timedelta(days=days))
    ).delete()
    LinkFailure.objects.filter(created_at__lt=now - GUESS_WINDOW).delete()
    Conversation.objects.filter(messages__isnull=True).filter(
        last_activity_at__lt=now - timedelta(days=days)
    ).delete()
    return Purged(messages=messages, updates=updates)
