"""Statements imported through the JSON API: the file previewed, then committed.

    POST /api/imports/                 multipart `file`: the preview (201), or, a big file
                                       a queue job reads, its progress (202)
    GET  /api/imports/{id}/            the preview, or the progress, or the refusal
    POST /api/imports/{id}/commit/     {"categories": {"<index>": <category id>},
                                        "include": [<index>, ...], "exclude": [...]}:
                                       all rows kept, or none (201; 202 for a big one)

A refusal is a 400 in the client's language naming the row where one is to blame
(`details[].path` is `file` or `rows.<index>`); it writes nothing.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApiError
from finance.api.views import ApiView
from finance.data.statements import refusals
from finance.data.statements.choices import statement_choose
from finance.data.statements.commit import statement_commit
from finance.data.statements.preview import statement_upload
from finance.models import Category, StatementImport, StatementImportRow

Status = StatementImport.Status
ROW_KEYS = _("The keys are the rows' numbers, such as “3”.")
ROW_FIELDS = (
    "index", "date", "time", "amount", "currency", "kind", "text", "category_id",
    "duplicate_of_id", "already_imported", "include",
)  # fmt: skip


def _refused(exc: ValidationError, *, path: str = "file") -> ApiError:
    row = refusals.row_of(exc)
    message = " ".join(exc.messages)
    where = f"rows.{row}" if row is not None else path
    return ApiError(
        status_code=400,
        error="validation_error",
        message=message,
        details=[{"path": where, "code": exc.code or "invalid", "message": message}],
    )


def import_data(batch: StatementImport) -> dict[str, Any]:
    """An import as the API shows it: its rows once previewed, its progress before."""
    data: dict[str, Any] = {
        "id": batch.pk,
        "format": batch.format,
        "status": batch.status,
        "filename": batch.filename,
    }
    if batch.status in (Status.READING, Status.COMMITTING):
        data["progress"] = {"done": batch.done, "total": batch.total}
    elif batch.status == Status.FAILED:
        data["error"] = batch.error
    elif batch.status == Status.DONE:
        data |= {"imported": batch.imported, "matched": batch.matched}
    else:
        data["left_out"] = batch.left_out
        data["rows"] = _rows(batch)
        if batch.error:
            data["error"] = batch.error
    return data


def _rows(batch: StatementImport) -> list[dict[str, Any]]:
    # A statement of 100,000 rows: plain tuples, the categories read once.
    categories = {
        c.pk: {"id": c.pk, "slug": c.slug, "name": c.name}
        for c in Category.objects.filter(ledger_id=batch.ledger_id)
    }
    rows = []
    for (
        index, day, time, amount, currency, kind, text, category_id, duplicate_of,
        before, include,
    ) in StatementImportRow.objects.filter(batch=batch).order_by("index").values_list(*ROW_FIELDS):  # fmt: skip
        rows.append(
            {
                "index": index,
                "date": day.isoformat(),
                "time": time.isoformat() if time is not None else None,
                "amount": str(amount),
                "currency": currency,
                "kind": kind,
                "text": text,
                "category": categories.get(category_id),
                "duplicate_of": duplicate_of,
                "imported_before": before,
                "include": include,
            }
        )
    return rows


def _answer(batch: StatementImport, done: int = status.HTTP_201_CREATED) -> Response:
    waiting = batch.status in (Status.READING, Status.COMMITTING)
    return Response(import_data(batch), status=status.HTTP_202_ACCEPTED if waiting else done)


IMPORT_OUT = inline_serializer(
    "StatementImport",
    {
        "id": serializers.IntegerField(),
        "format": serializers.CharField(),
        "status": serializers.ChoiceField(choices=Status.choices),
        "filename": serializers.CharField(),
        "left_out": serializers.IntegerField(required=False),
        "rows": inline_serializer(
            "StatementImportRow",
            {
                "index": serializers.IntegerField(),
                "date": serializers.DateField(),
                "time": serializers.TimeField(allow_null=True),
                "amount": serializers.CharField(),
                "currency": serializers.CharField(),
                "kind": serializers.ChoiceField(choices=["expense", "income", "refund"]),
                "text": serializers.CharField(help_text="The description as the bank wrote it."),
                "category": inline_serializer(
                    "StatementImportCategory",
                    {
                        "id": serializers.IntegerField(),
                        "slug": serializers.CharField(),
                        "name": serializers.CharField(),
                    },
                ),
                "duplicate_of": serializers.IntegerField(
                    allow_null=True,
                    help_text="The transaction already in the books this row is: left out "
                    "unless `include` names it.",
                ),
                "imported_before": serializers.BooleanField(),
                "include": serializers.BooleanField(),
            },
            many=True,
            required=False,
        ),
        "progress": serializers.DictField(required=False),
        "error": serializers.DictField(required=False),
        "imported": serializers.IntegerField(required=False),
        "matched": serializers.IntegerField(required=False),
    },
)


class ImportUploadIn(serializers.Serializer[Any]):
    file = serializers.FileField()


class ImportCommitIn(serializers.Serializer[Any]):
    categories = serializers.DictField(
        child=serializers.IntegerField(min_value=1), required=False, default=dict
    )
    include = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    exclude = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )

    def validate_categories(self, value: dict[str, int]) -> dict[int, int]:
        if not all(key.isascii() and key.isdigit() for key in value):
            raise serializers.ValidationError(ROW_KEYS, code="invalid")
        return {int(key): category for key, category in value.items()}


class ImportListApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["imports"],
        request={"multipart/form-data": ImportUploadIn},
        responses={201: IMPORT_OUT, 202: IMPORT_OUT},
        operation_id="imports_create",
    )
    def post(self, request: Request) -> Response:
        """Preview a bank statement (T-Bank or Sber CSV, OFX 1/2, QIF, camt.053, any CSV with
        date and amount columns): every row categorised, purchases already in the ledger
        marked in `duplicate_of`. A file over IMPORT_SYNC_MAX_BYTES is read by a queue job:
        202 with `progress`; GET the import until its `status` is `ready`."""
        data = self.valid(ImportUploadIn, request.data)
        upload = data["file"]
        content = upload.read(settings.IMPORT_MAX_BYTES + 1)
        try:
            batch = statement_upload(
                user=self.owner, ledger=self.member, content=content, filename=upload.name or ""
            )
        except ValidationError as exc:
            raise _refused(exc) from None
        return _answer(batch)


class ImportDetailApi(ApiView):
    def get_object(self, import_id: int) -> StatementImport:
        return get_object_or_404(
            StatementImport.objects.select_related("ledger", "user"),
            pk=import_id,
            ledger=self.ledger,
        )

    @extend_schema(tags=["imports"], responses=IMPORT_OUT, operation_id="imports_retrieve")
    def get(self, request: Request, import_id: int) -> Response:
        return Response(import_data(self.get_object(import_id)))


class ImportCommitApi(ImportDetailApi):
    http_method_names = ["post", "options"]  # the import's GET is its detail's

    @extend_schema(
        tags=["imports"],
        request=ImportCommitIn,
        responses={201: IMPORT_OUT, 202: IMPORT_OUT},
        operation_id="imports_commit",
    )
    def post(self, request: Request, import_id: int) -> Response:
        """Import the previewed rows, all or none: `categories` files rows elsewhere (and
        teaches the keywords), `include` takes in rows marked `duplicate_of`, `exclude`
        leaves rows out. The same statement is never imported twice."""
        batch = self.get_object(import_id)
        data = self.valid(ImportCommitIn, request.data)
        try:
            statement_choose(
                user=self.owner,
                batch=batch,
                categories=data["categories"],
                include=data["include"],
                exclude=data["exclude"],
            )
            batch = statement_commit(user=self.owner, batch=batch, source="api")
        except ValidationError as exc:
            raise _refused(exc, path="") from None
        return _answer(batch)
