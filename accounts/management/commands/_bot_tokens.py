"""What the bot token commands share: finding a token and reading durations."""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts import tokens
from accounts.models import ApiToken, User
from ledgers.models import Ledger

DURATION_RE = re.compile(r"^([0-9]+)([smhd]?)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "hours"}


def duration(value: str) -> timedelta:
    """`90m`, `24h`, `7d`, `3600s`; a bare number is hours."""
    match = DURATION_RE.match(value.strip())
    if not match:
        raise CommandError(f"{value!r} is not a duration such as 30m, 24h or 7d.")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


def find_ledger(user: User, name: str) -> Ledger:
    """One of the ledgers `user` belongs to, by its name (any case)."""
    found = list(Ledger.objects.filter(members__user=user, name__iexact=name.strip()))
    if not found:
        raise CommandError(f"{user.username} is in no ledger named {name!r}.")
    if len(found) > 1:
        ids = ", ".join(str(ledger.pk) for ledger in found)
        raise CommandError(f"{user.username} is in several ledgers named {name!r} ({ids}).")
    return found[0]


def find_token(value: str) -> ApiToken:
    """A token by its id, its display prefix (kop_AbC123) or the whole token."""
    candidates = ApiToken.objects.select_related("user")
    if value.isdigit():
        found = list(candidates.filter(pk=int(value)))
    elif tokens.is_well_formed(value):
        found = list(candidates.filter(token_hash=tokens.digest(value)))
    else:
        found = list(candidates.filter(prefix=value))
    if not found:
        raise CommandError(f"No token {value!r} (give its id, its prefix or the token).")
    if len(found) > 1:
        ids = ", ".join(str(t.pk) for t in found)
        raise CommandError(f"The prefix {value!r} names several tokens ({ids}); give an id.")
    return found[0]


def command_error(exc: ValidationError) -> CommandError:
    return CommandError(" ".join(exc.messages))
