import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check(target: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/prerequisites", target],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_this_machine_has_what_make_test_needs() -> None:
    result = check("test")
    assert result.returncode == 0, result.stderr


def test_a_missing_browser_names_the_debian_packages() -> None:
    result = check("test", CHROMIUM="/nonexistent/chromium")
    assert result.returncode == 1
    assert "apt-get install chromium fonts-liberation" in result.stderr
    # make run serves the cabinet without any browser.
    assert check("run", CHROMIUM="/nonexistent/chromium").returncode == 0


def test_a_missing_pgbouncer_names_the_debian_package() -> None:
    result = check("test", PGBOUNCER="/nonexistent/pgbouncer", DATABASE_URL="")
    assert result.returncode == 1
    assert "apt-get install pgbouncer" in result.stderr
    assert check("run", PGBOUNCER="/nonexistent/pgbouncer", DATABASE_URL="").returncode == 0


def test_a_missing_python_is_named() -> None:
    result = check("run", PYTHON="python-that-does-not-exist")
    assert result.returncode == 1
    assert "apt-get install python3" in result.stderr
