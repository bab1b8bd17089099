import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_settings_come_from_the_environment() -> None:
    assert settings.SECRET_KEY.startswith("insecure-test")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def databases(**env: str) -> subprocess.CompletedProcess[str]:
    """config.settings' DATABASES (as JSON on stdout) with `env` set."""
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "from django.conf import settings; print(json.dumps(settings.DATABASES))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgresql://kopilka@db.internal/kopilka", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unset_there_is_one_database_as_before() -> None:
    result = databases()
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert list(entries) == ["default"]
    default = entries["default"]
    assert (default["CONN_MAX_AGE"], default["DISABLE_SERVER_SIDE_CURSORS"]) == (60, False)
    assert default["OPTIONS"] == {}


def test_transaction_pooling_and_a_replica() -> None:
    result = databases(
        DATABASE_POOLING="transaction",
        DATABASE_REPLICA_URL="postgresql://kopilka@replica.internal:6432/kopilka",
    )
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    for alias in ("default", "replica"):
        assert entries[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert entries[alias]["OPTIONS"]["prepare_threshold"] is None
    replica = entries["replica"]
    assert (replica["HOST"], replica["PORT"]) == ("replica.internal", 6432)
    assert replica["OPTIONS"]["connect_timeout"] == 2
    # Tests read the primary's test database through it; none is created on a standby.
    assert replica["TEST"]["MIRROR"] == "default"


def test_a_pool_for_one_host() -> None:
    result = databases(DATABASE_POOL_MAX_SIZE="8")
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10}
    assert default["CONN_MAX_AGE"] == 0  # Django's pool refuses persistent connections


def test_bad_database_settings_stop_the_start() -> None:
    for env, message in [
        ({"DATABASE_POOLING": "session"}, "DATABASE_POOLING must be empty or 'transaction'"),
        ({"DATABASE_POOL_MAX_SIZE": "-1"}, "DATABASE_POOL_MAX_SIZE must be 0"),
        (
            {"DATABASE_POOL_MAX_SIZE": "4", "DATABASE_POOLING": "transaction"},
            "set one of them",
        ),
        ({"DATABASE_REPLICA_MAX_LAG": "-5"}, "DATABASE_REPLICA_MAX_LAG must be 0"),
        ({"DATABASE_REPLICA_MAX_LAG": "half a minute"}, "must be an integer"),
    ]:
        result = databases(**env)
        assert result.returncode != 0, env
        assert message in result.stderr, (env, result.stderr[-300:])
