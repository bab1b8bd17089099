import os
import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import User
from accounts.services import user_create, user_set_access, user_set_password
from finance.models import Category
from finance.months import add_months, month_bounds
from finance.services.budget import budget_item_set
from finance.services.transactions import transaction_create

# A whole month of one person's money, the same every time for the same month: a
# salary and an advance, rent and bills on their days, groceries and coffee most days.
# It fills the current month from its first to its last day, so the dashboard looks
# like a real month on the 1st as on the 30th, and the two months before it (the chart).
FIXED = [
    # (day of month, category slug, amount, note)
    (5, "salary", "85000", "аванс"),
    (20, "salary", "65000", "зарплата"),
    (1, "housing", "35000", "аренда"),
    (10, "utilities", "5200", "ЖКХ"),
    (12, "communication", "650", "связь и интернет"),
    (15, "subscriptions", "399", "Яндекс Плюс"),
    (25, "freelance", "18000", "перевод за сайт"),
]
FREQUENT = [
    # (category slug, chance per day, typical amount, notes)
    ("groceries", 0.6, 1400, ("Пятёрочка", "Перекрёсток", "ВкусВилл", "рынок")),
    ("cafe", 0.5, 380, ("кофе", "обед", "шаурма", "кофе с собой")),
    ("transport", 0.45, 260, ("метро", "такси", "автобус")),
    ("health", 0.06, 900, ("аптека", "стоматолог")),
    ("entertainment", 0.1, 1100, ("кино", "концерт", "боулинг")),
    ("clothing", 0.04, 3800, ("кроссовки", "куртка")),
    ("beauty", 0.04, 1800, ("стрижка",)),
    ("gifts", 0.03, 2500, ("подарок маме",)),
    ("home", 0.05, 1300, ("посуда", "лампочки")),
]
DEMO_BUDGET = {
    "groceries": "25000",
    "cafe": "8000",
    "transport": "5000",
    "housing": "35000",
    "utilities": "6000",
    "entertainment": "3000",
}
MONTHS = 3


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
        categories = {c.slug: c for c in Category.objects.filter(ledger__personal_for=user)}
        month = user.today().replace(day=1)
        for back in range(MONTHS):
            first = add_months(month, -back)
            for day, slug, amount, note in self._month(first):
                category = categories[slug]
                transaction_create(
                    user=user,
                    kind=category.kind,
                    amount=amount,
                    currency=user.default_currency,
                    category=category,
                    date=day,
                    note=note,
                    text=f"{note} {amount}",
                    source="web",
                )
            for slug, planned in DEMO_BUDGET.items():
                budget_item_set(
                    user=user,
                    month=first,
                    category=categories[slug],
                    planned_amount=Decimal(planned),
                    source="web",
                )

    @staticmethod
    def _month(first: date) -> list[tuple[date, str, Decimal, str]]:
        rng = random.Random(f"kopilka-demo-{first:%Y-%m}")
        last = month_bounds(first)[1].day
        rows = [
            (first.replace(day=min(day, last)), slug, Decimal(amount), note)
            for day, slug, amount, note in FIXED
        ]
        for day in range(1, last + 1):
            for slug, chance, typical, notes in FREQUENT:
                if rng.random() < chance:
                    amount = Decimal(round(typical * rng.uniform(0.5, 1.6)))
                    rows.append((first.replace(day=day), slug, amount, rng.choice(notes)))
        return sorted(rows)
