"""Cabinet pages of the money domain: dashboard, transactions, budget, categories."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core import db, i18n
from finance import charts, forms
from finance.models import Capture, Category, CategoryAlias, Kind, Transaction
from finance.months import add_months, is_past, parse_month
from finance.readers.receipts import (
    MAX_IMAGE_BYTES,
    FileTooLarge,
    FiscalReceipt,
    ReceiptError,
    parse_fiscal_qr,
    read_receipt_photo,
)
from finance.selectors.budget import budget_page
from finance.selectors.forecast import forecast_for
from finance.selectors.receipts import receipt_of
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals
from finance.selectors.transactions import transaction_list
from finance.services.bank_messages import Item, bank_messages_record
from finance.services.budget import budget_copy_previous_month, budget_month_update
from finance.services.captures import capture_record_separately
from finance.services.categories import category_archive, category_create, category_update
from finance.services.receipts import receipt_problem, receipt_record
from finance.services.text import record_from_text
from finance.services.transactions import transaction_create, transaction_delete, transaction_update
from ledgers import access
from ledgers.models import Ledger, Membership

PAGE_SIZE = 50


def _member(request: AuthenticatedHttpRequest, *, write: bool = False) -> Membership:
    """The person's membership of their active ledger; anything but a read needs the
    right to write (a read-only member gets 403 however the page is reached)."""
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    return access.member_of(user=request.user, write=write or unsafe)


def _month(request: AuthenticatedHttpRequest, value: str | None) -> date:
    """The month a page shows: `value` (YYYY-MM) or, when absent or bad, this month."""
    if value:
        try:
            return parse_month(value)
        except ValidationError as e:
            messages.warning(request, " ".join(e.messages))
    return request.user.today().replace(day=1)


def _month_nav(month: date) -> dict[str, date]:
    return {
        "month": month,
        "previous_month": add_months(month, -1),
        "next_month": add_months(month, 1),
    }


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    ledger = member.ledger
    month = _month(request, request.GET.get("month"))
    currency = request.GET.get("currency") or ledger.default_currency
    context: dict[str, object] = {**_month_nav(month), "currency": currency}
    # A past month's summary and the 12-month chart may be read a little behind (from
    # the replica); this month's summary, which the person may have just recorded, not.
    past = is_past(month, today=request.user.today())
    try:
        summary = monthly_summary(
            user=request.user,
            ledger=member,
            month=month,
            currency=currency,
            using=db.heavy_reads() if past else db.PRIMARY,
        )
        totals = monthly_totals(
            user=request.user,
            ledger=member,
            last_month=month,
            currency=currency,
            using=db.heavy_reads(),
        )
    except ValidationError as e:  # an unknown currency, or a missing rate named with its date
        context["error"] = " ".join(e.messages)
    else:
        context |= {
            "summary": summary,
            "category_chart": charts.category_chart(summary.categories),
            "month_chart": charts.month_chart(totals, current=month),
            "over_budget": [line for line in summary.categories if line.over_budget],
            # An income is received, not spent, and has nothing remaining: a table of its own.
            "expenses": [line for line in summary.categories if line.kind == Kind.EXPENSE],
            "incomes": [line for line in summary.categories if line.kind == Kind.INCOME],
            # Who paid what in a shared ledger, or once more than one person has paid (a
            # personal ledger of one shows none); their share where splits exist.
            "members": (
                summary.members
                if len(summary.members) > 1 or (summary.members and ledger.personal_for_id is None)
                else []
            ),
            "members_share": any(m.share for m in summary.members),
            # The current month only: where it is heading (docs/recurring.md).
            "forecast": forecast_for(user=request.user, ledger=member, summary=summary),
        }
    return render(request, "finance/dashboard.html", context)


@login_required
def transactions(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    ledger = member.ledger
    form = forms.TransactionFilterForm(request.GET or None, ledger=ledger)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    category = filters.get("category")
    paid_by = filters.get("paid_by")
    rows = transaction_list(
        user=request.user,
        ledger=member,
        month=filters.get("month"),
        category_id=category.pk if category else None,
        kind=filters.get("kind") or None,
        source=filters.get("source") or None,
        paid_by_id=paid_by.pk if paid_by else None,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "show_payer": "paid_by" in form.fields,
        # Who belongs now: anyone else named on a row is a former member.
        "member_ids": set(ledger.members.values_list("user_id", flat=True)),
    }
    return render(request, "finance/transactions.html", context)


def _add_page(
    request: AuthenticatedHttpRequest,
    text_form: forms.TextEntryForm,
    form: forms.TransactionForm,
    preview: Transaction | None = None,
    bank_form: forms.BankMessagesForm | None = None,
    bank_items: list[Item] | None = None,
    *,
    receipt_form: forms.ReceiptForm | None = None,
    ledger: Ledger,
) -> HttpResponse:
    context = {
        "text_form": text_form,
        "form": form,
        "preview": preview,
        "bank_form": bank_form or forms.BankMessagesForm(auto_id="bank_%s"),
        "bank_items": bank_items,
        "receipt_form": receipt_form or forms.ReceiptForm(ledger=ledger, auto_id="receipt_%s"),
    }
    return render(request, "finance/add_transaction.html", context)


@login_required
def add_transaction(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    ledger = member.ledger
    text_form = forms.TextEntryForm(auto_id="text_%s")
    form = forms.TransactionForm(request.POST or None, user=request.user, ledger=ledger)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tx = transaction_create(
                user=request.user,
                ledger=member,
                kind=data["kind"],
                amount=data["amount"],
                currency=data["currency"],
                category=data["category"],
                date=data["date"],
                note=data["note"],
                source="web",
                split=form.split(),
            )
        except ValidationError as e:
            forms.add_service_error(form, e)
        else:
            return _recorded(request, tx)
    return _add_page(request, text_form, form, ledger=ledger)


def _recorded(request: AuthenticatedHttpRequest, tx: Transaction) -> HttpResponse:
    # The amount and the day as the person reads them ("3 200,00 ₽", "24 ноября").
    values = {
        "amount": i18n.money_text(tx.amount, tx.currency),
        "category": tx.category.name,
        "day": i18n.day_text(tx.date, request.user.today()),
    }
    messages.success(request, _("Recorded: %(amount)s, %(category)s, %(day)s.") % values)
    return redirect(reverse("finance:add_transaction"))


@login_required
@require_POST
def add_transaction_text(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record free text the way the bot would; the "preview" button only shows the result."""
    member = _member(request, write=True)
    ledger = member.ledger
    text_form = forms.TextEntryForm(request.POST, auto_id="text_%s")
    form = forms.TransactionForm(user=request.user, ledger=ledger)
    preview = None
    if text_form.is_valid():
        dry_run = "preview" in request.POST
        try:
            tx = record_from_text(
                user=request.user,
                ledger=member,
                kind=text_form.cleaned_data["kind"],
                text=text_form.cleaned_data["text"],
                source="web",
                dry_run=dry_run,
            )
        except ValidationError as e:
            forms.add_service_error(text_form, e)
        else:
            if not dry_run:
                return _recorded(request, tx)
            preview = tx
    return _add_page(request, text_form, form, preview, ledger=ledger)


@login_required
@require_POST
def add_receipt(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record a receipt by its photo or its QR code's text, once per ledger."""
    member = _member(request, write=True)
    ledger = member.ledger
    receipt_form = forms.ReceiptForm(
        request.POST, request.FILES, ledger=ledger, auto_id="receipt_%s"
    )
    if receipt_form.is_valid():
        data = receipt_form.cleaned_data
        try:
            recorded = receipt_record(
                user=request.user,
                ledger=member,
                receipt=_fiscal_receipt(data["photo"], data["qr"]),
                category=data["category"],
                text=data["text"],
                source="web",
            )
        except ValidationError as e:
            forms.add_service_error(receipt_form, e)
        else:
            if not recorded.duplicate:
                return _recorded(request, recorded.transaction)
            tx = recorded.transaction
            messages.info(
                request,
                _("This receipt is already recorded: %(what)s")
                % {"what": f"{tx.amount} {tx.currency}, {tx.category.name}, {tx.date:%d.%m.%Y}"},
            )
            return redirect(reverse("finance:edit_transaction", args=[tx.pk]))
    text_form = forms.TextEntryForm(auto_id="text_%s")
    form = forms.TransactionForm(user=request.user, ledger=ledger)
    return _add_page(request, text_form, form, receipt_form=receipt_form, ledger=ledger)


def _fiscal_receipt(photo: UploadedFile | None, qr: str) -> FiscalReceipt:
    field = "photo" if photo is not None else "qr"
    try:
        if photo is not None:
            if photo.size is not None and photo.size > MAX_IMAGE_BYTES:
                raise FileTooLarge("too large", limit=str(MAX_IMAGE_BYTES))
            return read_receipt_photo(photo.read(MAX_IMAGE_BYTES + 1))
        return parse_fiscal_qr(qr)
    except ReceiptError as exc:
        raise ValidationError({field: [receipt_problem(exc)]}) from None


@login_required
@require_POST
def add_bank_messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record pasted bank notifications; the page then shows what became of each."""
    member = _member(request, write=True)
    bank_form = forms.BankMessagesForm(request.POST, auto_id="bank_%s")
    items = None
    if bank_form.is_valid():
        try:
            items = bank_messages_record(
                user=request.user,
                ledger=member,
                text=bank_form.cleaned_data["text"],
                record_transfers=bank_form.cleaned_data["record_transfers"],
                source="web",
            )
        except ValidationError as e:
            forms.add_service_error(bank_form, e)
        else:
            bank_form = forms.BankMessagesForm(auto_id="bank_%s")
    text_form = forms.TextEntryForm(auto_id="text_%s")
    form = forms.TransactionForm(user=request.user, ledger=member.ledger)
    return _add_page(
        request, text_form, form, bank_form=bank_form, bank_items=items, ledger=member.ledger
    )


@login_required
@require_POST
def record_separately(request: AuthenticatedHttpRequest, match_id: int) -> HttpResponse:
    """Undo a match: what the capture saw becomes a transaction of its own."""
    member = _member(request, write=True)
    get_object_or_404(Capture, pk=match_id, ledger=member.ledger, matched=True)
    try:
        tx = capture_record_separately(
            user=request.user, ledger=member, match_id=match_id, source="web"
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(reverse("finance:add_transaction"))
    return _recorded(request, tx)


@login_required
def edit_transaction(request: AuthenticatedHttpRequest, tx_id: int) -> HttpResponse:
    member = _member(request)
    tx = get_object_or_404(
        Transaction.objects.select_related("category", "ledger", "created_by"),
        pk=tx_id,
        ledger=member.ledger,
    )
    form = forms.EditTransactionForm(request.POST or None, tx=tx)
    if request.method == "POST" and form.is_valid():
        try:
            # A new category here also teaches the parser (inside transaction_update).
            transaction_update(tx=tx, user=request.user, source="web", **form.changes())
        except ValidationError as e:
            forms.add_service_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(_back_to_list(request))
    context = {
        "form": form,
        "tx": tx,
        "back": _back_to_list(request),
        "receipt": receipt_of(tx=tx),
    }
    return render(request, "finance/edit_transaction.html", context)


def _back_to_list(request: AuthenticatedHttpRequest) -> str:
    # Return to the list as it was filtered; only our own path, never an open redirect.
    back = request.POST.get("back") or request.GET.get("back") or ""
    list_url = reverse("finance:transactions")
    return back if back.startswith(list_url + "?") or back == list_url else list_url


@login_required
def delete_transaction(request: AuthenticatedHttpRequest, tx_id: int) -> HttpResponse:
    member = _member(request)
    tx = get_object_or_404(
        Transaction.objects.select_related("category"), pk=tx_id, ledger=member.ledger
    )
    if request.method == "POST":
        # The form is read before the delete: a body that cannot be read is a 400 that
        # writes nothing.
        back = _back_to_list(request)
        transaction_delete(tx=tx, user=request.user, source="web")
        messages.success(request, _("Deleted."))
        return redirect(back)
    context = {"tx": tx, "back": _back_to_list(request)}
    return render(request, "finance/delete_transaction.html", context)


@login_required
def budget(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    requested = request.POST.get("month") or request.GET.get("month")
    if request.method == "POST" and requested:
        # A plan for a month that cannot be read is saved nowhere, least of all this month.
        try:
            parse_month(requested)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect("finance:budget")
    month = _month(request, requested)
    page = budget_page(user=request.user, ledger=member, month=month)
    form = forms.BudgetForm(request.POST or None, rows=page.rows, currency=page.currency)
    if request.method == "POST" and form.is_valid():
        try:
            saved = budget_month_update(
                user=request.user, ledger=member, month=month, plans=form.plans(), source="web"
            )
        except ValidationError as e:
            forms.add_service_error(form, e)
        else:
            messages.success(request, _("Plan saved: %(count)s changed.") % {"count": saved})
            return redirect(f"{reverse('finance:budget')}?month={month:%Y-%m}")
    context = {**_month_nav(month), "page": page, "form": form}
    return render(request, "finance/budget.html", context)


@login_required
@require_POST
def copy_budget(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request, write=True)
    form = forms.MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors["month"]))
        return redirect("finance:budget")
    month = form.cleaned_data["month"]
    created = budget_copy_previous_month(
        user=request.user, ledger=member, month=month, source="web"
    )
    if created:
        messages.success(
            request, _("Copied %(count)s plans from last month.") % {"count": len(created)}
        )
    else:
        messages.info(request, _("Nothing to copy: last month has no plan this month lacks."))
    return redirect(f"{reverse('finance:budget')}?month={month:%Y-%m}")


@login_required
def categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = _member(request)
    ledger = member.ledger
    form = forms.CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_create(
                user=request.user,
                ledger=member,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                aliases=forms.split_aliases(form.cleaned_data["aliases"]),
                source="web",
            )
        except ValidationError as e:
            forms.add_service_error(form, e)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("finance:categories")
    rows = (
        Category.objects.for_ledger(ledger)
        .prefetch_related(_own_aliases(request))
        .order_by("is_archived", "kind", "name")
    )
    return render(request, "finance/categories.html", {"form": form, "categories": rows})


def _own_aliases(request: AuthenticatedHttpRequest) -> "Prefetch[Any]":
    """The ledger's keywords and those this person taught it (another's stay theirs)."""
    mine = CategoryAlias.objects.filter(Q(user__isnull=True) | Q(user=request.user))
    return Prefetch("aliases", queryset=mine.order_by("word"))


@login_required
def edit_category(request: AuthenticatedHttpRequest, category_id: int) -> HttpResponse:
    member = _member(request)
    category = get_object_or_404(Category, pk=category_id, ledger=member.ledger)
    shared = category.aliases.filter(user__isnull=True)
    words = ", ".join(shared.order_by("word").values_list("word", flat=True))
    form = forms.EditCategoryForm(
        request.POST or None, initial={"name": category.name, "aliases": words}
    )
    if request.method == "POST" and form.is_valid():
        try:
            category_update(
                category=category,
                user=request.user,
                name=form.cleaned_data["name"],
                aliases=forms.split_aliases(form.cleaned_data["aliases"]),
                source="web",
            )
        except ValidationError as e:
            forms.add_service_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance:categories")
    return render(request, "finance/edit_category.html", {"form": form, "category": category})


@login_required
@require_POST
def archive_category(request: AuthenticatedHttpRequest, category_id: int) -> HttpResponse:
    member = _member(request)
    category = get_object_or_404(Category, pk=category_id, ledger=member.ledger)
    archived = request.POST.get("archived", "1") == "1"
    try:
        category_archive(category=category, user=request.user, archived=archived, source="web")
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        message = _("“%(name)s” archived.") if archived else _("“%(name)s” restored.")
        messages.success(request, message % {"name": category.name})
    return redirect("finance:categories")
