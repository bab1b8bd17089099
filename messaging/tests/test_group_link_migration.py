"""The migration that moves a ledger's Telegram group from the ledger's own columns to
messaging: every link arrives with its title, a ledger without one gets none, and going
back puts each on its ledger again."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

BEFORE = [("ledgers", "0005_merge_20261201_1625"), ("messaging", "0002_linkcode_ledger")]
AFTER = [("ledgers", "0006_telegram_group_moved_to_messaging"), ("messaging", "0003_group_link")]


class GroupLinkMigrationTestCase(TransactionTestCase):
    def setUp(self) -> None:
        executor = MigrationExecutor(connection)
        self.leaves = executor.loader.graph.leaf_nodes()
        executor.migrate(BEFORE)

    def tearDown(self) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(self.leaves)

    def migrate(self, targets: list[tuple[str, str]]) -> None:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    def test_links_move_to_messaging_and_back(self) -> None:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        User = old.get_model("accounts", "User")
        Ledger = old.get_model("ledgers", "Ledger")
        owner = User.objects.create(username="alice", password="!")
        linked = Ledger.objects.create(
            name="Home", owner=owner, telegram_chat_id=-1001234, telegram_chat_title="Семья"
        )
        untitled = Ledger.objects.create(name="Dacha", owner=owner, telegram_chat_id=-4012345)
        alone = Ledger.objects.create(name="Own", owner=owner)

        self.migrate(AFTER)
        new = MigrationExecutor(connection).loader.project_state(AFTER).apps
        GroupLink = new.get_model("messaging", "GroupLink")
        self.assertEqual(
            sorted(GroupLink.objects.values_list("ledger_id", "chat_id", "title")),
            sorted([(linked.pk, -1001234, "Семья"), (untitled.pk, -4012345, "")]),
        )
        NewLedger = new.get_model("ledgers", "Ledger")
        self.assertNotIn("telegram_chat_id", {f.name for f in NewLedger._meta.get_fields()})

        self.migrate(BEFORE)
        back = Ledger.objects.order_by("pk").values_list(
            "pk", "telegram_chat_id", "telegram_chat_title"
        )
        self.assertEqual(
            list(back),
            [(linked.pk, -1001234, "Семья"), (untitled.pk, -4012345, ""), (alone.pk, None, "")],
        )
