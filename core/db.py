"""Which database a read goes to: the primary, or a streaming replica for the heavy reads
that may be a little behind.

Nothing goes to the replica unless its caller asks by name (`using=db.heavy_reads()`):
a past month's summary, the 12-month chart, the exports, the monthly report, subscription
detection. Everything else, every write and every read inside a write's transaction,
stays on the primary. Without DATABASE_REPLICA_URL there is no replica alias and
`heavy_reads()` is always the primary.

The replica is used only while it answers and is at most DATABASE_REPLICA_MAX_LAG
seconds behind. The verdict is kept for a few seconds per process, so a dead replica
costs one connection attempt per process in that time, not one per request.
"""

import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# How long a verdict on the replica stands. A lagging replica is noticed this much later
# at worst, so reads may be DATABASE_REPLICA_MAX_LAG plus this many seconds behind.
VERDICT_SECONDS = 5.0

# How far behind the replica is, in seconds: none while it has replayed everything its
# WAL receiver got (an idle primary sends nothing, and the last replayed transaction's
# time grows old without any lag); otherwise the age of the last transaction replayed.
# NULL (no receiver has streamed yet, nothing replayed) counts as too far behind.
# pg_stat_wal_receiver shows its row (the pid) to any user, its details only to some.
_LAG_SQL = """
SELECT pg_is_in_recovery(),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                 AND EXISTS (SELECT FROM pg_stat_wal_receiver)
            THEN 0
            ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
       END
"""


@dataclass(frozen=True)
class Verdict:
    usable: bool
    reason: str  # why not: "unreachable", "lagging", "not a standby"
    until: float  # time.monotonic() when it is checked again


_verdict: Verdict | None = None
_checking = threading.Lock()


def heavy_reads() -> str:
    """The database alias for a read that may be a little behind: the replica when one
    is configured, answers, keeps up within DATABASE_REPLICA_MAX_LAG, and no transaction
    is open on the primary (a read inside a write must see the write); else the primary.

    Call it where the read happens and pass the alias on (`using=`, `.using()`,
    `connections[alias].cursor()`); keep the permission check on the primary."""
    if REPLICA not in connections.settings or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA if _replica_answers() else PRIMARY


def forget_verdict() -> None:
    """Check the replica afresh at the next heavy read, as when the verdict expires."""
    global _verdict
    if _verdict is not None:
        _verdict = replace(_verdict, until=0.0)


def pooled(alias: str) -> bool:
    """Whether `alias` reaches PostgreSQL through a transaction pooler (PgBouncer in
    transaction mode, DATABASE_POOLING=transaction), where consecutive transactions may
    run in different server sessions: nothing may outlive a transaction there (no
    PREPARE, no cursor WITH HOLD, no session SET, no LISTEN, no session advisory lock).
    The settings mark such an alias with Django's DISABLE_SERVER_SIDE_CURSORS."""
    return bool(connections[alias].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"))


def _replica_answers() -> bool:
    verdict = _verdict
    stale = verdict is None or verdict.until <= time.monotonic()
    # One thread checks; the others go on with the old verdict (or the primary) rather
    # than queue behind a connection attempt.
    if stale and _checking.acquire(blocking=False):
        try:
            return _check().usable
        finally:
            _checking.release()
    if verdict is None or not verdict.usable:
        return False
    # The verdict is a few seconds old: the connection this thread holds may be to a
    # server that has gone since. One round trip (SELECT 1) tells, and a new connection
    # is tried before giving up.
    try:
        _connect()
    except DatabaseError:
        _judge(False, "unreachable")
        return False
    return True


def _connect() -> Any:
    """The replica's open connection (the driver's), after a new one replaced one that
    no longer answers; DatabaseError when none can be had."""
    replica = connections[REPLICA]
    try:
        if replica.connection is not None and not replica.is_usable():
            replica.close()
        replica.ensure_connection()
    except DatabaseError:
        replica.close()
        raise
    return replica.connection


def _check() -> Verdict:
    replica = connections[REPLICA]
    try:
        # The driver's own cursor: the check is no query of the app's to log or count.
        with replica.wrap_database_errors, _connect().cursor() as cursor:
            cursor.execute(_LAG_SQL)
            standby, lag = cursor.fetchone()
    except DatabaseError:
        replica.close()
        return _judge(False, "unreachable")
    if not standby:
        return _judge(False, "not a standby")
    if lag is None or lag > settings.DATABASE_REPLICA_MAX_LAG:
        return _judge(False, "lagging", "" if lag is None else f" {lag:.1f}s")
    return _judge(True, "")


def _judge(usable: bool, reason: str, detail: str = "") -> Verdict:
    """Keep the verdict, and log a change of it (not every check that repeats it)."""
    global _verdict
    before = _verdict
    verdict = Verdict(usable, reason, time.monotonic() + VERDICT_SECONDS)
    _verdict = verdict
    if not usable and (before is None or before.usable or before.reason != reason):
        logger.warning("replica: not used (%s%s); heavy reads go to the primary", reason, detail)
    elif usable and before is not None and not before.usable:
        logger.warning("replica: back in use for heavy reads")
    return verdict


class Router:
    """Every write to the primary, whichever database the object was read from; the
    replica's objects relate to the primary's (they are the same rows); migrations on the
    primary only. Reads are left alone: they go where their caller says (`heavy_reads`)."""

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
