"""Telegram groups linked to a ledger: its members keep the ledger's books there.

One group per ledger, one ledger per group. A manager links a group (with a group code,
`messaging.linking.codes`) and unlinks it in the cabinet; Telegram says when the group
became a supergroup (a new id), was renamed, or the bot left it. The audit rows are
the ledger's (`ledger.telegram_*`), about the ledger.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from ledgers import access
from ledgers.models import Ledger
from messaging.models import GroupLink

GROUP_TAKEN = _(
    "This group already keeps the books of another ledger; a manager of that ledger "
    "unlinks it first."
)


def _title(title: str) -> str:
    return " ".join(title.split())[:255]


def _lock(ledger_id: int) -> Ledger:
    # A link changes under the ledger's row lock, as the ledger's membership does:
    # two managers linking at once take turns.
    return Ledger.objects.select_for_update().get(pk=ledger_id)


@transaction.atomic
def group_link(
    *, user: User, ledger: access.LedgerRef, chat_id: int, title: str, source: str
) -> GroupLink:
    """Link the Telegram group `chat_id` to the ledger (a manager's doing). A group the
    ledger had before is let go."""
    member = access.member_of(user=user, ledger=ledger, manage=True)
    locked = _lock(member.ledger_id)
    if GroupLink.objects.filter(chat_id=chat_id).exclude(ledger=locked).exists():
        raise ValidationError(GROUP_TAKEN, code="telegram_group_taken")
    link = GroupLink.objects.filter(ledger=locked).first() or GroupLink()
    link.ledger = locked
    previous = link.chat_id if link.pk is not None else None
    link.chat_id, link.title, link.linked_at = chat_id, _title(title), timezone.now()
    try:
        # Two ledgers claiming one group at once: the unique index lets one through.
        with transaction.atomic():
            link.save()
    except IntegrityError:
        raise ValidationError(GROUP_TAKEN, code="telegram_group_taken") from None
    audit_record(
        source=source,
        action="ledger.telegram_link",
        user=user,
        ledger=locked,
        obj=locked,
        details={"chat": chat_id, "title": link.title, "replaced": previous},
    )
    return link


def _end(link: GroupLink, *, user: User | None, source: str, reason: str) -> None:
    link.delete()
    audit_record(
        source=source,
        action="ledger.telegram_unlink",
        user=user,
        ledger=link.ledger_id,
        obj=link.ledger,
        details={"chat": link.chat_id, "reason": reason},
    )


@transaction.atomic
def group_unlink(*, user: User, ledger: access.LedgerRef, source: str) -> GroupLink | None:
    """A manager ends the ledger's group link; returns the link ended (None: there was none)."""
    member = access.member_of(user=user, ledger=ledger, manage=True)
    locked = _lock(member.ledger_id)
    link = GroupLink.objects.filter(ledger=locked).first()
    if link is None:
        return None
    link.ledger = locked
    _end(link, user=user, source=source, reason="unlinked")
    return link


@transaction.atomic
def group_removed(*, chat_id: int, source: str) -> GroupLink | None:
    """The bot left the group or was removed from it: the group's link ends."""
    link = (
        GroupLink.objects.select_for_update()
        .select_related("ledger")
        .filter(chat_id=chat_id)
        .first()
    )
    if link is None:
        return None
    _end(link, user=None, source=source, reason="bot_removed")
    return link


@transaction.atomic
def group_migrated(*, chat_id: int, new_chat_id: int, source: str) -> GroupLink | None:
    """A group that became a supergroup has a new id: its link follows it. Telegram says
    so twice (in the old chat and in the new one); the second time finds nothing to do."""
    link = (
        GroupLink.objects.select_for_update()
        .select_related("ledger")
        .filter(chat_id=chat_id)
        .first()
    )
    if link is None or GroupLink.objects.filter(chat_id=new_chat_id).exists():
        return None
    link.chat_id = new_chat_id
    try:
        # The new chat linked elsewhere meanwhile: the unique index says so; keep that.
        with transaction.atomic():
            link.save(update_fields=["chat_id"])
    except IntegrityError:
        return None
    audit_record(
        source=source,
        action="ledger.telegram_migrate",
        ledger=link.ledger_id,
        obj=link.ledger,
        details={"chat": chat_id, "new_chat": new_chat_id},
    )
    return link


def group_retitled(*, chat_id: int, title: str) -> None:
    """Keep the title the cabinet shows as the group's own."""
    GroupLink.objects.filter(chat_id=chat_id).update(title=_title(title))


def group_ledger(*, chat_id: int) -> Ledger | None:
    """The ledger a Telegram group is linked to, if any."""
    link = GroupLink.objects.select_related("ledger").filter(chat_id=chat_id).first()
    return link.ledger if link is not None else None


def group_of(*, ledger: Ledger) -> GroupLink | None:
    """The group linked to `ledger`, if any (asked by its member: access is decided)."""
    return GroupLink.objects.filter(ledger=ledger).first()
