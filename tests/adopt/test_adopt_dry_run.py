"""``check --fix --dry-run``: the diff on stdout, reports only in files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from adopt_helpers import DATA, RunCli, copy_case, snapshot

LIVE = DATA / "changed-name" / "live.yaml"


def dry_run(cli: RunCli, work: Path, *flags: object) -> tuple[int, str, str]:
    result = cli("check", "--fix", "--dry-run", *flags, "--simulate", LIVE, work)
    return result.code, result.out, result.err


def test_dry_run_writes_output_file(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    before = snapshot(work)
    report = tmp_path / "report.json"
    code, out, err = dry_run(cli, work, "--output", f"json={report}")
    assert code == 1, err
    assert out.startswith(f"--- {work / 'hub.yaml'}\n")
    assert snapshot(work) == before
    data = json.loads(report.read_text())
    assert data["summary"]["changed"] == 2
    assert [item["hostname"] for item in data["drift"]] == [
        "hub.eu.qlikcloud.com",
        "lab.eu.qlikcloud.com",
    ]


def test_dry_run_writes_every_output(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    sarif, junit = tmp_path / "drift.sarif", tmp_path / "drift.xml"
    code, _, err = dry_run(cli, work, "--output", f"sarif={sarif}", "--output", f"junit={junit}")
    assert code == 1, err
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")


def test_dry_run_output_of_clean_run(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    assert cli("check", "--fix", "--simulate", LIVE, work).code == 0
    report = tmp_path / "report.json"
    code, out, err = dry_run(cli, work, "--output", f"json={report}")
    assert code == 0, err
    assert out == ""
    assert json.loads(report.read_text())["drift"] == []


@pytest.mark.parametrize("format_name", ["json", "github", "sarif", "junit", "markdown"])
def test_dry_run_rejects_format(format_name: str, tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    code, out, err = dry_run(cli, work, "--format", format_name)
    assert code == 2
    assert out == ""
    assert f"--format {format_name} and --dry-run both write to stdout" in err
    assert f"--output {format_name}=FILE" in err


def test_dry_run_rejects_output_to_stdout(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    code, out, err = dry_run(cli, work, "--output", "json=-")
    assert code == 2
    assert out == ""
    assert "--output json=- and --dry-run both write to stdout" in err


def test_dry_run_accepts_format_text(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    code, out, err = dry_run(cli, work, "--format", "text")
    assert code == 1, err
    assert out.startswith(f"--- {work / 'hub.yaml'}\n")


def test_dry_run_needs_fix(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    result = cli("check", "--dry-run", "--simulate", LIVE, work)
    assert result.code == 2
    assert "Error: --dry-run requires --fix" in result.err


def test_prune_and_accept_need_fix(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    result = cli("check", "--prune", "--accept", "changed", "--simulate", LIVE, work)
    assert result.code == 2
    assert "Error: --accept and --prune require --fix" in result.err
