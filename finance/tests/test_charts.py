from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from finance import charts
from finance.selectors.summary import CategoryLine, CategoryRef
from finance.selectors.totals import MonthTotals


def line(name: str, spent: str, planned: str = "0", kind: str = "expense") -> CategoryLine:
    ref = CategoryRef(id=hash(name), slug=name, name=name, kind=kind)
    return CategoryLine(ref, planned=Decimal(planned), spent=Decimal(spent))


class CategoryChartTestCase(SimpleTestCase):
    def test_bars_are_sorted_and_scaled_to_the_largest_figure(self) -> None:
        chart = charts.category_chart(
            [line("a", "50", planned="200"), line("b", "100"), line("pay", "900", kind="income")]
        )
        self.assertEqual([b.name for b in chart.bars], ["b", "a"])
        self.assertEqual(chart.bars[0].bar_width, charts.WIDTH / 2)  # 100 of the top 200
        self.assertEqual(chart.bars[1].plan_x, charts.WIDTH)
        self.assertIsNone(chart.bars[0].plan_x)
        self.assertEqual(chart.height, 2 * charts.ROW_HEIGHT)

    def test_overspending_is_marked(self) -> None:
        chart = charts.category_chart([line("a", "300", planned="200")])
        self.assertTrue(chart.bars[0].over_budget)
        self.assertEqual(chart.bars[0].bar_width, charts.WIDTH)

    def test_a_tiny_amount_still_shows_and_nothing_is_no_bars(self) -> None:
        chart = charts.category_chart([line("big", "100000"), line("tiny", "1")])
        self.assertEqual(chart.bars[1].bar_width, 1.0)
        self.assertEqual(charts.category_chart([]).bars, [])


class MonthChartTestCase(SimpleTestCase):
    def test_columns_share_one_scale(self) -> None:
        totals = [
            MonthTotals(date(2026, 10, 1), income=Decimal(0), expense=Decimal(50)),
            MonthTotals(date(2026, 11, 1), income=Decimal(200), expense=Decimal(100)),
        ]
        chart = charts.month_chart(totals, current=date(2026, 11, 1))
        old, new = chart.columns
        self.assertEqual(new.income_height, charts.COLUMNS_HEIGHT)
        self.assertEqual(new.expense_height, charts.COLUMNS_HEIGHT / 2)
        self.assertEqual(old.expense_height, charts.COLUMNS_HEIGHT / 4)
        self.assertEqual(new.income_y, chart.baseline - charts.COLUMNS_HEIGHT)
        self.assertEqual((old.current, new.current), (False, True))
        self.assertLess(old.expense_x + old.width, new.x)  # columns never overlap

    def test_all_zero_months_draw_flat(self) -> None:
        totals = [MonthTotals(date(2026, 11, 1), income=Decimal(0), expense=Decimal(0))]
        chart = charts.month_chart(totals, current=date(2026, 11, 1))
        self.assertEqual(chart.columns[0].income_height, 0.0)
