"""How fast are the bank-statement readers? Rows per second per format.

Makes a file of each format with N operations (finance/tests/statement_files.py: the
same makers the tests use; default 100,000), then reads it with `read_statement` as an
import's preview will: format detection, decoding, every row checked and fingerprinted.
Prints the file's size, the wall-clock and CPU seconds (best of --rounds) and rows per
second, with the machine's load average: the wall clock of a shared machine is the CPU
time stretched by its load, so both are shown. Needs no database.

    .venv/bin/python bench/imports.py [--rows 100000] [--formats tbank_csv,ofx1] [--rounds 1]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from finance.readers.statements import read_statement
from finance.tests import statement_files

BUDGET = 30.0  # seconds for a 100,000-row preview, categorising and matching included


def measure(content: bytes, rounds: int) -> tuple[float, float, int]:
    best_wall = best_cpu = float("inf")
    rows = 0
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        statement = read_statement(content, default_currency="RUB", max_bytes=len(content))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        rows = len(statement.rows) + len(statement.left_out)
    return best_wall, best_cpu, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(statement_files.MAKERS))
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    # Warm the one-time costs (the MCC table, the currency list) outside the timings.
    read_statement(statement_files.tbank_csv(5), default_currency="RUB", max_bytes=10**6)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.rows:,} operations per file; load average {load} on {os.cpu_count()} CPUs")
    print(
        f"{'format':<10} {'MB':>6} {'wall s':>7} {'cpu s':>7} {'rows/s':>9} {'rows/s cpu':>10} {'of 30 s':>8}"
    )
    for name in args.formats.split(","):
        content = statement_files.MAKERS[name](args.rows)
        wall, cpu, rows = measure(content, args.rounds)
        assert rows == args.rows, (name, rows)
        print(
            f"{name:<10} {len(content) / 1e6:>6.1f} {wall:>7.2f} {cpu:>7.2f} "
            f"{rows / wall:>9,.0f} {rows / cpu:>10,.0f} {cpu / BUDGET:>8.0%}"
        )


if __name__ == "__main__":
    main()
