"""Cabinet pages for a person's data: export (CSV, JSON) and import (a statement or a CSV,
previewed, its progress shown while a queue job reads a big one)."""

import json
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from core import db
from finance.data import exports
from finance.data import forms as data_forms
from finance.data.statements.choices import statement_choose
from finance.data.statements.commit import statement_commit
from finance.data.statements.preview import statement_remap, statement_upload
from finance.models import Category, StatementImport, StatementImportRow
from finance.readers.statements import StatementError, text
from finance.readers.statements.generic import read_table as read_csv_table
from ledgers import access


def csv_response(rows: Iterable[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(data: object, user: str) -> HttpResponse:
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="kopilka-{user}-{day}.json"'
    return response


def _page(
    request: AuthenticatedHttpRequest,
    export_form: data_forms.ExportForm | None = None,
    file_form: data_forms.ImportFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "export_form": export_form or data_forms.ExportForm(),
        "file_form": file_form or data_forms.ImportFileForm(),
    }
    return render(request, "finance/data.html", context, status=status)


@login_required
@require_GET
def data(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_GET
def export_csv(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = data_forms.ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    start, end = form.period()
    rows = exports.transactions_csv(
        user=request.user, start=start, end=end, excel=form.excel(), using=db.heavy_reads()
    )
    return csv_response(rows, exports.csv_filename(start, end))


@login_required
@require_GET
def export_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    document = exports.account_export(user=request.user, using=db.heavy_reads())
    return json_response(document, request.user.username)


@login_required
@require_POST
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = access.member_of(user=request.user, write=True)  # a read-only member imports nothing
    form = data_forms.ImportFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(settings.IMPORT_MAX_BYTES + 1)
        try:
            batch = statement_upload(
                user=request.user,
                ledger=member,
                content=content,
                filename=upload.name or "",
                keep_unmapped=True,
            )
        except ValidationError as e:
            form.add_error("file", e)
        else:
            return redirect("finance:import_preview", import_id=batch.pk)
    return _page(request, file_form=form, status=400)


ROWS_PER_PAGE = 100


def _import_of(request: AuthenticatedHttpRequest, import_id: int) -> StatementImport:
    """One of the active ledger's imports (another ledger's is a 404)."""
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    member = access.member_of(user=request.user, write=unsafe)
    return get_object_or_404(
        StatementImport.objects.select_related("ledger", "user"),
        pk=import_id,
        ledger=member.ledger,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    """A statement on its way in: its progress, its refusal, or its rows to check."""
    batch = _import_of(request, import_id)
    Status = StatementImport.Status
    if batch.status == Status.DONE:
        messages.success(request, _("Imported %(count)s transactions.") % {"count": batch.imported})
        return redirect("finance:transactions")
    mapping = _mapping_form(request, batch)
    if batch.status in (Status.READING, Status.COMMITTING):
        return render(request, "finance/import_progress.html", {"batch": batch})
    if request.method == "POST" and request.POST.get("action") == "remap" and mapping is not None:
        if mapping.is_valid():
            try:
                statement_remap(user=request.user, batch=batch, csv_options=mapping.csv_options())
            except ValidationError as e:
                mapping.add_error(None, e)
            else:
                return redirect("finance:import_preview", import_id=batch.pk)
        return _preview(request, batch, mapping=mapping, status=400)
    if batch.status == Status.FAILED:
        return _preview(request, batch, mapping=mapping)
    page = _rows_page(request, batch)
    form = data_forms.ImportRowsForm(
        request.POST if request.method == "POST" else None,
        rows=list(page.object_list),
        categories=_category_choices(batch),
    )
    if request.method == "POST":
        if not form.is_valid():
            return _preview(request, batch, mapping=mapping, page=page, form=form, status=400)
        categories, include, exclude = form.choices()
        try:
            statement_choose(
                user=request.user,
                batch=batch,
                categories=categories,
                include=include,
                exclude=exclude,
            )
            if request.POST.get("action") == "import":
                batch = statement_commit(user=request.user, batch=batch, source="web")
        except ValidationError as e:
            form.add_error(None, e)
            return _preview(request, batch, mapping=mapping, page=page, form=form, status=400)
        target = reverse("finance:import_preview", kwargs={"import_id": batch.pk})
        go = request.POST.get("go", "")
        only = "&only=marked" if request.POST.get("only") == "marked" else ""
        return redirect(f"{target}?page={go}{only}" if go.isdigit() else target)
    return _preview(request, batch, mapping=mapping, page=page, form=form)


def _rows_page(
    request: AuthenticatedHttpRequest, batch: StatementImport
) -> Page[StatementImportRow]:
    rows = StatementImportRow.objects.filter(batch=batch).select_related(
        "category", "duplicate_of__category"
    )
    if request.GET.get("only") == "marked" or request.POST.get("only") == "marked":
        rows = rows.filter(duplicate_of__isnull=False)
    page = request.POST.get("page") or request.GET.get("page")
    return Paginator(rows.order_by("index"), ROWS_PER_PAGE).get_page(page)


def _category_choices(batch: StatementImport) -> dict[str, list[tuple[int, str]]]:
    choices: dict[str, list[tuple[int, str]]] = {}
    for category in Category.objects.for_ledger(batch.ledger).active().order_by("name"):
        choices.setdefault(category.kind, []).append((category.pk, category.name))
    return choices


def _mapping_form(
    request: AuthenticatedHttpRequest, batch: StatementImport
) -> data_forms.ImportMappingForm | None:
    """The generic CSV's columns, for the person to choose (other formats have none)."""
    if batch.format != "csv" or not batch.content:
        return None
    try:
        header = read_csv_table(text.decode(bytes(batch.content))).header
    except StatementError:
        return None
    data = request.POST if request.POST.get("action") == "remap" else None
    initial = data_forms.ImportMappingForm.initial_from(header, batch.csv_options)
    return data_forms.ImportMappingForm(data, initial=initial, header=header)


def _preview(
    request: AuthenticatedHttpRequest,
    batch: StatementImport,
    *,
    mapping: data_forms.ImportMappingForm | None = None,
    page: Page[StatementImportRow] | None = None,
    form: data_forms.ImportRowsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    counts = StatementImportRow.objects.filter(batch=batch).aggregate(
        included=Count("pk", filter=Q(include=True)),
        marked=Count("pk", filter=Q(duplicate_of__isnull=False, already_imported=False)),
        before=Count("pk", filter=Q(already_imported=True)),
    )
    context = {
        "batch": batch,
        "mapping": mapping,
        "page": page,
        "form": form,
        "counts": counts,
        "only": request.GET.get("only") or request.POST.get("only") or "",
        "filename": batch.filename,
    }
    return render(request, "finance/import_preview.html", context, status=status)


@login_required
@require_GET
def import_progress(request: AuthenticatedHttpRequest, import_id: int) -> JsonResponse:
    """How far a queue job has got with an import, for its page to poll."""
    batch = _import_of(request, import_id)
    return JsonResponse({"status": batch.status, "done": batch.done, "total": batch.total})
