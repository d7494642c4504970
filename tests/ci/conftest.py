"""Shared fixtures for the CI report formats, snapshots and integration files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ci_helpers import MANIFESTS, CliRunner, Result

from checker.cli import run


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the runner's own CI variables and credentials out of the tests."""
    for name in (
        "GITHUB_STEP_SUMMARY",
        "GITHUB_WORKSPACE",
        "QLIK_CLIENT_ID",
        "QLIK_CLIENT_SECRET",
        "QLIK_ORG_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run qlik-drift in this process and return its exit code and output."""

    def invoke(*args: str) -> Result:
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root holding a copy of the example manifests; the cwd."""
    shutil.copytree(MANIFESTS, tmp_path / "manifests")
    monkeypatch.chdir(tmp_path)
    return tmp_path
