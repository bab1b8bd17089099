from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from finance.models import Transaction


class CreateDemoUserTestCase(TestCase):
    def test_it_creates_once_and_prints_the_login(self) -> None:
        for _ in range(2):
            out = StringIO()
            call_command("create_demo_user", stdout=out)
            self.assertEqual(out.getvalue().strip(), "Demo login: demo / kopilka-demo")
        demo = User.objects.get(username="demo")
        self.assertTrue(demo.is_superuser and demo.check_password("kopilka-demo"))
        self.assertEqual(Transaction.objects.filter(created_by=demo).count(), 6)
