"""Ready-to-paste set-up for agents, shown on the tokens page right after a token is made,
and the path the MCP server (agents) is served at: beside the agent prompt, below both."""

import json
import shlex
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

SERVER_NAME = "kopilka"
# Where nginx routes the MCP server (serve_mcp), beside the rest of Kopilka.
MCP_PATH = "/mcp"


@dataclass(frozen=True)
class Snippet:
    id: str  # the element's id, for its copy button
    title: str
    text: str
    note: str = ""


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def mcp_url(base_url: str) -> str:
    return settings.MCP_URL or base_url.rstrip("/") + MCP_PATH


def setup(*, base_url: str, token: str) -> list[Snippet]:
    """Each client's set-up with `token` and the server's addresses filled in."""
    base_url = base_url.rstrip("/")
    url = mcp_url(base_url)
    bearer = f"Authorization: Bearer {token}"
    headers = {"Authorization": f"Bearer {token}"}
    openclaw_server = {"url": url, "transport": "streamable-http", "headers": headers}
    return [
        Snippet(
            id="setup-gemini-settings",
            title=_("Gemini CLI: ~/.gemini/settings.json"),
            text=_json(
                {"mcpServers": {SERVER_NAME: {"httpUrl": url, "headers": headers, "trust": True}}}
            ),
            note=_(
                "“trust” lets Gemini CLI call Kopilka's tools without asking each time, which "
                "headless “gemini -p” needs; add --allowed-mcp-server-names kopilka to offer "
                "it only this server."
            ),
        ),
        Snippet(
            id="setup-gemini-add",
            title=_("Gemini CLI: the same from the command line"),
            text=(
                f"gemini mcp add --scope user --transport http --trust \\\n"
                f"  --header {shlex.quote(bearer)} \\\n"
                f"  {SERVER_NAME} {shlex.quote(url)}\n"
                "gemini mcp list\n"
                f'gemini --allowed-mcp-server-names {SERVER_NAME} -p "кофе 250"'
            ),
        ),
        Snippet(
            id="setup-openclaw-config",
            title=_("OpenClaw: ~/.openclaw/openclaw.json"),
            text=_json({"mcp": {"servers": {SERVER_NAME: openclaw_server}}}),
        ),
        Snippet(
            id="setup-openclaw-add",
            title=_("OpenClaw: the same from the command line"),
            text=(
                f"openclaw mcp add {SERVER_NAME} --url {shlex.quote(url)} "
                f"--transport streamable-http \\\n  --header {shlex.quote(bearer)}\n"
                f"# or: openclaw mcp set {SERVER_NAME} "
                f"{shlex.quote(json.dumps(openclaw_server, ensure_ascii=False))}\n"
                f"openclaw mcp doctor {SERVER_NAME} --probe"
            ),
        ),
        Snippet(
            id="setup-claude-desktop",
            title=_("Claude Desktop: claude_desktop_config.json"),
            text=_json(
                {
                    "mcpServers": {
                        SERVER_NAME: {
                            "command": "uv",
                            "args": ["run", "--script", "/path/to/kopilka-mcp"],
                            "env": {"KOPILKA_TOKEN": token, "KOPILKA_URL": base_url},
                        }
                    }
                }
            ),
            note=_(
                "Claude Desktop starts its servers as commands: download kopilka-mcp below and "
                "put its path in place of /path/to/kopilka-mcp (uv installs the MCP SDK it needs)."
            ),
        ),
    ]
