"""core.sql: the hand-made statements read and write what the ORM would."""

from django.db import connection
from django.forms.models import model_to_dict

from accounts.models import User
from audit.models import AuditLog
from config.testing import BaseTestCase
from core import sql
from ledgers.models import Ledger, Membership


class InsertTestCase(BaseTestCase):
    def test_rows_go_in_as_the_orm_would_write_them(self) -> None:
        made = [
            AuditLog(
                source="bot",
                action="transaction.create",
                user=self.alice,
                ledger_id=self.ledger(self.alice).pk,
                client_ip="2001:db8::1",
                details={"amount": "250.00", "words": ["кофе"], "nested": {"n": 1}},
            ),
            AuditLog(source="cli", action="user.create", user=self.bob, status_code=201),
        ]
        sql.insert(made)
        self.assertTrue(all(row.pk for row in made))
        self.assertNotEqual(made[0].pk, made[1].pk)
        for row in made:
            stored = AuditLog.objects.get(pk=row.pk)
            self.assertEqual(model_to_dict(stored), model_to_dict(row))
            self.assertEqual(stored.created_at, row.created_at)
            self.assertFalse(row._state.adding)

    def test_nothing_to_insert_costs_nothing(self) -> None:
        with self.assertNumQueries(0):
            sql.insert([])


class SelectTestCase(BaseTestCase):
    def test_instances_are_the_orms_and_an_outer_join_miss_is_none(self) -> None:
        columns, parts = sql.select_list((User, "u"), (Membership, "m"), (Ledger, "l"))
        statement = (
            f'SELECT {columns} FROM "{User._meta.db_table}" u'
            f' LEFT JOIN "{Membership._meta.db_table}" m'
            ' ON m."user_id" = u."id" AND m."ledger_id" = %s'
            f' LEFT JOIN "{Ledger._meta.db_table}" l ON l."id" = m."ledger_id"'
            ' WHERE u."id" = %s'
        )
        alices = self.ledger(self.alice)
        with connection.cursor() as cursor:
            cursor.execute(statement, [alices.pk, self.alice.pk])
            (user, member, ledger), rest = sql.instances(cursor.fetchone(), parts)
            self.assertEqual(list(rest), [])
            cursor.execute(statement, [alices.pk, self.bob.pk])
            (stranger, nothing, no_ledger), _rest = sql.instances(cursor.fetchone(), parts)
        assert user is not None and ledger is not None
        self.assertEqual(model_to_dict(user), model_to_dict(User.objects.get(pk=self.alice.pk)))
        self.assertEqual(member, Membership.objects.get(user=self.alice, ledger=alices))
        self.assertEqual(model_to_dict(ledger), model_to_dict(alices))
        self.assertEqual(stranger, self.bob)
        self.assertIsNone(nothing)
        self.assertIsNone(no_ledger)


class PreparedTestCase(BaseTestCase):
    def test_a_pooled_connection_gets_the_statement_whole_with_named_parameters(self) -> None:
        # Through a transaction pooler the statement is not prepared: $n become the
        # driver's named parameters (a number reused is one parameter), % is doubled.
        named = sql._named("SELECT $1 + $12, $1 || '%' WHERE x = $2")
        self.assertEqual(named, "SELECT %(p1)s + %(p12)s, %(p1)s || '%%' WHERE x = %(p2)s")
        with connection.cursor() as cursor:
            cursor.execute(sql._named("SELECT $1::int + $2::int, '%'"), {"p1": 2, "p2": 40})
            self.assertEqual(cursor.fetchone(), (42, "%"))

    def test_a_direct_connection_prepares_it_once(self) -> None:
        with self.assertNumQueries(3), connection.cursor() as cursor:
            sql.execute_prepared(cursor, "core_test_add", "SELECT $1::int + $2::int", [2, 40])
            self.assertEqual(cursor.fetchone(), (42,))
            sql.execute_prepared(cursor, "core_test_add", "SELECT $1::int + $2::int", [1, 1])
            self.assertEqual(cursor.fetchone(), (2,))
