"""Who acts, and through which door: what every channel hands the dispatcher."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from audit.models import Source
from core.errors import ActionError
from ledgers.access import LedgerRef
from ledgers.models import Ledger, Membership


@dataclass(frozen=True)
class Caller:
    """A bot token's caller has the token's scopes and acts in the token's ledger; a
    linked messenger contact has the scopes its link grants, no token, and acts in the
    person's active ledger (or the ledger its group is linked to). What the caller may do
    is the lesser of its scopes and the user's role in that ledger. `channel_ref` (a chat
    id, a number) goes into the audit row; `language` is what the replies are written in
    (the user's own when the channel does not say).
    """

    user: User
    scopes: frozenset[str]
    source: Source
    token: ApiToken | None = None
    # A Ledger, its id, or the caller's membership already read; None: the active ledger.
    ledger: LedgerRef = None
    channel_ref: str = ""
    language: str = ""

    def __post_init__(self) -> None:
        if not self.language:
            object.__setattr__(self, "language", self.user.language)

    @classmethod
    def for_token(cls, token: ApiToken, *, source: Source, language: str = "") -> "Caller":
        return cls(
            user=token.user,
            scopes=frozenset(token.scopes),
            source=source,
            token=token,
            # The owner's membership comes with the token's lookup: no query of its own.
            ledger=token.membership or token.ledger_id,
            language=language,
        )

    @property
    def ledger_id(self) -> int | None:
        """The ledger the caller acts in, for the audit row (None: not known yet)."""
        if isinstance(self.ledger, Membership):
            return self.ledger.ledger_id
        if isinstance(self.ledger, Ledger):
            return self.ledger.pk
        return self.ledger if self.ledger is not None else self.user.active_ledger_id

    def may(self, scopes: Iterable[str]) -> bool:
        """True when any one of `scopes` is granted."""
        return any(str(scope) in self.scopes for scope in scopes)


def insufficient_scope(scopes: tuple[str, ...], action: str) -> ActionError:
    needed = _(" or ").join(scopes)
    message = _("This caller lacks the scope %(scope)s, which %(action)s needs.") % {
        "scope": needed,
        "action": action,
    }
    detail = _("Requires %(scope)s.") % {"scope": needed}
    return ActionError(
        status=403,
        error="insufficient_scope",
        message=message,
        details=[{"path": "action", "code": "insufficient_scope", "message": detail}],
    )
