import os
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.services import user_create, user_set_access, user_set_password
from finance import services
from finance.models import Category

DEMO_ROWS = [
    # (days ago, category slug, amount, note)
    (0, "cafe", "250", "кофе"),
    (1, "transport", "480", "такси"),
    (2, "groceries", "2340.50", "Пятёрочка"),
    (3, "health", "640", "аптека"),
    (5, "entertainment", "800", "кино"),
    (9, "salary", "120000", "зарплата"),
]
DEMO_BUDGET = {"groceries": "25000", "cafe": "8000", "transport": "5000"}


class Command(BaseCommand):
    help = "Make sure the demo user exists (an operator too, for /admin/) and print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"]
        password = os.environ.get("DEMO_PASSWORD", "kopilka-demo")
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password=password, source="cli")
            self._seed(user)
        elif not user.check_password(password):
            user_set_password(user=user, password=password, source="cli")
        # Through the service, so an operator made here has an audit row like any other.
        user_set_access(user=user, is_active=True, is_staff=True, is_superuser=True, source="cli")
        return f"Demo login: {username} / {password}"

    def _seed(self, user: User) -> None:
        today = user.today()
        categories = {c.slug: c for c in Category.objects.filter(user=user)}
        for days_ago, slug, amount, note in DEMO_ROWS:
            category = categories[slug]
            services.transaction_create(
                user=user,
                kind=category.kind,
                amount=Decimal(amount),
                currency=user.default_currency,
                category=category,
                date=today - timedelta(days=days_ago),
                note=note,
                text=f"{note} {amount}",
                source="web",
            )
        for slug, planned in DEMO_BUDGET.items():
            services.budget_item_set(
                user=user,
                month=today,
                category=categories[slug],
                planned_amount=Decimal(planned),
                source="web",
            )
