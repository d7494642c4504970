"""Offline policy rules: each one failing and passing, and severities."""

from __future__ import annotations

import re

from policy_helpers import SUB_A, SUB_B, desired_of, tenant

from checker.model import Diagnostic, Location
from checker.policy import Policy, TenantRules
from checker.policy.apply import apply_rule_severity, offline_diagnostics
from checker.policy.rules import lint_desired


def rule_ids(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.rule_id for d in diagnostics]


def policy_with(**rules: object) -> Policy:
    return Policy(source="p.yaml", rules=TenantRules(**rules))  # type: ignore[arg-type]


def test_region_not_allowed_fails() -> None:
    desired = desired_of(tenant("a.us.qlikcloud.com", region_code="us-east-1"))
    (finding,) = lint_desired(desired, policy_with(allowed_regions=frozenset({"eu-west-1"})))
    assert finding.rule_id == "policy/region-not-allowed"
    assert finding.level == "error"
    assert str(finding.location) == "m.yaml:11:15"
    assert "region 'us-east-1' is not allowed" in finding.message
    assert "allowed: eu-west-1" in finding.message


def test_region_allowed_passes() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", region_code="eu-west-1"))
    policy = policy_with(allowed_regions=frozenset({"eu-west-1", "us-east-1"}))
    assert lint_desired(desired, policy) == []


def test_region_per_subscription() -> None:
    desired = desired_of(
        tenant("a.us.qlikcloud.com", SUB_A, region_code="us-east-1"),
        tenant("b.us.qlikcloud.com", SUB_B, region_code="us-east-1"),
    )
    policy = Policy(
        source="p.yaml",
        rules=TenantRules(allowed_regions=frozenset({"us-east-1"})),
        subscriptions={SUB_B: TenantRules(allowed_regions=frozenset({"eu-west-1"}))},
    )
    findings = lint_desired(desired, policy)
    assert rule_ids(findings) == ["policy/region-not-allowed"]
    assert findings[0].message.endswith("allowed: eu-west-1")
    assert f"subscription {SUB_B}" in findings[0].message


def test_hostname_pattern_fails() -> None:
    desired = desired_of(tenant("Other.eu.qlikcloud.com"))
    policy = policy_with(hostname_pattern=re.compile(r"acme-[a-z]+\.eu\.qlikcloud\.com"))
    (finding,) = lint_desired(desired, policy)
    assert finding.rule_id == "policy/hostname-pattern"
    assert str(finding.location) == "m.yaml:10:15"
    assert "hostname 'Other.eu.qlikcloud.com' does not match" in finding.message


def test_hostname_pattern_whole_value() -> None:
    # A match inside the value is not enough: the whole hostname must match.
    desired = desired_of(tenant("acme-x.eu.qlikcloud.com.evil.example"))
    policy = policy_with(hostname_pattern=re.compile(r"acme-[a-z]+\.eu\.qlikcloud\.com"))
    assert rule_ids(lint_desired(desired, policy)) == ["policy/hostname-pattern"]


def test_hostname_pattern_passes() -> None:
    desired = desired_of(tenant("acme-x.eu.qlikcloud.com"))
    policy = policy_with(hostname_pattern=re.compile(r"acme-[a-z]+\.eu\.qlikcloud\.com"))
    assert lint_desired(desired, policy) == []


def test_name_pattern_fails() -> None:
    desired = desired_of(
        tenant("a.eu.qlikcloud.com", name="prod", fields=("hostname", "name"))
    )
    (finding,) = lint_desired(desired, policy_with(name_pattern=re.compile("Acme .+")))
    assert finding.rule_id == "policy/name-pattern"
    assert str(finding.location) == "m.yaml:11:15"
    assert "name 'prod' does not match the policy's namePattern 'Acme .+'" in finding.message


def test_name_pattern_skips_unnamed() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", name=None))
    assert lint_desired(desired, policy_with(name_pattern=re.compile("Acme .+"))) == []


def test_name_pattern_passes() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", name="Acme Prod"))
    assert lint_desired(desired, policy_with(name_pattern=re.compile("Acme .+"))) == []


def test_max_tenants_fails() -> None:
    desired = desired_of(*(tenant(f"t{i}.eu.qlikcloud.com") for i in range(3)))
    (finding,) = lint_desired(desired, policy_with(max_tenants=2))
    assert finding.rule_id == "policy/max-tenants"
    assert str(finding.location) == "m.yaml:4:5"
    assert f"subscription {SUB_A} declares 3 tenants" in finding.message
    assert "at most 2" in finding.message


def test_max_tenants_passes() -> None:
    desired = desired_of(*(tenant(f"t{i}.eu.qlikcloud.com") for i in range(2)))
    assert lint_desired(desired, policy_with(max_tenants=2)) == []


def test_max_tenants_per_subscription() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", SUB_A), tenant("b.eu.qlikcloud.com", SUB_B))
    policy = Policy(
        source="p.yaml",
        rules=TenantRules(max_tenants=5),
        subscriptions={SUB_B: TenantRules(max_tenants=0)},
    )
    findings = lint_desired(desired, policy)
    assert rule_ids(findings) == ["policy/max-tenants"]
    assert str(findings[0].location) == "m.yaml:40:5"


def test_required_field_fails() -> None:
    desired = desired_of(tenant("a.eu.qlikcloud.com", name="Acme", id=None, fields=("hostname", "name")))
    findings = lint_desired(desired, policy_with(required_fields=("name", "id")))
    assert rule_ids(findings) == ["policy/required-field"]
    assert str(findings[0].location) == "m.yaml:10:9"
    assert "does not declare 'id'" in findings[0].message
    assert findings[0].hint == "add `id:` to the tenant"


def test_required_status_needs_declaration() -> None:
    # status defaults to active, so only field_sources tell whether it was written.
    desired = desired_of(tenant("a.eu.qlikcloud.com"))
    findings = lint_desired(desired, policy_with(required_fields=("status",)))
    assert rule_ids(findings) == ["policy/required-field"]


def test_required_field_passes() -> None:
    desired = desired_of(
        tenant("a.eu.qlikcloud.com", name="Acme", id="abc", fields=("hostname", "name", "id"))
    )
    assert lint_desired(desired, policy_with(required_fields=("name", "id"))) == []


def test_default_rules_find_nothing() -> None:
    desired = desired_of(tenant("anything.us.qlikcloud.com", region_code="us-east-1"))
    assert lint_desired(desired, Policy(source="p.yaml")) == []


def test_severity_changes_level() -> None:
    diagnostic = Diagnostic(Location("m.yaml", 3), "error", "x", "policy/name-pattern")
    policy = Policy(source="p.yaml", rule_severity=({"policy/name-pattern": "warning"},))
    (result,) = apply_rule_severity([diagnostic], policy)
    assert result.level == "warning"
    assert result.message == "x"


def test_severity_ignore_drops() -> None:
    diagnostics = [
        Diagnostic(Location("m.yaml", 3), "error", "x", "policy/name-pattern"),
        Diagnostic(Location("m.yaml", 4), "error", "y", "policy/max-tenants"),
    ]
    policy = Policy(source="p.yaml", rule_severity=({"policy/name-*": "ignore"},))
    assert rule_ids(apply_rule_severity(diagnostics, policy)) == ["policy/max-tenants"]


def test_offline_combines_and_applies() -> None:
    desired = desired_of(tenant("a.us.qlikcloud.com", region_code="us-east-1"))
    manifest = Diagnostic(Location("m.yaml", 1), "warning", "w", "lint/empty")
    policy = Policy(
        source="p.yaml",
        rules=TenantRules(allowed_regions=frozenset({"eu-west-1"})),
        rule_severity=({"policy/region-not-allowed": "warning", "lint/empty": "error"},),
    )
    result = offline_diagnostics(desired, [manifest], policy)
    assert [(d.rule_id, d.level) for d in result] == [
        ("lint/empty", "error"),
        ("policy/region-not-allowed", "warning"),
    ]
