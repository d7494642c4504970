"""action.yml, the example workflows and the pre-commit files.

The action's run script is executed for real with bash, against the
installed qlik-drift and the simulator, the way a runner would execute it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_helpers import ROOT, STATE

QLIK_DRIFT = Path(sys.executable).parent / "qlik-drift"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / "examples" / "github").glob("*.yml"))
INPUT = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")


def help_text(command: str) -> str:
    result = subprocess.run(
        [str(QLIK_DRIFT), command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def run_step() -> dict[str, Any]:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "run"]
    return step  # type: ignore[no-any-return]


def mode_branches() -> dict[str, str]:
    """Return each mode's branch of the run script's case statement."""
    script = run_step()["run"]
    return {
        match[1]: match[2]
        for match in re.finditer(r"^\s*(\w+)\)\n(.*?);;", script, re.MULTILINE | re.DOTALL)
    }


def run_action(workdir: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the action's script with its inputs' defaults overridden by ``inputs``."""
    step = run_step()
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({name.replace("_", "-"): value for name, value in inputs.items()})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QLIK_", "GITHUB_"))}
    for variable, expression in step["env"].items():
        match = INPUT.match(expression)
        assert match is not None, expression
        env[variable] = values[match[1]]
    output_file = workdir / "github-output"
    output_file.write_text("")
    env.update({"QLIK_DRIFT": str(QLIK_DRIFT), "GITHUB_OUTPUT": str(output_file), "NO_COLOR": "1"})
    result = subprocess.run(
        ["bash", "-c", step["run"]], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    return result, output_file.read_text()


def test_action_is_composite() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for name in ("mode", "manifests", "format", "outputs", "org-url", "snapshot"):
        assert name in ACTION["inputs"], name


def test_action_scripts_take_inputs_from_env() -> None:
    # An expression inside a script would let a crafted input inject shell code.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_action_branches_cover_modes() -> None:
    assert set(mode_branches()) >= {"validate", "check", "snapshot"}


@pytest.mark.parametrize("mode", ["validate", "check", "snapshot"])
def test_action_options_exist(mode: str) -> None:
    branch = mode_branches()[mode]
    command = re.search(r"args=\((\w+)", branch)
    assert command is not None
    assert command[1] == mode
    text = help_text(mode)
    for option in set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", branch)):
        assert option in text, f"{mode} {option}"


def test_action_validate(workspace: Path) -> None:
    result, outputs = run_action(workspace, mode="validate", manifests="manifests", outputs="sarif=v.sarif\n")
    assert result.returncode == 0, result.stderr
    assert "exit-code=0" in outputs
    assert (workspace / "v.sarif").exists()
    assert "qlik-drift validate passed" in result.stdout


def test_action_snapshot_then_check(workspace: Path) -> None:
    snap, _ = run_action(workspace, mode="snapshot", snapshot="live.json", args=f"--simulate {STATE}")
    check, outputs = run_action(
        workspace, mode="check", snapshot="live.json", outputs="  sarif=drift.sarif  \njson=drift.json\n"
    )
    assert snap.returncode == 0, snap.stderr
    assert check.returncode == 1, check.stderr
    assert "exit-code=1" in outputs
    assert "::error file=manifests/" in check.stdout
    assert (workspace / "drift.sarif").exists()
    assert (workspace / "drift.json").exists()


def test_action_report_only(workspace: Path) -> None:
    run_action(workspace, mode="snapshot", snapshot="live.json", args=f"--simulate {STATE}")
    result, outputs = run_action(workspace, mode="check", snapshot="live.json", fail_on_findings="false")
    assert result.returncode == 0
    assert "exit-code=1" in outputs


def test_action_report_only_still_fails_on_errors(workspace: Path) -> None:
    result, outputs = run_action(workspace, mode="check", snapshot="absent.json", fail_on_findings="false")
    assert result.returncode == 2
    assert "exit-code=2" in outputs


def test_action_unknown_mode(workspace: Path) -> None:
    result, _ = run_action(workspace, mode="apply")
    assert result.returncode == 2
    assert "::error title=qlik-drift::unknown mode 'apply'" in result.stdout


def test_action_snapshot_needs_file(workspace: Path) -> None:
    result, _ = run_action(workspace, mode="snapshot")
    assert result.returncode == 2
    assert "needs the snapshot input" in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_uses_action_inputs(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    ours = [s for s in steps if str(s.get("uses", "")).startswith("qlik-drift/qlik-drift@")]
    assert ours
    for step in ours:
        assert set(step["with"]) <= set(ACTION["inputs"]), step["with"]
        assert step["with"]["mode"] in mode_branches()


def test_schedule_uploads_sarif_with_permission() -> None:
    workflow = yaml.safe_load((ROOT / "examples/github/drift-schedule.yml").read_text())
    job = workflow["jobs"]["drift"]
    uses = [str(s.get("uses", "")) for s in job["steps"]]
    assert job["permissions"]["security-events"] == "write"
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    # PyYAML reads the key `on` as True (YAML 1.1).
    assert "schedule" in workflow[True]


def test_pr_check_uses_snapshot_artifact() -> None:
    workflow = yaml.safe_load((ROOT / "examples/github/pr-check.yml").read_text())
    drift_steps = workflow["jobs"]["drift"]["steps"]
    download = next(s for s in drift_steps if "gh run download" in s.get("run", ""))
    check = next(s for s in drift_steps if s.get("with", {}).get("mode") == "check")
    assert "--name qlik-drift-snapshot" in download["run"]
    assert check["with"]["snapshot"].startswith("snapshot/")
    assert "QLIK_CLIENT_SECRET" not in (ROOT / "examples/github/pr-check.yml").read_text()


def test_hook_manifest_valid() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("config", [".pre-commit-config.yaml", "examples/pre-commit-config.yaml"])
def test_pre_commit_config_valid(config: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(ROOT / config)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hooks_offline_and_manual() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}
    validate = hooks["qlik-drift-validate"]
    check = hooks["qlik-drift-check"]
    assert validate["entry"] == "qlik-drift validate"
    assert validate["language"] == "python"
    assert validate["types_or"] == ["yaml"]
    assert validate["files"]
    assert validate["minimum_pre_commit_version"]
    assert check["pass_filenames"] is False
    assert check["stages"] == ["manual"]
    assert check["args"]


def test_hook_options_exist() -> None:
    examples = yaml.safe_load((ROOT / "examples/pre-commit-config.yaml").read_text())
    used = {hook["id"]: hook.get("args", []) for repo in examples["repos"] for hook in repo["hooks"]}
    for hook in HOOKS:
        command = hook["entry"].split()[1]
        text = help_text(command)
        for arg in [*hook.get("args", []), *used.get(hook["id"], [])]:
            if arg.startswith("--"):
                assert arg in text, f"{hook['id']} {arg}"
        assert hook["id"] in used


def test_hook_files_pattern_matches_manifests_folder() -> None:
    [validate] = [h for h in HOOKS if h["id"] == "qlik-drift-validate"]
    pattern = re.compile(validate["files"])
    assert pattern.search("manifests/emea.yaml")
    assert pattern.search("qlik/manifests/emea.yaml")
    assert not pattern.search(".github/workflows/ci.yaml")
