"""Opening the books: a ledger made with its default categories (a shared one, or a
person's personal one), and the ledger a write goes to.

A person gets their personal ledger when they are made (`accounts.services.user_create`).
One made around the services (createsuperuser, a script's bare row) has none yet: the
first write, token or cabinet page that needs one makes it here. The permission check
(`ledgers.access`) only reads.
"""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import money
from finance.defaults import DEFAULT_CATEGORIES
from finance.models import Category, CategoryAlias
from finance.rules import normalize_alias
from finance.services.parser_cache import categories_changed
from ledgers import access
from ledgers import services as ledger_services
from ledgers.models import Ledger, Membership

if TYPE_CHECKING:
    from accounts.models import User

LEDGER_NAME_EMPTY = _("A ledger needs a name.")


def member_for(
    *, user: "User", ledger: access.LedgerRef = None, write: bool = False, manage: bool = False
) -> Membership:
    """The user's membership of `ledger` (None: their active ledger), as `access.member_of`
    decides it; a person with no ledger at all yet gets their personal one on this need."""
    try:
        return access.member_of(user=user, ledger=ledger, write=write, manage=manage)
    except access.NoLedgerYet:
        ledger_personal(user=user, activate=True)
    return access.member_of(user=user, write=write, manage=manage)


def ledger_for_write(user: "User | None", ledger: access.LedgerRef) -> Ledger:
    """The ledger a write goes to, when `user` is a member who may write there.

    None for `user` is an operator in the admin, who names the ledger (a Ledger).
    """
    if user is None:
        assert isinstance(ledger, Ledger), "an operator's write names its ledger"
        return ledger
    return member_for(user=user, ledger=ledger, write=True).ledger


def ledger_personal(*, user: "User", activate: bool = False) -> Ledger:
    """The person's personal ledger, made (with the default categories) on first need.

    Safe under concurrency: `personal_for` is unique, so of two requests making it at
    once one inserts and the other reads the winner's row.
    """
    ledger = Ledger.objects.filter(personal_for=user).first()
    if ledger is None:
        try:
            with transaction.atomic():
                ledger = Ledger.objects.create(
                    name=user.username,
                    owner=user,
                    default_currency=user.default_currency,
                    personal_for=user,
                )
                Membership.objects.create(ledger=ledger, user=user, role=Membership.Role.OWNER)
                categories_create_defaults(ledger=ledger, language=user.language)
        except IntegrityError:
            ledger = Ledger.objects.get(personal_for=user)
    if activate and user.active_ledger_id != ledger.pk:
        get_user_model().objects.filter(pk=user.pk).update(active_ledger=ledger)
        user.active_ledger = ledger
    return ledger


@transaction.atomic
def ledger_create(
    *, user: "User", name: str, default_currency: str | None = None, source: str
) -> Ledger:
    """A new shared ledger owned by `user`, with the default categories in their language."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(LEDGER_NAME_EMPTY, code="ledger_name_empty")
    currency = money.normalize_code(default_currency or user.default_currency)
    ledger = Ledger(name=name[:100], owner=user, default_currency=currency)
    ledger.full_clean(exclude=["owner"])
    ledger.save()
    Membership.objects.create(ledger=ledger, user=user, role=Membership.Role.OWNER)
    categories_create_defaults(ledger=ledger, language=user.language)
    audit_record(
        source=source,
        action="ledger.create",
        user=user,
        ledger=ledger,
        obj=ledger,
        details={"name": ledger.name, "default_currency": currency},
    )
    return ledger


@transaction.atomic
def categories_create_defaults(*, ledger: Ledger, language: str) -> list[Category]:
    """Give a new ledger the default categories, named in `language`, with keywords."""
    categories = Category.objects.bulk_create(
        Category(ledger=ledger, kind=d.kind, slug=d.slug, name=d.name(language))
        for d in DEFAULT_CATEGORIES
    )
    aliases = []
    for category, default in zip(categories, DEFAULT_CATEGORIES, strict=True):
        words = {normalize_alias(w) for w in default.words()}
        aliases += [
            CategoryAlias(category=category, word=w, source=CategoryAlias.Source.DEFAULT)
            for w in sorted(words)
        ]
    CategoryAlias.objects.bulk_create(aliases)
    categories_changed(ledger)
    return categories


def categories_translate_defaults(*, user: "User", old: str, new: str) -> list[Category]:
    """Rename the default categories of the person's personal ledger that they have not
    renamed into their new language (a shared ledger keeps its names for everyone).

    The old names stay keywords, so what the person types keeps landing where it did.
    """
    defaults = {d.slug: d for d in DEFAULT_CATEGORIES}
    renamed = []
    personal = Category.objects.filter(ledger__personal_for=user)
    for category in personal.filter(slug__in=list(defaults)):
        default = defaults[category.slug]
        target = default.name(new)
        if category.name != default.name(old) or category.name == target:
            continue
        clash = Category.objects.filter(
            ledger_id=category.ledger_id, kind=category.kind, name__iexact=target
        )
        if clash.exists():
            continue  # the person made a category of that name themselves
        category.name = target
        category.save(update_fields=["name"])
        renamed.append(category)
    for ledger_id in {c.ledger_id for c in renamed}:
        categories_changed(ledger_id)
    return renamed


@transaction.atomic
def member_remove(
    *, user: "User", ledger: access.LedgerRef, member_user: "User", source: str
) -> None:
    """A member leaves the ledger or is removed (`ledgers.services.member_remove`): the
    books keep their rows, naming them as a former member; the keywords their own
    corrections taught there (theirs alone, applied only to what they record) go with
    them."""
    member = access.member_of(user=user, ledger=ledger)
    ledger_services.member_remove(user=user, ledger=member, member_user=member_user, source=source)
    learned = CategoryAlias.objects.filter(category__ledger_id=member.ledger_id, user=member_user)
    if learned.delete()[0]:
        categories_changed(member.ledger_id)
