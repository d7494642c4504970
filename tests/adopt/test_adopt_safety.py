"""``check --fix`` writes nothing twice, nothing on a dry run, and nothing half."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from adopt_helpers import DATA, RunCli, copy_case, snapshot

from checker.adopt.result import FileChange, FixPlan
from checker.errors import ManifestError


def fix(cli: RunCli, case: str, work: Path, *flags: str) -> tuple[int, str, str]:
    result = cli("check", "--fix", *flags, "--simulate", DATA / case / "live.yaml", work)
    return result.code, result.out, result.err


def mtimes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def test_second_fix_writes_nothing(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("moved", tmp_path)
    first_code, _, _ = fix(cli, "moved", work)
    after_first = snapshot(work)
    times = mtimes(work)
    code, _, err = fix(cli, "moved", work)
    assert first_code == 0
    assert code == 0
    assert snapshot(work) == after_first
    assert mtimes(work) == times
    assert "nothing to fix" in err


def test_dry_run_writes_nothing(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    before = snapshot(work)
    times = mtimes(work)
    code, out, _ = fix(cli, "changed-name", work, "--dry-run")
    assert code == 1
    assert snapshot(work) == before
    assert mtimes(work) == times
    assert out.startswith(f"--- {work / 'hub.yaml'}\n+++ {work / 'hub.yaml'}\n@@ ")


def test_dry_run_diff_matches_fix(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    _, out, _ = fix(cli, "changed-name", work, "--dry-run")
    removed = [line[1:] for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == ["        name: 'Acme Data Hub'   # shown in the hub switcher"]
    assert added == [
        "        name: 'Acme Hub'   # shown in the hub switcher",
        "        status: disabled",
    ]


def test_accept_rejects_unknown_kind(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    result = cli("check", "--fix", "--accept", "changed,missing", work)
    assert result.code == 2
    assert "'missing' is not one of changed, unmanaged, moved" in result.err


def test_crash_in_rename_keeps_original(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = copy_case("changed-name", tmp_path)
    before = snapshot(work)

    def fail_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail_replace)
    code, _, err = fix(cli, "changed-name", work)
    assert code == 2
    assert "No space left on device" in err
    assert snapshot(work) == before


def test_crash_in_write_keeps_original(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = copy_case("changed-name", tmp_path)
    before = snapshot(work)

    def fail_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fail_fsync)
    code, _, _ = fix(cli, "changed-name", work)
    assert code == 2
    assert snapshot(work) == before


def test_crash_between_files_leaves_each_whole(
    tmp_path: Path, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first file is fully rewritten, the second fully as before."""
    work = copy_case("moved", tmp_path)
    original = snapshot(work)
    real_replace = os.replace
    calls: list[str] = []

    def replace_once(source: str, target: str) -> None:
        calls.append(target)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_once)
    code, _, _ = fix(cli, "moved", work)
    expected = snapshot(DATA / "moved" / "expected")
    after = snapshot(work)
    assert code == 2
    assert sorted(after) == sorted(original)
    assert after["a.yaml"] == expected["a.yaml"]
    assert after["b.yaml"] == original["b.yaml"]


def test_write_refuses_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("edited: by someone else\n")
    plan = FixPlan(changes=[FileChange(str(path), "old: content\n", "new: content\n")])
    with pytest.raises(ManifestError, match="changed on disk"):
        plan.write()
    assert path.read_text() == "edited: by someone else\n"


def test_flow_list_stops_with_location(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "flow"
    work.mkdir()
    manifest = work / "flow.yaml"
    manifest.write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        '  - subscriptionId: "3000000000000003"\n'
        "    tenants: [{hostname: team-a.eu.qlikcloud.com, regionCode: eu-west-1}]\n"
    )
    before = snapshot(work)
    code, _, err = fix(cli, "unmanaged", work)
    assert code == 2
    assert f"{manifest}:5: cannot rewrite this part of the file" in err
    assert "write it as a block list" in err
    assert snapshot(work) == before


def test_flow_list_changed_exits_two(tmp_path: Path, cli: RunCli) -> None:
    work = tmp_path / "flow"
    work.mkdir()
    (work / "hub.yaml").write_text(
        "apiVersion: qlik-drift/v1\n"
        "kind: TenantManifest\n"
        "subscriptions:\n"
        '  - subscriptionId: "1000000000000001"\n'
        "    tenants: [{hostname: hub.eu.qlikcloud.com, name: Old Hub, regionCode: eu-west-1},"
        " {hostname: lab.eu.qlikcloud.com, regionCode: eu-west-1, status: disabled}]\n"
    )
    before = snapshot(work)
    code, out, err = fix(cli, "changed-name", work, "--accept", "changed")
    assert code == 2
    assert "the list is in flow style" in err
    assert out == ""
    assert snapshot(work) == before


def test_tab_after_key_is_fixed(tmp_path: Path, cli: RunCli) -> None:
    work = copy_case("changed-name", tmp_path)
    manifest = work / "hub.yaml"
    text = manifest.read_text()
    assert "        regionCode: eu-west-1\n" in text
    manifest.write_text(text.replace("regionCode: eu-west-1", "regionCode:\teu-west-1", 1))
    assert cli("validate", work).code == 0
    code, _, err = fix(cli, "changed-name", work, "--accept", "changed")
    after = manifest.read_text()
    assert code == 0, err
    assert "name: 'Acme Hub'" in after
    assert "regionCode:\teu-west-1\n" in after
    assert cli("validate", work).code == 0
