"""Cabinet pages for a person's data: export (CSV, JSON) and import (a CSV, previewed)."""

import base64
import json
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from core import db
from finance.data import exports, imports
from finance.data import forms as data_forms
from ledgers import access

SESSION_KEY = "finance_import"


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
    access.member_of(user=request.user, write=True)  # a read-only member imports nothing
    form = data_forms.ImportFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(imports.MAX_BYTES + 1)
        try:
            imports.read_table(content)
        except ValidationError as e:
            form.add_error("file", e)
        else:
            request.session[SESSION_KEY] = {
                "content": base64.b64encode(content).decode(),
                "filename": upload.name,
            }
            return redirect("finance:import_preview")
    return _page(request, file_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        access.member_of(user=request.user, write=True)  # a read-only member imports nothing
    stored = request.session.get(SESSION_KEY)
    if not stored:
        messages.info(request, _("Choose a file to import first."))
        return redirect("finance:data")
    table = imports.read_table(base64.b64decode(stored["content"]))
    # The first view previews the guessed mapping; each POST previews or imports the chosen one.
    data = request.POST if request.method == "POST" else None
    form = data_forms.ImportMappingForm(
        data or data_forms.ImportMappingForm.initial_for(table.header), header=table.header
    )
    preview, status = None, 200
    if form.is_valid():
        options = form.options()
        if request.POST.get("action") == "import":
            try:
                batch = imports.transactions_import(
                    user=request.user, table=table, options=options, filename=stored["filename"]
                )
            except ValidationError as e:
                form.add_error(None, e)
                status = 400
            else:
                del request.session[SESSION_KEY]
                messages.success(
                    request, _("Imported %(count)s transactions.") % {"count": batch.rows}
                )
                return redirect("finance:transactions")
        preview = imports.preview(user=request.user, table=table, options=options)
    elif data is not None:
        status = 400
    context = {"form": form, "preview": preview, "table": table, "filename": stored["filename"]}
    return render(request, "finance/import_preview.html", context, status=status)
