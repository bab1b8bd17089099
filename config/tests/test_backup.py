"""deploy/kopilka-backup makes a dump that restores into a fresh database with the data."""

import os
import subprocess
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
from django.db import connection
from django.test import TransactionTestCase
from psycopg.conninfo import make_conninfo

from accounts.services import user_create
from finance.models import Category
from finance.services.transactions import transaction_create

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "kopilka-backup"


def conninfo(dbname: str) -> str:
    s = connection.settings_dict
    parts = {"dbname": dbname, "host": s["HOST"], "port": s["PORT"], "user": s["USER"]}
    if s["PASSWORD"]:
        parts["password"] = s["PASSWORD"]
    return make_conninfo(**{k: str(v) for k, v in parts.items() if v})


class BackupTestCase(TransactionTestCase):
    def test_a_dump_restores_into_a_fresh_database(self) -> None:
        user = user_create(username="carol", password="x" * 12, source="cli")
        transaction_create(
            user=user,
            kind="expense",
            amount=Decimal("1234.50"),
            currency="RUB",
            category=Category.objects.get(ledger__personal_for=user, slug="cafe"),
            date=date(2026, 11, 24),
            note="ужин",
            source="web",
        )
        backups = Path(tempfile.mkdtemp())
        old = backups / "kopilka-20200101T000000Z.dump"
        old.write_bytes(b"stale")
        os.utime(old, (0, 0))
        env = {**os.environ, "DATABASE_URL": conninfo(connection.settings_dict["NAME"])}
        env |= {"BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "14"}
        result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        dump = Path(result.stdout.strip())
        self.assertEqual(list(backups.iterdir()), [dump])  # the stale one is gone

        fresh = f"{connection.settings_dict['NAME']}_restored"
        admin = conninfo("postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            conn.execute(f'CREATE DATABASE "{fresh}"')
        try:
            restore = subprocess.run(
                ["pg_restore", "--no-owner", "--exit-on-error", "-d", conninfo(fresh), dump],
                capture_output=True,
                text=True,
                timeout=120,
            )
            self.assertEqual(restore.returncode, 0, restore.stderr)
            with psycopg.connect(conninfo(fresh)) as conn:
                row = conn.execute(
                    "SELECT t.amount, t.note, u.username FROM finance_transaction t"
                    " JOIN accounts_user u ON u.id = t.created_by_id"
                ).fetchone()
                applied = conn.execute(
                    "SELECT count(*) FROM django_migrations WHERE app = 'finance'"
                ).fetchone()
            self.assertEqual(row, (Decimal("1234.50"), "ужин", "carol"))
            self.assertIsNotNone(applied)
            # The audit log's append-only trigger came back with it.
            with psycopg.connect(conninfo(fresh)) as conn, self.assertRaises(psycopg.Error):
                conn.execute("DELETE FROM audit_log")
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')

    def test_it_refuses_to_run_without_a_database(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        result = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DATABASE_URL is not set", result.stderr)
