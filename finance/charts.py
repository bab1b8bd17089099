"""Geometry for the dashboard's two SVG charts, drawn by templates on the server.

No JavaScript and no library: the numbers become rectangles here, and the
templates only place them. Coordinates are in the SVG's viewBox units.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.models import Kind
from finance.selectors.summary import CategoryLine
from finance.selectors.totals import MonthTotals

WIDTH = 480
ROW_HEIGHT = 40
BAR_HEIGHT = 12
COLUMNS_HEIGHT = 180
COLUMNS_TOP = 16  # room for the scale's label
MAX_CATEGORY_BARS = 12


def _share(value: Decimal, top: Decimal, length: float) -> float:
    return float(value / top) * length if top > 0 else 0.0


@dataclass(frozen=True)
class CategoryBar:
    name: str
    spent: Decimal
    planned: Decimal
    over_budget: bool
    label_y: float
    bar_y: float
    bar_width: float
    plan_x: float | None  # where the plan's marker stands, when there is a plan

    @property
    def plan_y1(self) -> float:
        return self.bar_y - 3

    @property
    def plan_y2(self) -> float:
        return self.bar_y + BAR_HEIGHT + 3


@dataclass(frozen=True)
class CategoryChart:
    width: int
    height: int
    bars: list[CategoryBar]
    bar_height: int = BAR_HEIGHT


def category_chart(lines: Sequence[CategoryLine]) -> CategoryChart:
    """Horizontal bars of the month's spending per expense category, largest first."""
    spending = [x for x in lines if x.kind == Kind.EXPENSE and (x.spent > 0 or x.planned > 0)]
    spending.sort(key=lambda x: (-x.spent, -x.planned, x.category.name))
    spending = spending[:MAX_CATEGORY_BARS]
    top = max((max(x.spent, x.planned) for x in spending), default=Decimal(0))
    bars = []
    for i, line in enumerate(spending):
        y = i * ROW_HEIGHT
        bars.append(
            CategoryBar(
                name=line.category.name,
                spent=line.spent,
                planned=line.planned,
                over_budget=line.over_budget,
                label_y=y + 14,
                bar_y=y + 20,
                bar_width=max(_share(line.spent, top, WIDTH), 1.0 if line.spent > 0 else 0.0),
                plan_x=_share(line.planned, top, WIDTH) if line.planned > 0 else None,
            )
        )
    return CategoryChart(width=WIDTH, height=max(len(bars), 1) * ROW_HEIGHT, bars=bars)


@dataclass(frozen=True)
class MonthColumn:
    month: date
    income: Decimal
    expense: Decimal
    x: float
    width: float
    income_y: float
    income_height: float
    expense_y: float
    expense_height: float
    label_x: float
    current: bool

    @property
    def expense_x(self) -> float:
        return self.x + self.width


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    baseline: float
    top: Decimal
    label_y: int
    columns: list[MonthColumn]


def month_chart(totals: Sequence[MonthTotals], current: date) -> MonthChart:
    """Income and expense side by side for each month, on one shared scale."""
    top = max((max(t.income, t.expense) for t in totals), default=Decimal(0))
    slot = WIDTH / max(len(totals), 1)
    bar = slot * 0.36
    baseline = COLUMNS_TOP + COLUMNS_HEIGHT
    columns = []
    for i, t in enumerate(totals):
        x = i * slot + slot * 0.1
        # A month of refunds only spent less than nothing: drawn as no bar (its title
        # still says the figure).
        income_h = max(_share(t.income, top, COLUMNS_HEIGHT), 0.0)
        expense_h = max(_share(t.expense, top, COLUMNS_HEIGHT), 0.0)
        columns.append(
            MonthColumn(
                month=t.month,
                income=t.income,
                expense=t.expense,
                x=x,
                width=bar,
                income_y=baseline - income_h,
                income_height=income_h,
                expense_y=baseline - expense_h,
                expense_height=expense_h,
                label_x=i * slot + slot / 2,
                current=t.month == current,
            )
        )
    height = int(baseline) + 24
    return MonthChart(
        width=WIDTH, height=height, baseline=baseline, top=top, columns=columns, label_y=height - 6
    )
