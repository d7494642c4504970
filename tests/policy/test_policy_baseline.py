"""qlik-drift baseline: an ignore file from today's drift, written atomically."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from policy_helpers import MANIFESTS, STATE, Result, Runner, write

from checker.errors import UsageError
from checker.policy import load_ignore_file
from checker.policy.baseline import expiry_date

TODAY = "2026-12-04"


def baseline(cli: Runner, output: Path | str, *options: object) -> Result:
    return cli("baseline", MANIFESTS, "--simulate", STATE, "-o", output, "--today", TODAY, *options)


def test_baseline_then_check_passes(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    result = baseline(cli, output)
    assert result.code == 0, result.err
    assert "wrote 5 ignore rule(s)" in result.err
    check = cli(
        "check", MANIFESTS, "--simulate", STATE, "--ignore-file", output,
        "--today", TODAY, "--format", "json",
    )
    assert check.code == 0, check.out
    data = check.json()
    assert data["drift"] == []
    assert data["summary"]["ignored"] == 5


def test_baseline_entries(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    baseline(cli, output)
    rules = load_ignore_file(str(output))
    by_kind = {next(iter(rule.kinds or ())): rule for rule in rules}
    assert set(by_kind) == {"missing", "unmanaged", "changed", "moved", "undeclared-subscription"}
    assert by_kind["changed"].fields == ("name", "hostnames")
    assert by_kind["changed"].hostname == "acme-prod.eu.qlikcloud.com"
    assert by_kind["unmanaged"].id == "Vb6nM2qW8eR4tY0uI6oP2aS8dF4gH0jK"
    assert by_kind["undeclared-subscription"].subscription == "4444555566667777"
    assert by_kind["undeclared-subscription"].hostname is None
    assert {rule.reason for rule in rules} == {f"baseline {TODAY}"}
    assert {rule.expires for rule in rules} == {None}


def test_baseline_file_text(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    baseline(cli, output)
    text = output.read_text()
    assert text.startswith("# Written by `qlik-drift baseline` on 2026-12-04")
    assert "kind: IgnoreList" in text
    assert "  # missing: acme-tokyo.jp.qlikcloud.com (" in text
    assert "subscription: '5555666677778888'" in text


def test_baseline_new_field_still_reported(cli: Runner, tmp_path: Path) -> None:
    # A baseline accepts today's changed fields only: a region change is new.
    output = tmp_path / "ignore.yaml"
    baseline(cli, output)
    state = tmp_path / "acme.yaml"
    state.write_text(
        Path(STATE).read_text().replace("regionCode: eu-west-1", "regionCode: eu-west-3", 1)
    )
    check = cli(
        "check", MANIFESTS, "--simulate", state, "--ignore-file", output,
        "--today", TODAY, "--format", "json",
    )
    assert check.code == 1
    (changed,) = check.json()["drift"]
    assert [c["path"] for c in changed["changes"]] == ["regionCode"]


def test_baseline_expires_in(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    assert baseline(cli, output, "--expires-in", "30").code == 0
    rules = load_ignore_file(str(output))
    assert {rule.expires for rule in rules} == {date(2027, 1, 3)}
    # Every entry spells the date out: no YAML anchors and aliases.
    assert output.read_text().count("expires: 2027-01-03\n") == 5


def test_baseline_expired_counts_again(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    baseline(cli, output, "--expires-in", "30")
    check = cli(
        "check", MANIFESTS, "--simulate", STATE, "--ignore-file", output,
        "--today", "2027-01-04", "--format", "json",
    )
    assert check.code == 1
    data = check.json()
    assert data["summary"]["drift"] == 5
    expired = [d for d in data["diagnostics"] if d["ruleId"] == "policy/ignore-expired"]
    assert len(expired) == 5


def test_baseline_refuses_overwrite(cli: Runner, tmp_path: Path) -> None:
    output = write(tmp_path / "ignore.yaml", "# hand-written\n")
    result = baseline(cli, output)
    assert result.code == 2
    assert f"{output} already exists" in result.err
    assert "--force" in result.err
    assert output.read_text() == "# hand-written\n"


def test_baseline_force_replaces(cli: Runner, tmp_path: Path) -> None:
    output = write(tmp_path / "ignore.yaml", "# hand-written\n")
    before = output.stat().st_ino
    assert baseline(cli, output, "--force").code == 0
    assert len(load_ignore_file(str(output))) == 5
    # A new inode: the file was renamed into place, not rewritten in place.
    assert output.stat().st_ino != before
    assert sorted(os.listdir(tmp_path)) == ["ignore.yaml"]


def test_baseline_failure_keeps_file(cli: Runner, tmp_path: Path) -> None:
    output = write(tmp_path / "ignore.yaml", "# hand-written\n")
    broken = write(tmp_path / "state.yaml", "tenants: [\n")
    result = cli("baseline", MANIFESTS, "--simulate", broken, "-o", output, "--force")
    assert result.code == 2
    assert output.read_text() == "# hand-written\n"
    assert sorted(os.listdir(tmp_path)) == ["ignore.yaml", "state.yaml"]


def test_baseline_missing_folder(cli: Runner, tmp_path: Path) -> None:
    result = baseline(cli, tmp_path / "no" / "ignore.yaml")
    assert result.code == 2
    assert "cannot write" in result.err
    assert not (tmp_path / "no").exists()


def test_baseline_stdout(cli: Runner) -> None:
    result = baseline(cli, "-")
    assert result.code == 0
    assert result.out.count("reason: baseline 2026-12-04") == 5


def test_baseline_skips_ignored(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    existing = write(
        tmp_path / "old.yaml",
        "apiVersion: qlik-drift/v1\nkind: IgnoreList\nignore:\n"
        "  - hostname: acme-tokyo.*\n    reason: on order\n",
    )
    assert baseline(cli, output, "--ignore-file", existing).code == 0
    assert len(load_ignore_file(str(output))) == 4


def test_baseline_invalid_manifest(cli: Runner, tmp_path: Path) -> None:
    manifest = write(
        tmp_path / "m.yaml",
        "apiVersion: qlik-drift/v1\nkind: TenantManifest\nsubscriptions: 7\n",
    )
    output = tmp_path / "ignore.yaml"
    result = cli("baseline", manifest, "--simulate", STATE, "-o", output)
    assert result.code == 1
    assert "m.yaml:3" in result.err
    assert not output.exists()


def test_baseline_expires_in_too_large(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    result = baseline(cli, output, "--expires-in", "99999999999")
    assert result.code == 2
    assert "--expires-in 99999999999: the date" in result.err
    assert "out of range" in result.err
    assert "Internal error" not in result.err
    assert not output.exists()


def test_baseline_expiry_past_last_date(cli: Runner, tmp_path: Path) -> None:
    output = tmp_path / "ignore.yaml"
    result = cli(
        "baseline", MANIFESTS, "--simulate", STATE, "-o", output,
        "--today", "9999-12-31", "--expires-in", "5",
    )
    assert result.code == 2
    assert "5 days after 9999-12-31 is out of range" in result.err
    assert not output.exists()


def test_expiry_date_last_day() -> None:
    assert expiry_date(date(9999, 12, 27), 4) == date(9999, 12, 31)
    assert expiry_date(date(2026, 1, 1), None) is None
    with pytest.raises(UsageError):
        expiry_date(date(9999, 12, 27), 5)
