"""The agent kit's downloads: the AgentSkills skill and the stdio bridge."""

from pathlib import Path

from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

CLIENTS = Path(__file__).resolve().parent.parent / "clients"
SKILL = CLIENTS / "skills" / "kopilka" / "SKILL.md"
BRIDGE = CLIENTS / "kopilka-mcp"


# Public: neither file holds anything secret, and an agent can fetch them itself.
@require_GET
def skill(request: HttpRequest) -> FileResponse:
    return FileResponse(
        SKILL.open("rb"),
        as_attachment=True,
        filename="SKILL.md",
        content_type="text/markdown; charset=utf-8",
    )


@require_GET
def bridge(request: HttpRequest) -> FileResponse:
    return FileResponse(
        BRIDGE.open("rb"),
        as_attachment=True,
        filename="kopilka-mcp",
        content_type="text/x-python; charset=utf-8",
    )
