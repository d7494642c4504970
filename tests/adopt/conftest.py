from __future__ import annotations

import pytest
from adopt_helpers import CliResult, RunCli

from checker.cli import run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run qlik-drift in-process; return its exit code, stdout and stderr."""
    for name in ("QLIK_ORG_URL", "QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def invoke(*args: object) -> CliResult:
        code = run([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke
