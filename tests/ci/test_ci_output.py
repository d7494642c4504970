"""`--output FORMAT=PATH`: several reports from one run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ci_helpers import STATE, CliRunner


def test_three_outputs_in_one_run(cli: CliRunner, workspace: Path) -> None:
    (workspace / "reports").mkdir()
    result = cli(
        "check", "manifests", "--simulate", STATE,
        "--output", "github=-",
        "--output", "sarif=reports/drift.sarif",
        "--output", "json=reports/drift.json",
    )
    sarif = json.loads((workspace / "reports" / "drift.sarif").read_text())
    report = json.loads((workspace / "reports" / "drift.json").read_text())
    assert result.code == 1
    assert result.out.startswith("::")
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 5
    assert report["summary"]["drift"] == 5


def test_text_stays_on_stdout(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--output", "junit=junit.xml")
    assert result.code == 1
    assert "acme-tokyo.jp.qlikcloud.com" in result.out
    assert not result.out.startswith("<?xml")
    assert ET.parse(workspace / "junit.xml").getroot().tag == "testsuites"


def test_exit_code_independent_of_formats(cli: CliRunner, workspace: Path) -> None:
    codes = {
        name: cli("check", "manifests", "--simulate", STATE, "--output", f"{name}=out.{name}").code
        for name in ("text", "json", "github", "sarif", "junit", "markdown")
    }
    assert set(codes.values()) == {1}


def test_clean_validate_exits_zero(cli: CliRunner, workspace: Path) -> None:
    result = cli("validate", "manifests", "--output", "sarif=v.sarif", "--output", "junit=v.xml")
    sarif = json.loads((workspace / "v.sarif").read_text())
    assert result.code == 0
    assert sarif["runs"][0]["results"] == []
    assert ET.parse(workspace / "v.xml").getroot().get("failures") == "0"


def test_replaces_existing_file_whole(cli: CliRunner, workspace: Path) -> None:
    target = workspace / "report.json"
    target.write_text("x" * 100_000)
    result = cli("validate", "manifests", "--output", "json=report.json")
    assert result.code == 0
    assert json.loads(target.read_text())["command"] == "validate"
    assert sorted(p.name for p in workspace.iterdir()) == ["manifests", "report.json"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("sarif", "'sarif' is not FORMAT=PATH"),
        ("=out.sarif", "is not FORMAT=PATH"),
        ("yaml=out.yaml", "unknown format 'yaml'"),
        ("sarif=no/such/folder/out.sarif", "folder no/such/folder for no/such/folder/out.sarif"),
        ("sarif=manifests", "manifests is a folder"),
    ],
    ids=["no-equals", "no-format", "unknown-format", "missing-folder", "folder"],
)
def test_bad_output_is_usage_error(
    cli: CliRunner, workspace: Path, value: str, message: str
) -> None:
    result = cli("validate", "manifests", "--output", value)
    assert result.code == 2
    assert message in result.err


def test_two_stdout_outputs_rejected(cli: CliRunner, workspace: Path) -> None:
    result = cli("validate", "manifests", "--output", "json=-", "--output", "sarif=-")
    assert result.code == 2
    assert "more than one --output writes to stdout" in result.err


def test_same_file_twice_rejected(cli: CliRunner, workspace: Path) -> None:
    result = cli("validate", "manifests", "--output", "json=r.out", "--output", "sarif=r.out")
    assert result.code == 2
    assert "r.out is named by more than one --output" in result.err


def test_format_and_stdout_output_conflict(cli: CliRunner, workspace: Path) -> None:
    result = cli("validate", "manifests", "--format", "json", "--output", "sarif=-")
    assert result.code == 2
    assert "--format and an --output with path - both write to stdout" in result.err


def test_stdout_output_replaces_default_text(cli: CliRunner, workspace: Path) -> None:
    result = cli("validate", "manifests", "--output", "json=-")
    assert result.code == 0
    assert json.loads(result.out)["command"] == "validate"


def test_bad_output_checked_before_live_read(cli: CliRunner, workspace: Path) -> None:
    # The state file does not exist: reaching the live read would fail differently.
    result = cli("check", "manifests", "--simulate", "missing.yaml", "--output", "sarif=nowhere/x.sarif")
    assert result.code == 2
    assert "folder nowhere for nowhere/x.sarif does not exist" in result.err
