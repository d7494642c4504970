"""validate and check with --policy and --ignore-file, over the demo simulator.

Every check here starts the real simulator on 127.0.0.1 from
examples/live/acme.yaml, whose drift is: missing acme-tokyo, unmanaged
acme-sandbox, changed acme-prod (name and alias), moved acme-london and the
undeclared subscription 4444555566667777.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from policy_helpers import MANIFESTS, ROOT, STATE, Runner, ignore_text, policy_text, write

TODAY = "2026-12-04"
ALL_KINDS = {"missing", "unmanaged", "changed", "moved", "undeclared-subscription"}


def check_json(cli: Runner, *options: object) -> tuple[int, dict[str, Any]]:
    result = cli(
        "check", MANIFESTS, "--simulate", STATE, "--format", "json", "--today", TODAY, *options
    )
    assert result.code in (0, 1), result.err
    data: dict[str, Any] = result.json()
    return result.code, data


def kinds(data: dict[str, Any]) -> Counter[str]:
    return Counter(item["kind"] for item in data["drift"])


def levels(data: dict[str, Any]) -> dict[str, str]:
    return {item["kind"]: item["level"] for item in data["drift"]}


def test_default_policy_keeps_demo(cli: Runner) -> None:
    code, data = check_json(cli)
    assert code == 1
    assert set(kinds(data)) == ALL_KINDS
    assert levels(data)["undeclared-subscription"] == "info"
    assert levels(data)["missing"] == "error"
    assert data["summary"]["ignored"] == 0
    assert data["ignored"] == []


def test_default_file_same_result(cli: Runner) -> None:
    _, implicit = check_json(cli)
    code, explicit = check_json(cli, "--policy", ROOT / "policy" / "default.yaml")
    assert code == 1
    assert explicit["drift"] == implicit["drift"]
    assert explicit["summary"] == implicit["summary"]


def test_unmanaged_warning_still_fails(cli: Runner, tmp_path: Path) -> None:
    policy = write(tmp_path / "p.yaml", policy_text("severity:\n  drift:\n    unmanaged: warning\n"))
    code, data = check_json(cli, "--policy", policy)
    assert code == 1
    assert levels(data)["unmanaged"] == "warning"
    assert levels(data)["changed"] == "error"


def test_only_warnings_exit_zero(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            severity:
              drift:
                missing: warning
                unmanaged: warning
                changed: info
                moved: warning
            """
        ),
    )
    code, data = check_json(cli, "--policy", policy)
    assert code == 0
    assert set(kinds(data)) == ALL_KINDS
    assert "error" not in levels(data).values()


def test_all_kinds_ignore_exit_zero(cli: Runner, tmp_path: Path) -> None:
    body = "severity:\n  drift:\n" + "".join(f"    {k}: ignore\n" for k in sorted(ALL_KINDS))
    policy = write(tmp_path / "p.yaml", policy_text(body))
    code, data = check_json(cli, "--policy", policy)
    assert code == 0
    assert data["drift"] == []
    assert data["summary"]["ignored"] == 5
    assert data["summary"]["drift"] == 0
    reasons = {item["kind"]: item["ignoredBy"] for item in data["ignored"]}
    assert reasons["moved"] == f"{policy}: severity of moved is ignore"
    assert set(reasons) == ALL_KINDS


def test_tenant_ignore_by_glob(cli: Runner, tmp_path: Path) -> None:
    ignore = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: "acme-sand*.us.qlikcloud.com"
                reason: pilot sandbox
            """
        ),
    )
    code, data = check_json(cli, "--ignore-file", ignore)
    assert code == 1
    assert "unmanaged" not in kinds(data)
    assert data["summary"]["ignored"] == 1
    (ignored,) = data["ignored"]
    assert ignored["hostname"] == "acme-sandbox.us.qlikcloud.com"
    assert ignored["ignoredBy"] == f"{ignore}:4 (pilot sandbox)"


def test_field_ignore_by_pointer(cli: Runner, tmp_path: Path) -> None:
    ignore = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: acme-prod.eu.qlikcloud.com
                fields: [/name]
                reason: legacy name until the rename window
            """
        ),
    )
    _, data = check_json(cli, "--ignore-file", ignore)
    (changed,) = [item for item in data["drift"] if item["kind"] == "changed"]
    assert [c["path"] for c in changed["changes"]] == ["hostnames"]
    (ignored,) = data["ignored"]
    assert [c["path"] for c in ignored["changes"]] == ["name"]


def test_field_ignore_all_fields(cli: Runner, tmp_path: Path) -> None:
    ignore = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: acme-prod.eu.qlikcloud.com
                fields: [/name, /hostnames]
                reason: renamed in the console
            """
        ),
    )
    _, data = check_json(cli, "--ignore-file", ignore)
    assert "changed" not in kinds(data)
    assert data["summary"]["changed"] == 0
    assert data["summary"]["ignored"] == 1


def test_ignore_limited_to_kind(cli: Runner, tmp_path: Path) -> None:
    ignore = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: "acme-*"
                kinds: [missing]
                reason: tenants on order
            """
        ),
    )
    _, data = check_json(cli, "--ignore-file", ignore)
    assert "missing" not in kinds(data)
    assert kinds(data)["unmanaged"] == 1
    assert kinds(data)["changed"] == 1
    assert [item["kind"] for item in data["ignored"]] == ["missing"]


def test_policy_inline_ignore(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            ignore:
              - subscription: "4444555566667777"
                kinds: [undeclared-subscription]
                reason: labs subscription
            """
        ),
    )
    _, data = check_json(cli, "--policy", policy)
    assert "undeclared-subscription" not in kinds(data)
    assert data["summary"]["ignored"] == 1


def expired_ignore(tmp_path: Path) -> Path:
    return write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: acme-tokyo.jp.qlikcloud.com
                reason: tenant on order
                expires: 2026-11-30
            """
        ),
    )


def test_expired_ignore_warns(cli: Runner, tmp_path: Path) -> None:
    ignore = expired_ignore(tmp_path)
    code, data = check_json(cli, "--ignore-file", ignore)
    assert code == 1
    assert kinds(data)["missing"] == 1
    assert data["summary"]["ignored"] == 0
    (warning,) = [d for d in data["diagnostics"] if d["ruleId"] == "policy/ignore-expired"]
    assert warning["file"] == str(ignore)
    assert warning["line"] == 4
    assert warning["level"] == "warning"
    assert "2026-11-30" in warning["message"]
    assert "tenant on order" in warning["message"]


def test_expired_ignore_applies_before(cli: Runner, tmp_path: Path) -> None:
    ignore = expired_ignore(tmp_path)
    code, data = check_json(cli, "--ignore-file", ignore, "--today", "2026-11-30")
    assert kinds(data)["missing"] == 0
    assert data["summary"]["ignored"] == 1
    assert not [d for d in data["diagnostics"] if d["ruleId"] == "policy/ignore-expired"]


def test_expired_ignore_text(cli: Runner, tmp_path: Path) -> None:
    ignore = expired_ignore(tmp_path)
    result = cli("check", MANIFESTS, "--simulate", STATE, "--today", TODAY, "--ignore-file", ignore)
    assert result.code == 1
    assert f"{ignore}:4:5: warning ignore rule expired on 2026-11-30" in result.out


def test_ignored_count_in_text(cli: Runner, tmp_path: Path) -> None:
    ignore = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: acme-sandbox.us.qlikcloud.com
                reason: pilot
              - hostname: acme-tokyo.jp.qlikcloud.com
                reason: on order
            """
        ),
    )
    result = cli("check", MANIFESTS, "--simulate", STATE, "--today", TODAY, "--ignore-file", ignore)
    assert result.code == 1
    summary = result.out.strip().splitlines()[-1]
    assert summary.startswith("3 drift item(s): ")
    assert summary.endswith("; 2 ignored")


def test_ignored_count_in_json(cli: Runner) -> None:
    example = ROOT / "policy" / "examples" / "ignore.yaml"
    code, data = check_json(cli, "--ignore-file", example)
    assert code == 1
    assert data["summary"]["ignored"] == 3
    assert len(data["ignored"]) == 3
    assert kinds(data) == Counter({"changed": 1, "moved": 1, "undeclared-subscription": 1})


def test_json_report_matches_schema(cli: Runner) -> None:
    example = ROOT / "policy" / "examples" / "ignore.yaml"
    _, data = check_json(cli, "--ignore-file", example)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    # Ignored items keep the shape of drift items, plus ignoredBy.
    item_schema = {**schema["$defs"]["driftItem"], "$defs": schema["$defs"]}
    for item in data["ignored"]:
        jsonschema.Draft202012Validator(item_schema).validate(item)
        assert item["ignoredBy"].startswith(f"{example}:")


def test_two_ignore_files(cli: Runner, tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", ignore_text("ignore:\n  - hostname: acme-tokyo.*\n    reason: a\n"))
    second = write(tmp_path / "b.yaml", ignore_text("ignore:\n  - hostname: acme-sandbox.*\n    reason: b\n"))
    _, data = check_json(cli, "--ignore-file", first, "--ignore-file", second)
    assert data["summary"]["ignored"] == 2


@pytest.mark.parametrize("command", ["check", "validate"])
def test_bad_policy_exits_two(cli: Runner, tmp_path: Path, command: str) -> None:
    policy = write(tmp_path / "p.yaml", policy_text("allowedRegion: [eu-west-1]\n"))
    live = ["--simulate", STATE] if command == "check" else []
    result = cli(command, MANIFESTS, "--policy", policy, *live)
    assert result.code == 2
    assert f"{policy}:3:1: unknown key 'allowedRegion'" in result.err
    assert result.out == ""


def test_bad_ignore_file_exits_two(cli: Runner, tmp_path: Path) -> None:
    ignore = write(tmp_path / "i.yaml", ignore_text("ignore:\n  - hostname: x\n"))
    result = cli("check", MANIFESTS, "--simulate", STATE, "--ignore-file", ignore)
    assert result.code == 2
    assert f"{ignore}:4:5: missing required key 'reason'" in result.err


def test_missing_policy_exits_two(cli: Runner, tmp_path: Path) -> None:
    result = cli("validate", MANIFESTS, "--policy", tmp_path / "none.yaml")
    assert result.code == 2
    assert "none.yaml: file not found" in result.err


def test_example_policy_validates_demo(cli: Runner) -> None:
    result = cli("validate", MANIFESTS, "--policy", ROOT / "policy" / "examples" / "policy.yaml")
    assert result.code == 0, result.out


def test_validate_region_not_allowed(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            subscriptions:
              "9876543210987654":
                allowedRegions: [eu-west-1, eu-central-1]
            """
        ),
    )
    result = cli("validate", MANIFESTS, "--policy", policy, "--format", "json")
    assert result.code == 1
    (finding,) = result.json()["diagnostics"]
    assert finding["ruleId"] == "policy/region-not-allowed"
    assert finding["file"].endswith("emea.yaml")
    assert finding["line"] == 28
    assert finding["col"] == 21
    assert "eu-west-2" in finding["message"]


def test_validate_policy_rule_warning(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            namePattern: 'Acme [A-Z]+'
            severity:
              rules:
                policy/name-pattern: warning
            """
        ),
    )
    result = cli("validate", MANIFESTS, "--policy", policy, "--format", "json")
    assert result.code == 0
    findings = result.json()["diagnostics"]
    assert {f["ruleId"] for f in findings} == {"policy/name-pattern"}
    assert {f["level"] for f in findings} == {"warning"}


def test_policy_error_stops_check(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            maxTenantsPerSubscription: 3
            subscriptions:
              "5555666677778888":
                maxTenants: 2
            """
        ),
    )
    result = cli("check", MANIFESTS, "--simulate", STATE, "--policy", policy, "--format", "json")
    assert result.code == 1
    data = result.json()
    assert data["summary"]["checked"] is False
    (finding,) = data["diagnostics"]
    assert finding["ruleId"] == "policy/max-tenants"
    assert finding["file"].endswith("americas-apac.yaml")
    assert finding["line"] == 15


def test_validate_warns_expired_ignore(cli: Runner, tmp_path: Path) -> None:
    ignore = expired_ignore(tmp_path)
    result = cli("validate", MANIFESTS, "--ignore-file", ignore, "--today", TODAY)
    assert result.code == 0
    assert f"{ignore}:4:5: warning ignore rule expired on 2026-11-30" in result.out


MISMATCH = """
apiVersion: qlik-drift/v1
kind: TenantManifest
subscriptions:
  - subscriptionId: "1111111111111111"
    tenants:
      - hostname: one.eu.qlikcloud.com
        regionCode: us-east-1
  - subscriptionId: "2222222222222222"
    tenants: []
"""


def rule_levels(result: Any) -> dict[str, str]:
    return {d["ruleId"]: d["level"] for d in result.json()["diagnostics"]}


def test_manifest_warning_raised(cli: Runner, tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", MISMATCH.replace("us-east-1", "eu-west-1"))
    assert cli("validate", manifest).code == 0
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    lint/empty-subscription: error\n"),
    )
    result = cli("validate", manifest, "--policy", policy, "--format", "json")
    assert result.code == 1
    assert rule_levels(result) == {"lint/empty-subscription": "error"}


def test_manifest_warning_ignored(cli: Runner, tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.yaml", MISMATCH.replace("us-east-1", "eu-west-1"))
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    lint/empty-subscription: ignore\n"),
    )
    result = cli("validate", manifest, "--policy", policy, "--format", "json")
    assert result.code == 0
    assert result.json()["diagnostics"] == []


def test_glob_keeps_manifest_error(cli: Runner, tmp_path: Path) -> None:
    # The loader left the mismatched tenant out of the desired state, so its
    # error must stay an error even when a glob lowers the lint rules.
    manifest = write(tmp_path / "m.yaml", MISMATCH)
    policy = write(tmp_path / "p.yaml", policy_text('severity:\n  rules:\n    "lint/*": ignore\n'))
    result = cli("validate", manifest, "--policy", policy, "--format", "json")
    assert result.code == 1
    assert rule_levels(result) == {"lint/region-mismatch": "error"}


def test_manifest_error_not_lowered(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    lint/region-mismatch: warning\n"),
    )
    result = cli("validate", MANIFESTS, "--policy", policy)
    assert result.code == 2
    assert f"{policy}:5:5: the severity of 'lint/region-mismatch' cannot be lowered" in result.err


def test_unknown_manifest_rule(cli: Runner, tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        policy_text("severity:\n  rules:\n    lint/region-mismatc: error\n"),
    )
    result = cli("validate", MANIFESTS, "--policy", policy)
    assert result.code == 2
    assert "did you mean 'lint/region-mismatch'?" in result.err
