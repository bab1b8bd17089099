import configparser
import re
from pathlib import Path

from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name)
    return parser


def test_every_unit_runs_a_command_that_exists() -> None:
    commands = get_commands()
    for path in DEPLOY.glob("*.service"):
        exec_start = unit(path.name)["Service"]["ExecStart"]
        match = re.search(r"manage\.py (\S+)", exec_start)
        if match and match[1] != "%i":
            assert match[1] in commands, (path.name, match[1])


def test_the_rates_timer_fires_daily_and_catches_up() -> None:
    timer = unit("kopilka-fetch-rates.timer")["Timer"]
    assert re.fullmatch(r"\*-\*-\* [0-9:,]+ UTC", timer["OnCalendar"])
    assert timer["Persistent"] == "true"
    assert unit("kopilka-fetch-rates.service")["Service"]["Type"] == "oneshot"
