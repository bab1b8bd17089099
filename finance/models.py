from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import money

if TYPE_CHECKING:
    from ledgers.models import Ledger

CURRENCY_CODE_CHECK = models.Q(currency__regex=r"^[A-Z]{3}$")


class Kind(models.TextChoices):
    EXPENSE = "expense", _("Expense")
    INCOME = "income", _("Income")
    # Money back for a purchase (a receipt's "возврат прихода", a bank's "Возврат"): filed
    # under an expense category, whose spending in the refund's month it lowers.
    REFUND = "refund", _("Refund")

    @property
    def category_kind(self) -> "Kind":
        """The kind of the categories a transaction of this kind is filed under."""
        return Kind.EXPENSE if self is Kind.REFUND else self


# A category is for spending or for income; a refund is filed under a spending one.
CATEGORY_KINDS = [(k.value, k.label) for k in (Kind.EXPENSE, Kind.INCOME)]


def signed_amount_sql(alias: str) -> str:
    """`alias`'s amount as it counts in its category's figures, in SQL: a refund negative."""
    return (
        f"CASE WHEN {alias}.kind = '{Kind.REFUND.value}' "
        f"THEN -{alias}.amount ELSE {alias}.amount END"
    )


class CategoryQuerySet(models.QuerySet["Category"]):
    def for_ledger(self, ledger: "Ledger") -> "CategoryQuerySet":
        return self.filter(ledger=ledger)

    def active(self) -> "CategoryQuerySet":
        return self.filter(is_archived=False)


class Category(models.Model):
    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="categories")
    kind = models.CharField(_("kind"), max_length=7, choices=CATEGORY_KINDS)
    slug = models.SlugField(_("slug"), max_length=50, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "slug"], name="finance_category_unique_ledger_slug"
            ),
            models.UniqueConstraint(
                "ledger", "kind", Lower("name"), name="finance_category_unique_ledger_name"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _label in CATEGORY_KINDS]),
                name="finance_category_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CategoryAlias(models.Model):
    """A keyword that files a transaction under its category (`кофе` -> cafe).

    Aliases belong to the ledger's category: defaults are copied into each new
    ledger. A learned one also names the person whose correction taught it (`user`),
    and applies only to what that person records.
    """

    class Source(models.TextChoices):
        DEFAULT = "default", _("Default")
        USER = "user", _("Added by the user")
        LEARNED = "learned", _("Learned from a correction")

    category = models.ForeignKey(Category, models.CASCADE, related_name="aliases")
    word = models.CharField(_("word"), max_length=100)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.USER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="learned_aliases",
        help_text="Whose correction taught it; empty for the ledger's own keywords.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "category aliases"
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "word", "user"],
                nulls_distinct=False,
                name="finance_alias_unique_word_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.word


class TransactionQuerySet(models.QuerySet["Transaction"]):
    def for_ledger(self, ledger: "Ledger") -> "TransactionQuerySet":
        return self.filter(ledger=ledger)


class Transaction(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        BOT = "bot", _("Bot")
        TELEGRAM = "telegram", "Telegram"
        WHATSAPP = "whatsapp", "WhatsApp"
        MCP = "mcp", "MCP"
        ADMIN = "admin", _("Admin")
        IMPORT = "import", _("Imported file")

    # The (ledger, date) and (category, date) indexes below serve these foreign keys too.
    ledger = models.ForeignKey(
        "ledgers.Ledger", models.CASCADE, related_name="transactions", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="transactions",
        verbose_name=_("recorded by"),
    )
    # A member of the ledger (or one who was: a removed member's rows stay theirs).
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="paid_transactions",
        verbose_name=_("paid by"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        related_name="transactions",
        verbose_name=_("category"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    text = models.TextField(_("original text"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TransactionQuerySet.as_manager()
    # Not stored: set by services.record_from_text to whether the text's words chose the
    # category (False: nothing in it did, so it went to the fallback). None otherwise.
    category_guessed: bool | None = None

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            # Every read is one ledger's month: the summary, the cabinet's list. A plain
            # ledger_id index would tempt the planner to read the ledger's whole history.
            models.Index(fields=["ledger", "date"], name="finance_tx_ledger_date"),
            models.Index(fields=["category", "date"], name="finance_tx_category_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=Decimal(0)),
                name="finance_transaction_amount_positive",
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_transaction_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.currency} {self.note}".strip()


class BudgetItem(models.Model):
    """The amount planned for one category in one month (`month` is the month's first day)."""

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="budget_items")
    month = models.DateField(_("month"))
    category = models.ForeignKey(
        Category, models.CASCADE, related_name="budget_items", verbose_name=_("category")
    )
    planned_amount = models.DecimalField(_("planned amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[money.validate_code])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "category__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "month", "category"],
                name="finance_budgetitem_unique_ledger_month",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_amount__gte=Decimal(0)),
                name="finance_budgetitem_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="finance_budgetitem_month_first_day"
            ),
            models.CheckConstraint(
                condition=CURRENCY_CODE_CHECK, name="finance_budgetitem_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category}: {self.planned_amount} {self.currency}"


class ExchangeRate(models.Model):
    """1 `base` = `rate` `quote` on `date`, as `source` published it."""

    class Source(models.TextChoices):
        ECB = "ecb", _("European Central Bank")
        CBR = "cbr", _("Bank of Russia")
        FILE = "file", _("Imported file")

    date = models.DateField()
    base = models.CharField(max_length=3, validators=[money.validate_code])
    quote = models.CharField(max_length=3, validators=[money.validate_code])
    rate = models.DecimalField(max_digits=20, decimal_places=10)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.FILE)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "base", "quote"]
        constraints = [
            # Two sources may publish the same pair (EUR/RUB before 2022): each keeps its
            # own. Also the index behind "the latest rate on or before a date".
            models.UniqueConstraint(
                fields=["base", "quote", "date", "source"], name="finance_exchangerate_unique_day"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=Decimal(0)), name="finance_exchangerate_rate_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")),
                name="finance_exchangerate_distinct_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} 1 {self.base} = {self.rate} {self.quote} ({self.source})"


class ExchangeRateRequest(models.Model):
    """A rate a transaction needs and the table lacks (finance.rates.store records it):
    `fetch_rates`, on its timer, fetches from the oldest such day and deletes the
    requests it satisfied."""

    base = models.CharField(max_length=3, validators=[money.validate_code])
    quote = models.CharField(max_length=3, validators=[money.validate_code])
    date = models.DateField()
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "date"], name="finance_exchangeraterequest_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.base}/{self.quote}"


class Receipt(models.Model):
    """A cash receipt (54-ФЗ) recorded from its QR code, with the transaction it became.

    One receipt (`fn` + `i` + `fp`) is recorded once per ledger, whatever the channel: the
    unique index decides between two people sending the same photo at once. The QR's
    fields are kept as printed (`issued_on` and `issued_at_time`: the receipt's own local
    time, never shifted); the seller and the items come later from a receipt-checking
    service, where one is configured.
    """

    class Kind(models.IntegerChoices):
        PURCHASE = 1, _("Purchase")
        PURCHASE_REFUND = 2, _("Refund of a purchase")
        PAYOUT = 3, _("Payout")
        PAYOUT_REFUND = 4, _("Refund of a payout")

    ledger = models.ForeignKey("ledgers.Ledger", models.CASCADE, related_name="receipts")
    # Undoing the transaction forgets the receipt: it may be recorded again.
    transaction = models.OneToOneField(Transaction, models.CASCADE, related_name="receipt")
    fn = models.CharField(_("fiscal drive"), max_length=16)
    i = models.BigIntegerField(_("document number"))
    fp = models.BigIntegerField(_("fiscal sign"))
    n = models.PositiveSmallIntegerField(_("kind of settlement"), choices=Kind.choices)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    issued_on = models.DateField(_("date"))
    issued_at_time = models.TimeField(_("time"))
    qr_text = models.CharField(_("QR code"), max_length=200)
    # Whether the caption's or the caller's words chose the category (False: the
    # ledger's fallback, which the items may still replace).
    category_chosen = models.BooleanField(default=False)
    seller = models.CharField(_("seller"), max_length=255, blank=True)
    seller_inn = models.CharField(_("seller's INN"), max_length=12, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    items_checked_at = models.DateTimeField(_("items fetched"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ledger", "fn", "i", "fp"], name="finance_receipt_unique_per_ledger"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gt=Decimal(0)), name="finance_receipt_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fn}:{self.i}:{self.fp} {self.total}"


class ReceiptItem(models.Model):
    """One line of a receipt, as the receipt-checking service gave it (money in roubles)."""

    receipt = models.ForeignKey(Receipt, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=500)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    amount = models.DecimalField(_("sum"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["receipt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt", "position"], name="finance_receiptitem_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class ImportBatch(models.Model):
    """One imported CSV file, by the SHA-256 of its bytes: the same file imports once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="imports")
    digest = models.CharField(max_length=64)
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="finance_importbatch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.digest[:12]} ({self.rows})"
