"""The private cluster's streaming replica and PgBouncer (scripts/devservices starts them
beside it), for the tests that read through them.

The test database is created on the primary; the replica replays it with every other
database of the cluster, pytest-xdist's workers' included, and PgBouncer reaches each by
its name. Tests that stop the replica or pause its replay hold it alone (`replica_alone`)
so that another worker's replica test never finds it so.
"""

import copy
import fcntl
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from core import db

ROOT = Path(__file__).resolve().parents[2]
# The development database ("kopilka") on each server, for what is not the test's own.
PRIMARY_URL = os.environ.get("DATABASE_URL", "")
REPLICA_URL = os.environ.get("DEVDB_REPLICA_URL", "")
PGBOUNCER_URL = os.environ.get("DEVDB_PGBOUNCER_URL", "")
BOUNCER = "bouncer"


def needs(url: str, what: str) -> None:
    """Skip when the tests run on servers of one's own (a DATABASE_URL set beforehand):
    scripts/devservices starts `what` only beside its own PostgreSQL. Fail when it did
    start that PostgreSQL but not `what` (pgbouncer not installed)."""
    if url:
        return
    if REPLICA_URL:
        pytest.fail(f"no {what} beside the private PostgreSQL: apt-get install pgbouncer")
    pytest.skip(f"no {what}: scripts/devservices starts one beside its own PostgreSQL")


def url_of_test_database(url: str) -> str:
    """`url`'s server with the test database in place of the development one."""
    name: str = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    return url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def database_alias(alias: str, url: str, *, pooled: bool = False) -> Iterator[BaseDatabaseWrapper]:
    """`alias` among django.db.connections for the block: the test database on `url`'s
    server, as config/settings.py would configure it (`pooled`: DATABASE_POOLING=transaction).

    Enter it before the test class's setUpClass (which lets a test use only the aliases in
    its `databases`), and leave it after: `cls.enterClassContext(...)` first thing in
    setUpClass. As a mirror of the primary's, Django flushes nothing through it after a
    test. Threads that used the alias close their own connections."""
    entry = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    server = dj_database_url.parse(url)
    entry.update(HOST=server["HOST"], PORT=server.get("PORT", ""), USER=server["USER"])
    entry["TEST"]["MIRROR"] = DEFAULT_DB_ALIAS
    if pooled:
        entry["DISABLE_SERVER_SIDE_CURSORS"] = True
        entry["OPTIONS"]["prepare_threshold"] = None
    if alias == db.REPLICA:
        entry["OPTIONS"]["connect_timeout"] = 2
    connections.settings[alias] = entry
    db.forget_verdict()
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        db.forget_verdict()


def replica_command(action: str) -> None:
    """Stop or start the replica (`scripts/devservices --replica stop|start`)."""
    subprocess.run(
        [str(ROOT / "scripts" / "devservices"), "--replica", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _on_replica(sql: str) -> Any:
    with psycopg.connect(REPLICA_URL, autocommit=True, connect_timeout=2) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return row[0]


@contextmanager
def replica_alone() -> Iterator[None]:
    """Hold the replica alone for the block, running and replaying whatever an earlier test
    (of any worker) left it doing, and caught up with the primary."""
    lock = ROOT / ".devdb" / "replica-tests.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            _on_replica("SELECT 1")
        except psycopg.OperationalError:
            replica_command("start")
        if _on_replica("SELECT pg_is_wal_replay_paused()"):
            _on_replica("SELECT pg_wal_replay_resume()")
        caught_up()
        yield


def caught_up(timeout: float = 15) -> None:
    """Wait until the replica has replayed what the primary has written so far."""
    with psycopg.connect(PRIMARY_URL, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        assert row is not None
    until(f"SELECT pg_last_wal_replay_lsn() >= '{row[0]}'::pg_lsn", timeout)


def until(sql: str, timeout: float = 15) -> None:
    """Wait until `sql` is true on the replica."""
    deadline = time.monotonic() + timeout
    while not _on_replica(sql):
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not get there: {sql}")
        time.sleep(0.02)


@contextmanager
def replay_paused() -> Iterator[None]:
    """The replica receives the primary's WAL but replays none of it during the block."""
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        until("SELECT pg_get_wal_replay_pause_state() = 'paused'")
        yield
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")


def pgbouncer_admin(command: str) -> list[tuple[Any, ...]]:
    """A command on PgBouncer's admin console (SHOW STATS, KILL db, RESUME db...)."""
    url = PGBOUNCER_URL.rsplit("/", 1)[0] + "/pgbouncer"
    with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
        cursor = conn.execute(command)
        return cursor.fetchall() if cursor.description else []


def release_pgbouncer_sessions() -> None:
    """Close PgBouncer's server sessions on the test database (a statement a test left
    prepared goes with them), so that the next run may drop and create it again."""
    name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    pgbouncer_admin(f"KILL {name}")
    pgbouncer_admin(f"RESUME {name}")
