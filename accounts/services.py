"""Writes about people: a user made with their personal ledger, their settings, their
departure; their bot tokens (bound to a ledger they belong to); passwords and access.

accounts sits above the books: making or deleting a person makes or deletes books."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import tokens
from accounts.models import ApiToken, Scope, User
from audit.services import audit_record, audit_redact_user
from core import money, sql
from finance.models import RecurringRule, Transaction
from finance.services.books import categories_translate_defaults, ledger_personal, member_for
from ledgers import access
from ledgers.models import Ledger, Membership

SCOPES_EMPTY = _("Choose at least one scope.")
SCOPE_UNKNOWN = _("Unknown scope: %(scope)s.")
TOKEN_NAME_EMPTY = _("Give the token a name, such as the assistant that will use it.")
EXPIRY_IN_PAST = _("The expiry must be in the future.")
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    email: str = "",
    language: str = User.Language.RU,
    default_currency: str = "RUB",
    timezone_name: str = "Europe/Moscow",
    source: str,
    actor: User | None = None,
) -> User:
    """Create a user with their personal ledger. A None password makes an unusable one."""
    user = User(
        username=username,
        email=email,
        language=language,
        default_currency=money.normalize_code(default_currency),
        timezone=timezone_name,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user_setup(user=user, source=source, actor=actor)


@transaction.atomic
def user_setup(*, user: User, source: str, actor: User | None = None) -> User:
    """Finish a user saved elsewhere (the admin's add form): personal ledger, audit row.

    A user made any other way (createsuperuser, a bare row) gets the ledger on the first
    write, token or cabinet page that needs it (finance.services.books).
    """
    ledger_personal(user=user, activate=True)
    audit_record(source=source, action="user.create", user=user, actor=actor, obj=user)
    return user


@transaction.atomic
def user_update_settings(
    *,
    user: User,
    default_currency: str,
    timezone_name: str,
    language: str,
    source: str,
    actor: User | None = None,
) -> User:
    previous_language = user.language
    user.default_currency = money.normalize_code(default_currency)
    user.timezone = timezone_name
    user.language = language
    user.full_clean()
    user.save(update_fields=["default_currency", "timezone", "language"])
    if language != previous_language:
        categories_translate_defaults(user=user, old=previous_language, new=language)
    # The personal ledger counts in the person's currency; a shared one keeps its own.
    Ledger.objects.filter(personal_for=user).update(default_currency=user.default_currency)
    audit_record(
        source=source,
        action="user.settings",
        actor=actor,
        user=user,
        obj=user,
        details={
            "default_currency": user.default_currency,
            "timezone": user.timezone,
            "language": user.language,
        },
    )
    return user


ACCOUNT_OWNS_LEDGERS = _(
    "You are the only owner of a ledger other people keep too: hand it over to another "
    "member before deleting your account."
)
PASSWORD_INCORRECT = _("That is not your password.")


@transaction.atomic
def account_delete(*, user: User, password: str, source: str) -> None:
    """Delete a person and what only they keep, after they re-enter their password.

    What leaving means (docs/households.md): a ledger nobody else belongs to goes with
    them (their personal one, or one they kept alone); a ledger others belong to stays
    with its books whole, the rows the person recorded or paid naming "a former member"
    (`created_by` and `paid_by` become NULL). Such a ledger always keeps an owner: its
    only owner must hand it over first; with another owner it passes to them, and a
    personal ledger others keep becomes a shared one. The audit log keeps its rows
    about the person without their personal content, and gains one saying so.
    """
    if not password or not user.check_password(password):
        raise ValidationError(PASSWORD_INCORRECT, code="password_incorrect")
    user_id = user.pk
    theirs = Ledger.objects.filter(
        Q(members__user=user) | Q(owner=user) | Q(personal_for=user)
    ).values("pk")
    # The rows of who belongs, locked as every change of membership locks them.
    ledgers = list(Ledger.objects.select_for_update().filter(pk__in=theirs).order_by("pk"))
    members = list(
        Membership.objects.filter(ledger__in=ledgers)
        .order_by("created_at", "pk")
        .values_list("ledger_id", "user_id", "role")
    )
    shared = {ledger_id for ledger_id, member, _role in members if member != user_id}
    kept = [ledger for ledger in ledgers if ledger.pk in shared]
    for ledger in kept:
        owners = [
            m for lid, m, role in members if lid == ledger.pk and role == Membership.Role.OWNER
        ]
        heirs = [m for m in owners if m != user_id]
        if (user_id in owners or ledger.owner_id == user_id) and not heirs:
            raise ValidationError(ACCOUNT_OWNS_LEDGERS, code="ledger_owner")
        if ledger.owner_id == user_id or ledger.personal_for_id == user_id:
            ledger.owner_id = heirs[0] if ledger.owner_id == user_id else ledger.owner_id
            ledger.personal_for = None
            ledger.save(update_fields=["owner", "personal_for"])
    gone = [ledger.pk for ledger in ledgers if ledger.pk not in shared]
    audit_redact_user(user_id=user_id)
    # A ledger's transactions and regular payments go before its categories (a category
    # is protected while either uses it). In the ledgers that stay, the person's rows stay.
    Transaction.objects.filter(ledger__in=gone).delete()
    RecurringRule.objects.filter(ledger__in=gone).delete()
    Ledger.objects.filter(pk__in=gone).delete()
    user.delete()
    audit_record(
        source=source,
        action="account.delete",
        user=None,
        details={"user_id": user_id, "ledgers_kept": [ledger.pk for ledger in kept]},
    )


# Bot tokens


@dataclass(frozen=True)
class IssuedToken:
    """A freshly made token: `raw` exists only here and is shown to the person once."""

    token: ApiToken
    raw: str


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted(set(scopes))
    if not cleaned:
        raise ValidationError(SCOPES_EMPTY, code="scopes_empty")
    for scope in cleaned:
        if scope not in Scope.values:
            raise ValidationError(SCOPE_UNKNOWN, code="scope_unknown", params={"scope": scope})
    return cleaned


def _issue(
    *,
    user: User,
    ledger: Ledger,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> IssuedToken:
    raw = tokens.generate()
    token = ApiToken.objects.create(
        user=user,
        ledger=ledger,
        name=name,
        token_hash=tokens.digest(raw),
        prefix=tokens.display_prefix(raw),
        scopes=scopes,
        expires_at=expires_at,
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_create(
    *,
    user: User,
    ledger: access.LedgerRef = None,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    source: str,
    actor: User | None = None,
) -> IssuedToken:
    """A token of `user` acting in `ledger` (None: their active ledger), of which they
    must be a member; what it may do there is the lesser of `scopes` and their role.
    A person with no ledger at all yet gets their personal one here."""
    member = member_for(user=user, ledger=ledger)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(TOKEN_NAME_EMPTY, code="token_name_empty")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(EXPIRY_IN_PAST, code="expiry_in_past")
    issued = _issue(
        user=user,
        ledger=member.ledger,
        name=name,
        scopes=_clean_scopes(scopes),
        expires_at=expires_at,
    )
    audit_record(
        source=source,
        action="api_token.create",
        user=user,
        ledger=member.ledger,
        actor=actor,
        token=issued.token,
        obj=issued.token,
        details={"name": name, "scopes": issued.token.scopes, "prefix": issued.token.prefix},
    )
    return issued


@transaction.atomic
def api_token_revoke(*, token: ApiToken, source: str, actor: User | None = None) -> ApiToken:
    now = timezone.now()
    # Conditional, so that two revocations at once audit one.
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(
            source=source,
            action="api_token.revoke",
            user=token.user,
            actor=actor,
            token=token,
            obj=token,
            details={"prefix": token.prefix},
        )
    return token


@transaction.atomic
def api_token_rotate(
    *,
    token: ApiToken,
    grace: timedelta = timedelta(hours=24),
    expires_at: datetime | None = None,
    source: str,
    actor: User | None = None,
) -> IssuedToken:
    """Issue a successor with the same name and scopes; the old token works for `grace` more.

    The successor keeps the old token's lifetime unless `expires_at` is given.
    """
    now = timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not token.is_active(now):
        raise ValidationError(_("Only an active token can be rotated."), code="token_inactive")
    if hasattr(token, "replaced_by"):
        raise ValidationError(_("This token has already been rotated."), code="token_rotated")
    if expires_at is None and token.expires_at is not None:
        expires_at = now + (token.expires_at - token.created_at)
    issued = _issue(
        user=token.user,
        ledger=token.ledger,
        name=token.name,
        scopes=token.scopes,
        expires_at=expires_at,
    )
    issued.token.replaces = token
    issued.token.save(update_fields=["replaces"])
    grace_end = now + grace
    if token.expires_at is None or token.expires_at > grace_end:
        token.expires_at = grace_end
        token.save(update_fields=["expires_at"])
    audit_record(
        source=source,
        action="api_token.rotate",
        user=token.user,
        actor=actor,
        token=token,
        obj=issued.token,
        details={
            "old_prefix": token.prefix,
            "new_prefix": issued.token.prefix,
            "old_expires_at": token.expires_at.isoformat(),
        },
    )
    return issued


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token `raw` names, or None. Malformed tokens never reach the database."""
    if not tokens.is_well_formed(raw):
        return None
    now = timezone.now()
    token = _token_with_owner(tokens.digest(raw))
    if token is None or not (token.is_active(now) and token.user.is_active):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: concurrent requests within the minute write once.
        ApiToken.objects.filter(pk=token.pk).exclude(
            last_used_at__gt=now - LAST_USED_RESOLUTION
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def _token_with_owner(token_hash: str) -> ApiToken | None:
    """The token, its user, its ledger and the user's membership of that ledger, in one
    statement: this is the first query of every bot request, and the ORM took about
    1.2 ms to compile it (select_related and two membership subqueries), four times
    what the database took to answer."""
    statement, parts = _token_lookup()
    with connection.cursor() as cursor:
        cursor.execute(statement, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    (token, user, ledger), rest = sql.instances(row, parts)
    token = cast(ApiToken, token)
    token.user, token.ledger = cast(User, user), cast(Ledger, ledger)
    member_id, role = rest
    if member_id is not None:
        token.membership = Membership(pk=member_id, ledger=token.ledger, user=token.user, role=role)
    return token


@functools.cache
def _token_lookup() -> tuple[str, list[sql.Part]]:
    columns, parts = sql.select_list((ApiToken, "t"), (User, "u"), (Ledger, "l"))
    statement = (
        f'SELECT {columns}, m."id", m."role"'
        f' FROM "{ApiToken._meta.db_table}" t'
        f' JOIN "{User._meta.db_table}" u ON u."id" = t."user_id"'
        f' JOIN "{Ledger._meta.db_table}" l ON l."id" = t."ledger_id"'
        f' LEFT JOIN "{Membership._meta.db_table}" m'
        ' ON m."ledger_id" = t."ledger_id" AND m."user_id" = t."user_id"'
        ' WHERE t."token_hash" = %s'
    )
    return statement, parts


# Passwords


@transaction.atomic
def user_set_password(
    *, user: User, password: str | None, source: str, actor: User | None = None
) -> User:
    """Set a new password (already validated by the caller's form) and audit it.

    None makes the password unusable (an operator closing password sign-in)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        source=source,
        action="user.password",
        user=user,
        actor=actor,
        obj=user,
        details={} if password is not None else {"usable": False},
    )
    return user


@transaction.atomic
def user_set_access(
    *,
    user: User,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    source: str,
    actor: User | None = None,
) -> User:
    """Open or close sign-in, the admin and every permission; audited when anything changes."""
    wanted = {"is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    changed = {name: value for name, value in wanted.items() if getattr(user, name) != value}
    if not changed:
        return user
    for name, value in changed.items():
        setattr(user, name, value)
    user.save(update_fields=list(changed))
    audit_record(
        source=source, action="user.access", user=user, actor=actor, obj=user, details=changed
    )
    return user
