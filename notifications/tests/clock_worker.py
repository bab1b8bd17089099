"""`manage.py run_worker` with its clock moved, for tests: it starts at the Unix time in
KOPILKA_TEST_NOW and runs on from there (time-machine), so a test can run a real worker
process on a day of its choosing: the day a rule falls due, or three days after."""

import os
import sys

import time_machine


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with time_machine.travel(float(os.environ["KOPILKA_TEST_NOW"]), tick=True):
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "run_worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
