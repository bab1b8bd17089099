"""The baseline for bench/bot_actions.py: a bare DRF view doing the same three inserts as
create_expense (the idempotency key, the transaction, its audit row) and nothing else:
no token, no schema, no parser, no rate limit, no request audit row."""

import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from audit.models import AuditLog
from botapi.models import IdempotencyKey
from finance.models import Category, Transaction


class BareExpenseView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        data = request.data
        user = User.objects.get(username=data["username"])
        category = Category.objects.get(ledger__personal_for=user, slug="cafe")
        with transaction.atomic():
            tx = Transaction.objects.create(
                ledger=category.ledger,
                created_by=user,
                paid_by=user,
                kind="expense",
                amount=Decimal("250.00"),
                currency="RUB",
                category=category,
                date=timezone.localdate(),
                text=data["payload"]["text"],
                source="bot",
            )
            body = {"ok": True, "result": {"id": tx.pk, "amount": str(tx.amount)}}
            IdempotencyKey.objects.create(
                user=user,
                key=data["idempotency_key"],
                action="create_expense",
                fingerprint="0" * 64,
                status_code=201,
                response=json.dumps(body),
            )
            AuditLog.objects.create(
                source="bot", action="transaction.create", user=user, object_id=str(tx.pk)
            )
        return Response(body, status=201)
