"""--exclude on validate, check, snapshot and baseline, on the examples folder.

The examples folder mixes manifests with GitHub workflows, Pulumi projects,
a pre-commit configuration and the simulator state, none of them manifests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = str(ROOT / "examples")
MANIFESTS = str(ROOT / "examples" / "manifests")
STATE = str(ROOT / "examples" / "live" / "acme.yaml")
NOT_MANIFESTS = (
    "--exclude",
    "live/*",
    "--exclude",
    "github/",
    "--exclude",
    "Pulumi*.yaml",
    "--exclude",
    "pre-commit-config.yaml",
)


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QLIK_CLIENT_ID", "QLIK_CLIENT_SECRET", "QLIK_ORG_URL"):
        monkeypatch.delenv(name, raising=False)


def json_report(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    code = run([*argv, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_validate_examples_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = json_report(["validate", EXAMPLES], capsys)
    assert code == 1
    assert report["summary"]["errors"] > 0


def test_validate_examples_excluded(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = json_report(["validate", EXAMPLES, *NOT_MANIFESTS], capsys)
    assert code == 0
    assert report["summary"]["errors"] == 0
    assert len(report["files"]) == 2
    assert all("/manifests/" in name for name in report["files"])


def test_validate_named_file_kept(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["validate", STATE, *NOT_MANIFESTS])
    assert code == 1
    assert "live/acme.yaml" in capsys.readouterr().out


def test_validate_bad_pattern_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["validate", EXAMPLES, "--exclude", "!"])
    assert code == 2
    assert "invalid --exclude pattern" in capsys.readouterr().err


def test_check_examples_excluded(capsys: pytest.CaptureFixture[str]) -> None:
    code, expected = json_report(["check", MANIFESTS, "--simulate", STATE], capsys)
    code_all, report = json_report(
        ["check", EXAMPLES, *NOT_MANIFESTS, "--simulate", STATE], capsys
    )
    assert code == 1
    assert code_all == 1
    assert report["summary"]["errors"] == 0
    assert report["drift"] == expected["drift"]


def test_snapshot_examples_excluded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "live.json"
    failed = run(["snapshot", EXAMPLES, "--simulate", STATE, "-o", str(target)])
    assert failed == 1
    assert not target.exists()
    argv = ["snapshot", EXAMPLES, *NOT_MANIFESTS, "--simulate", STATE]
    assert run([*argv, "-o", str(target)]) == 0
    assert target.exists()


def test_baseline_examples_excluded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ignore.yaml"
    failed = run(["baseline", EXAMPLES, "--simulate", STATE, "-o", str(target)])
    assert failed == 1
    assert not target.exists()
    argv = ["baseline", EXAMPLES, *NOT_MANIFESTS, "--simulate", STATE]
    assert run([*argv, "-o", str(target)]) == 0
    assert "kind: IgnoreList" in target.read_text()
