"""Nothing in the web's code keeps state in a database session, which a transaction
pooler (PgBouncer in transaction mode, DATABASE_POOLING=transaction) would hand to the next
client: the places that may are named, and each has its way around the pooler."""

import ast
import io
import re
import subprocess
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What outlives a transaction in PostgreSQL's session, as the code would spell it.
SESSION_STATE = re.compile(
    r"""\bPREPARE\s+\{?\w+\}?\s+AS\b"""  # a prepared statement
    r"""|["']\s*LISTEN\s"""  # LISTEN channel
    r"""|pg_(try_)?advisory_(un)?lock(_shared)?\("""  # session advisory locks (not _xact_)
    r"""|\bCREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE\b"""
    r"""|\bWITH\s+HOLD\b"""  # a cursor kept past its transaction
    r"""|set_config\([^)]*,\s*false\s*\)"""  # set_config(..., is_local => false)
    r"""|["']\s*SET\s+(SESSION\s+)?(?!LOCAL\b)\w+\s*(=|TO\b)""",  # a session SET
)
# Where it is allowed, and why that is safe.
ALLOWED = {
    # PREPARE only where core.db.pooled() says the connection is PostgreSQL's own.
    "core/sql.py",
}
SKIPPED = {"migrations", "tests", "bench"}


def strings(source: str) -> Iterator[tuple[int, str]]:
    """The string literals of `source` as written (f-strings whole), with their lines;
    not docstrings and comments, which may name what they avoid."""
    docstrings = {
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] not in docstrings:
            yield token.start[0], token.string


def test_no_session_state_outside_the_places_that_go_around_the_pooler() -> None:
    found = []
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        relative = Path(name)
        if SKIPPED & set(relative.parts) or name in ALLOWED:
            continue
        for number, literal in strings((ROOT / relative).read_text(encoding="utf-8")):
            if SESSION_STATE.search(literal):
                found.append(f"{relative}:{number}: {literal}")
    assert found == []


def test_the_pattern_finds_what_it_is_for() -> None:
    for line in [
        'cursor.execute(f"PREPARE {name} AS {sql}")',
        'cursor.execute("LISTEN kopilka")',
        'cursor.execute("SELECT pg_advisory_lock(%s)", [key])',
        'cursor.execute("CREATE TEMP TABLE t (x int)")',
        'cursor.execute("DECLARE c CURSOR WITH HOLD FOR SELECT 1")',
        "cursor.execute(\"SELECT set_config('x.y', 'on', false)\")",
        "cursor.execute(\"SET statement_timeout = '5s'\")",
        'cursor.execute("SET SESSION search_path TO x")',
    ]:
        assert SESSION_STATE.search(line), line
        assert [SESSION_STATE.search(s) for _, s in strings(line)] != [None], line
    for line in [
        "cursor.execute(\"SELECT set_config('kopilka.audit_redact', 'on', true)\")",
        'cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])',
        "cursor.execute(\"SET LOCAL statement_timeout = '5s'\")",
        '"UPDATE audit_log SET details = %s::jsonb"',
        "listen_notify=not options['until_empty'],",
    ]:
        assert not SESSION_STATE.search(line), line
