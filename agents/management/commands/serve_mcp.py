import copy
import logging
import os
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser
from uvicorn.config import LOGGING_CONFIG

from agents.server import build_app

DEFAULT_PORT = 4001


class PathOnly(logging.Filter):
    """uvicorn's access log line with the path alone, as gunicorn's: a query string may
    hold a secret (a token sent as `?token=`), and a log is no place for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            path = str(args[2]).split("?", 1)[0]
            record.args = (args[0], args[1], path, args[3], args[4])
        return True


def log_config() -> dict[str, Any]:
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_only"] = {"()": PathOnly}
    config["loggers"]["uvicorn.access"]["filters"] = ["path_only"]
    return config


class Command(BaseCommand):
    help = "Serve the MCP server (Streamable HTTP at /mcp) with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("MCP_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("MCP_PORT", DEFAULT_PORT))
        )

    def handle(self, **options: Any) -> str:
        # One process: the SDK's stateless transport keeps nothing between requests,
        # so more capacity is more processes behind nginx, as with gunicorn.
        uvicorn.run(
            build_app(),
            host=options["host"],
            port=options["port"],
            proxy_headers=False,  # nginx's X-Real-IP is read by audit.middleware.client_ip
            server_header=False,
            log_level="info",
            log_config=log_config(),
        )
        return ""
