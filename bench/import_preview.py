"""How long does the import preview take as a file names more categories?

Fills a database of its own (`kopilka_bench` on the server DATABASE_URL names, as
bench/summary.py does) with one person, then previews CSV files of N rows each naming
a category of its own (none of which exists: every row falls back to "other", the
worst case), and prints the seconds of the first preview and of a second one ("preview
again") with the queries each asked. Linear: the time per row stays flat as N grows and
the queries do not grow at all.

    scripts/devservices .venv/bin/python bench/import_preview.py [--rows 500,5000]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.summary import bench_database_url, create_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="500,5000")
    args = parser.parse_args()
    url = bench_database_url()
    create_database(url)
    setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import user_create
    from finance.data import imports

    user = user_create(username="bench", password=None, source="cli")
    print(f"{'rows':>6} {'first s':>8} {'again s':>8} {'ms/row':>7} {'queries':>8}")
    for rows in [int(n) for n in args.rows.split(",")]:
        lines = ["date,amount,category"]
        lines += [f"2026-11-01,{n + 1},Категория {n}" for n in range(rows)]
        table = imports.read_table("\n".join(lines).encode())
        options = imports.Options(mapping=imports.guess_mapping(table.header))
        times = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                preview = imports.preview(user=user, table=table, options=options)
                times.append(time.perf_counter() - started)
            assert len(preview.rows) == rows and not preview.problems
        print(
            f"{rows:>6} {times[0]:>8.2f} {times[1]:>8.2f} "
            f"{1000 * times[1] / rows:>7.3f} {len(queries):>8}"
        )


if __name__ == "__main__":
    main()
