import os
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser

from agents.server import build_app

DEFAULT_PORT = 4001


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
        )
        return ""
