"""Fixtures for driving qlik-drift with policies, ignore files and baselines."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from policy_helpers import Result, Runner

from checker.cli import run


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep credentials, org URLs and CI variables of the runner out of the tests."""
    for name in (
        "QLIK_CLIENT_ID",
        "QLIK_CLIENT_SECRET",
        "QLIK_ORG_URL",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_WORKSPACE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Undo the CLI's logging setup, which would hide records from later caplog users."""
    logger = logging.getLogger("checker")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Runner:
    """Run qlik-drift in this process; return its exit code and output."""

    def invoke(*args: object) -> Result:
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
