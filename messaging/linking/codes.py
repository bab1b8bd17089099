"""One-time linking codes: a person's own chat (`link_code_*`) or a Telegram group to
a ledger (`group_code_*`). Only a code's HMAC is stored; a code is shown once, expires,
and is redeemed once."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from ledgers import access
from ledgers.models import Ledger
from messaging.linking import contacts, groups
from messaging.models import Channel, GroupLink, LinkCode, LinkFailure, UserContact

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


def link_code_redeem(*, account: contacts.Account, code: str, source: str) -> UserContact:
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
            contact = contacts.contact_link(user=link.user, account=account, source=source)
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
    group: GroupLink
    # The manager's own link, who redeemed the code in the group.
    contact: UserContact

    @property
    def ledger(self) -> Ledger:
        return self.group.ledger


def group_code_redeem(
    *, account: contacts.Account, chat_id: int, title: str, code: str, source: str
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
        contacts.contact_for_telegram_id(telegram_id=account.telegram_id)
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
        link = groups.group_link(
            user=contact.user, ledger=known.ledger_id, chat_id=chat_id, title=title, source=source
        )
    LinkFailure.objects.filter(channel=Channel.TELEGRAM, chat_id=chat).delete()
    return LinkedGroup(group=link, contact=contact)


def failures_purge(*, now: datetime) -> int:
    """Forget wrong codes older than the window they count in; returns how many."""
    deleted, _kinds = LinkFailure.objects.filter(created_at__lt=now - GUESS_WINDOW).delete()
    return deleted
