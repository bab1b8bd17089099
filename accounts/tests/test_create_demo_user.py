from io import StringIO

import time_machine
from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from finance.models import Transaction
from finance.months import month_bounds
from finance.selectors.summary import monthly_summary
from finance.selectors.totals import monthly_totals


class CreateDemoUserTestCase(TestCase):
    def test_it_creates_once_and_prints_the_login(self) -> None:
        for _ in range(2):
            out = StringIO()
            call_command("create_demo_user", stdout=out)
            self.assertEqual(out.getvalue().strip(), "Demo login: demo / kopilka-demo")
        demo = User.objects.get(username="demo")
        self.assertTrue(demo.is_superuser and demo.check_password("kopilka-demo"))
        count = Transaction.objects.filter(created_by=demo).count()
        self.assertGreater(count, 150)
        call_command("create_demo_user", stdout=StringIO())
        self.assertEqual(Transaction.objects.filter(created_by=demo).count(), count)  # seeded once

    def test_the_month_looks_real_whatever_the_day(self) -> None:
        for today in ("2026-12-01 09:00 +03:00", "2026-11-30 21:00 +03:00"):
            with self.subTest(today=today), time_machine.travel(today, tick=False):
                Transaction.objects.all().delete()
                User.objects.filter(username="demo").delete()
                call_command("create_demo_user", stdout=StringIO())
                demo = User.objects.get(username="demo")
                month = demo.today().replace(day=1)
                rows = Transaction.objects.filter(created_by=demo, date__gte=month)
                last = month_bounds(month)[1]
                self.assertFalse(rows.filter(date__gt=last).exists())
                self.assertGreaterEqual(rows.values("date").distinct().count(), 25)
                summary = monthly_summary(user=demo, month=month)
                self.assertGreater(summary.income, summary.expense)
                self.assertGreater(summary.expense, 60000)
                planned = [line for line in summary.categories if line.planned]
                self.assertGreaterEqual(len(planned), 6)
                # The months before it fill the chart.
                totals = monthly_totals(user=demo, last_month=month)
                self.assertTrue(all(t.expense > 0 for t in totals[-3:]))
