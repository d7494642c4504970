"""A stdout that cannot be written: a reader that left early, a full disk.

These tests run qlik-drift as a child process, because only a real file
descriptor can be a closed pipe or /dev/full; pytest's capture cannot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import run

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "examples" / "manifests"
STATE = ROOT / "examples" / "live" / "acme.yaml"


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QLIK_", "GITHUB_"))}
    env["NO_COLOR"] = "1"
    return env


def run_with_stdout(stdout: int, *args: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "checker", *(str(a) for a in args)]
    return subprocess.run(
        command,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        timeout=60,
        check=False,
    )


def run_closed_pipe(*args: object) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose read end is closed before the child starts."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return run_with_stdout(write_end, *args)
    finally:
        os.close(write_end)


@pytest.fixture(scope="module")
def in_sync(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Manifests imported from the Acme state, so they check clean against it."""
    folder = tmp_path_factory.mktemp("in-sync")
    assert run(["-q", "import", "--simulate", str(STATE), "-o", str(folder)]) == 0
    return folder


def test_closed_pipe_check_in_sync(in_sync: Path) -> None:
    result = run_closed_pipe("check", in_sync, "--simulate", STATE)
    assert result.returncode == 0
    assert result.stderr == ""


def test_closed_pipe_check_drift() -> None:
    result = run_closed_pipe("check", MANIFESTS, "--simulate", STATE)
    assert result.returncode == 1
    assert result.stderr == ""


def test_closed_pipe_validate() -> None:
    result = run_closed_pipe("validate", MANIFESTS)
    assert result.returncode == 0
    assert result.stderr == ""


def test_closed_pipe_import_stdout() -> None:
    result = run_closed_pipe("import", "--simulate", STATE, "--single-file", "-o", "-")
    assert result.returncode == 0
    assert result.stderr == ""


def test_closed_pipe_help() -> None:
    result = run_closed_pipe("--help")
    assert result.returncode == 2
    assert result.stderr == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_stdout_validate() -> None:
    with open("/dev/full", "w") as full:
        result = run_with_stdout(full.fileno(), "validate", MANIFESTS)
    assert result.returncode == 2
    assert result.stderr == "Error: could not write to stdout: No space left on device\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_stdout_check(in_sync: Path) -> None:
    with open("/dev/full", "w") as full:
        result = run_with_stdout(full.fileno(), "check", in_sync, "--simulate", STATE)
    assert result.returncode == 2
    assert "could not write to stdout" in result.stderr
    assert "Internal error" not in result.stderr
