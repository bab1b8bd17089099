"""Writes about ledgers themselves: switching, inviting, leaving, handing over.

A ledger is made with its default categories, so making one is finance's
(`finance.services.books`).
"""

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from ledgers import access
from ledgers.models import INVITE_LIFETIME, Invite, Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

INVITE_ROLE_INVALID = _("An invitation makes a manager, a member or a read-only member.")
INVITE_INVALID = _("This invitation is unknown, used or expired.")
ALREADY_MEMBER = _("You are already a member of this ledger.")
LAST_OWNER = _("The last owner cannot leave; hand the ledger over to another member first.")
NOT_A_MEMBER = _("That person is not a member of this ledger.")
OWNER_REMOVAL = _("Only an owner may remove an owner or a manager.")
TRANSFER_TO_SELF = _("Choose another member to hand the ledger to: you own it already.")
INVITABLE_ROLES = (Membership.Role.MANAGER, Membership.Role.MEMBER, Membership.Role.READONLY)


def ledger_activate(*, user: "User", ledger: access.LedgerRef, source: str) -> Ledger:
    """Make `ledger` the one the person's records go to by default."""
    member = access.member_of(user=user, ledger=ledger)
    if user.active_ledger_id != member.ledger_id:
        get_user_model().objects.filter(pk=user.pk).update(active_ledger=member.ledger)
        user.active_ledger = member.ledger
        audit_record(
            source=source, action="ledger.activate", user=user, ledger=member.ledger, obj=user
        )
    return member.ledger


# Invitations


@dataclass(frozen=True)
class IssuedInvite:
    """A fresh invitation: `code` exists only here and is shown to the manager once."""

    invite: Invite
    code: str


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


@transaction.atomic
def invite_create(
    *, user: "User", ledger: access.LedgerRef, role: str, source: str
) -> IssuedInvite:
    member = access.member_of(user=user, ledger=ledger, manage=True)
    if role not in INVITABLE_ROLES:
        raise ValidationError(INVITE_ROLE_INVALID, code="invite_role_invalid")
    code = secrets.token_urlsafe(18)
    invite = Invite.objects.create(
        ledger=member.ledger,
        role=role,
        code_hash=_digest(code),
        created_by=user,
        expires_at=timezone.now() + INVITE_LIFETIME,
    )
    audit_record(
        source=source,
        action="ledger.invite",
        user=user,
        ledger=member.ledger,
        obj=invite,
        details={"role": role, "expires_at": invite.expires_at.isoformat()},
    )
    return IssuedInvite(invite=invite, code=code)


def invite_find(*, code: str) -> Invite:
    """The usable invitation `code` names (with its ledger), for the page that shows it."""
    invite = Invite.objects.select_related("ledger").filter(code_hash=_digest(code)).first()
    if invite is None or not invite.is_usable():
        raise ValidationError(INVITE_INVALID, code="invite_invalid")
    return invite


@transaction.atomic
def invite_accept(*, user: "User", code: str, source: str) -> Membership:
    """Join the invitation's ledger in its role; the invitation is then spent.

    Two redemptions of one invitation at once: the conditional UPDATE lets exactly one
    claim it; one person through two at once: the ledger's lock lets one in.
    """
    invite = invite_find(code=code)
    # Who belongs changes under the ledger's lock: the same person joining through two
    # invitations at once finds, the second time, that they belong already.
    _lock(invite.ledger_id)
    if Membership.objects.filter(ledger_id=invite.ledger_id, user=user).exists():
        raise ValidationError(ALREADY_MEMBER, code="already_member")
    now = timezone.now()
    claimed = Invite.objects.filter(pk=invite.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now, used_by=user
    )
    if not claimed:
        raise ValidationError(INVITE_INVALID, code="invite_invalid")
    member = Membership.objects.create(ledger=invite.ledger, user=user, role=invite.role)
    audit_record(
        source=source,
        action="ledger.join",
        user=user,
        ledger=invite.ledger,
        obj=member,
        details={"role": invite.role, "invite": invite.pk},
    )
    return member


# Leaving, removal, handing over


def _lock(ledger_id: int) -> Ledger:
    # Every change of who belongs takes the ledger's row first, so that two owners
    # leaving at once cannot both see the other one stay.
    return Ledger.objects.select_for_update().get(pk=ledger_id)


@transaction.atomic
def member_remove(
    *, user: "User", ledger: access.LedgerRef, member_user: "User", source: str
) -> None:
    """Remove `member_user` from the ledger (themselves: leave). Their transactions stay,
    still naming who recorded and paid them; their tokens for the ledger are revoked."""
    actor = access.member_of(user=user, ledger=ledger, manage=user.pk != member_user.pk)
    locked = _lock(actor.ledger_id)
    target = Membership.objects.filter(ledger=locked, user=member_user).first()
    if target is None:
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    if (
        user.pk != member_user.pk
        and target.role in (Membership.Role.OWNER, Membership.Role.MANAGER)
        and actor.role != Membership.Role.OWNER
    ):
        raise access.LedgerForbidden(str(OWNER_REMOVAL), "ledger_not_owner")
    if target.role == Membership.Role.OWNER:
        owners = Membership.objects.filter(ledger=locked, role=Membership.Role.OWNER).count()
        if owners <= 1:
            raise ValidationError(LAST_OWNER, code="last_owner")
    target.delete()
    get_user_model().objects.filter(pk=member_user.pk, active_ledger=locked).update(
        active_ledger=None
    )
    locked.api_tokens.filter(user=member_user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        source=source,
        action="ledger.leave" if user.pk == member_user.pk else "ledger.remove",
        user=user,
        ledger=locked,
        obj=locked,
        details={"member": member_user.pk, "role": target.role},
    )


@transaction.atomic
def ownership_transfer(
    *, user: "User", ledger: access.LedgerRef, to: "User", source: str
) -> Ledger:
    """Hand the ledger to another member: they become its owner, `user` a manager."""
    actor = access.member_of(user=user, ledger=ledger)
    if actor.role != Membership.Role.OWNER:
        raise access.LedgerForbidden(str(access.LEDGER_NOT_OWNER), "ledger_not_owner")
    if to.pk == user.pk:
        # (It would only have turned a personal ledger into a shared one of one.)
        raise ValidationError(TRANSFER_TO_SELF, code="transfer_to_self")
    locked = _lock(actor.ledger_id)
    target = Membership.objects.filter(ledger=locked, user=to).first()
    if target is None:
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    target.role = Membership.Role.OWNER
    target.save(update_fields=["role"])
    Membership.objects.filter(pk=actor.pk).update(role=Membership.Role.MANAGER)
    locked.owner = to
    # A ledger handed over is nobody's personal one any more; the giver gets a new
    # personal ledger on their next need.
    locked.personal_for = None
    locked.save(update_fields=["owner", "personal_for"])
    audit_record(
        source=source,
        action="ledger.transfer",
        user=user,
        ledger=locked,
        obj=locked,
        details={"from": user.pk, "to": to.pk},
    )
    return locked
