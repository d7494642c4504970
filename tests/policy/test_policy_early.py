"""Early warnings in check, from a simulator seeded by a state file in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import Result, Runner, policy_text, write

SUB = "1111111111111111"
TODAY = "2026-12-04"

MANIFEST = f"""
apiVersion: qlik-drift/v1
kind: TenantManifest
subscriptions:
  - subscriptionId: "{SUB}"
    tenants:
      - hostname: one.eu.qlikcloud.com
        name: One
        regionCode: eu-west-1
      - hostname: two.eu.qlikcloud.com
        name: Two
        regionCode: eu-west-1
"""

STATE = f"""
organization: Early warnings
clients:
  - clientId: test-client-id
    clientSecret: test-client-secret
subscriptions:
  - subscriptionId: "{SUB}"
tenants:
  - id: TenantOne
    name: One
    status: active
    hostnames: [one.eu.qlikcloud.com]
    regionCode: eu-west-1
    subscriptionId: "{SUB}"
    licenseEndsAt: "2026-12-20"
  - id: TenantTwo
    name: Two
    status: {{status}}
    hostnames: [two.eu.qlikcloud.com]
    regionCode: eu-west-1
    subscriptionId: "{SUB}"
    licenseEndsAt: "2026-12-20T00:00:00.000Z"
    deletionStartsAt: "2027-01-15T00:00:00.000Z"
"""


@pytest.fixture
def org(tmp_path: Path) -> tuple[Path, Path]:
    manifest = write(tmp_path / "tenants.yaml", MANIFEST)
    state = write(tmp_path / "state.yaml", STATE.format(status="active"))
    return manifest, state


def check(cli: Runner, org: tuple[Path, Path], *options: object) -> Result:
    manifest, state = org
    return cli("check", manifest, "--simulate", state, "--today", TODAY, *options)


def test_warnings_keep_exit_zero(cli: Runner, org: tuple[Path, Path]) -> None:
    result = check(cli, org, "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["drift"] == []
    by_rule = {d["ruleId"]: d for d in data["diagnostics"]}
    assert set(by_rule) == {"live/license-expiring", "live/deletion-scheduled"}
    license_warning = by_rule["live/license-expiring"]
    assert license_warning["level"] == "warning"
    assert license_warning["line"] == 4
    assert "ends on 2026-12-20, in 16 day(s)" in license_warning["message"]
    deletion = by_rule["live/deletion-scheduled"]
    assert deletion["line"] == 9
    assert "two.eu.qlikcloud.com" in deletion["message"]
    assert data["summary"]["earlyWarnings"] == 2


def test_warnings_in_text_summary(cli: Runner, org: tuple[Path, Path]) -> None:
    result = check(cli, org)
    assert result.code == 0
    out = result.out
    assert "warning the license of subscription 1111111111111111 ends on 2026-12-20" in out
    assert out.strip().splitlines()[-1].endswith("2 early warning(s) from live data")


def test_policy_raises_to_error(cli: Runner, org: tuple[Path, Path], tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    live/license-expiring: error\n"),
    )
    result = check(cli, org, "--policy", policy, "--format", "json")
    assert result.code == 1
    levels = {d["ruleId"]: d["level"] for d in result.json()["diagnostics"]}
    assert levels["live/license-expiring"] == "error"
    assert levels["live/deletion-scheduled"] == "warning"


def test_policy_ignores_warning(cli: Runner, org: tuple[Path, Path], tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    live/deletion-scheduled: ignore\n"),
    )
    result = check(cli, org, "--policy", policy, "--format", "json")
    rules = {d["ruleId"] for d in result.json()["diagnostics"]}
    assert rules == {"live/license-expiring"}


def test_window_option(cli: Runner, org: tuple[Path, Path]) -> None:
    result = check(cli, org, "--license-warning-days", "15", "--format", "json")
    rules = {d["ruleId"] for d in result.json()["diagnostics"]}
    assert rules == {"live/deletion-scheduled"}


def test_window_from_policy(cli: Runner, org: tuple[Path, Path], tmp_path: Path) -> None:
    policy = write(tmp_path / "p.yaml", policy_text("licenseExpiryWarningDays: 10\n"))
    result = check(cli, org, "--policy", policy, "--format", "json")
    rules = {d["ruleId"] for d in result.json()["diagnostics"]}
    assert rules == {"live/deletion-scheduled"}


def test_window_option_beats_policy(
    cli: Runner, org: tuple[Path, Path], tmp_path: Path
) -> None:
    policy = write(tmp_path / "p.yaml", policy_text("licenseExpiryWarningDays: 10\n"))
    result = check(
        cli, org, "--policy", policy, "--license-warning-days", "20", "--format", "json"
    )
    rules = {d["ruleId"] for d in result.json()["diagnostics"]}
    assert "live/license-expiring" in rules


def test_not_active(cli: Runner, tmp_path: Path) -> None:
    manifest = write(tmp_path / "tenants.yaml", MANIFEST)
    state = write(tmp_path / "state.yaml", STATE.format(status="disabled"))
    result = cli("check", manifest, "--simulate", state, "--today", TODAY, "--format", "json")
    assert result.code == 1
    data = result.json()
    (warning,) = [d for d in data["diagnostics"] if d["ruleId"] == "live/not-active"]
    assert warning["line"] == 9
    assert "declared active but is disabled" in warning["message"]
    assert [item["kind"] for item in data["drift"]] == ["changed"]


@pytest.mark.parametrize("format_name", ["text", "json", "github", "sarif", "junit", "markdown"])
def test_warning_in_every_format(
    cli: Runner, org: tuple[Path, Path], format_name: str
) -> None:
    result = check(cli, org, "--format", format_name)
    assert result.code == 0
    assert "scheduled for deletion" in result.out
