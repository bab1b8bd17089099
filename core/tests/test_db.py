"""core.db without a usable replica: none configured, one that does not answer, one that
is no standby. The real replica's tests are in test_replica.py."""

from unittest import mock

from django.db import connections
from django.test import SimpleTestCase

from core import db
from core.tests.topology import PRIMARY_URL, database_alias


class NoReplicaTestCase(SimpleTestCase):
    def test_without_a_replica_every_read_is_the_primarys(self) -> None:
        self.assertNotIn(db.REPLICA, connections)
        self.assertEqual(db.heavy_reads(), db.PRIMARY)
        self.assertFalse(db.pooled(db.PRIMARY))


class UnreachableReplicaTestCase(SimpleTestCase):
    databases = {db.REPLICA}

    @classmethod
    def setUpClass(cls) -> None:
        nowhere = "postgresql://postgres@%2Fnonexistent%2Fkopilka-replica/kopilka"
        cls.enterClassContext(database_alias(db.REPLICA, nowhere))
        super().setUpClass()

    def test_it_is_tried_once_per_verdict_not_once_per_read(self) -> None:
        replica = connections[db.REPLICA]
        with (
            mock.patch.object(
                replica, "get_new_connection", wraps=replica.get_new_connection
            ) as connect,
            self.assertLogs("core.db", "WARNING") as logs,
        ):
            for _ in range(20):
                self.assertEqual(db.heavy_reads(), db.PRIMARY)
            self.assertEqual(connect.call_count, 1)
            db.forget_verdict()  # as when its few seconds are up
            self.assertEqual(db.heavy_reads(), db.PRIMARY)
            self.assertEqual(connect.call_count, 2)
        # Said once, not once per check.
        self.assertEqual(len(logs.output), 1)
        self.assertIn("unreachable", logs.output[0])


class PrimaryAsReplicaTestCase(SimpleTestCase):
    databases = {db.REPLICA}

    @classmethod
    def setUpClass(cls) -> None:
        cls.enterClassContext(database_alias(db.REPLICA, PRIMARY_URL))
        super().setUpClass()

    def test_a_server_that_is_no_standby_is_not_used(self) -> None:
        # DATABASE_REPLICA_URL pointing at the primary (or a replica promoted since, which
        # may have left the primary's history) reads nothing.
        with self.assertLogs("core.db", "WARNING") as logs:
            self.assertEqual(db.heavy_reads(), db.PRIMARY)
        self.assertIn("not a standby", logs.output[0])
