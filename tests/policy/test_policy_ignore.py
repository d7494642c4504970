"""Ignore rules over drift items: globs, kinds, JSON Pointer fields, expiry."""

from __future__ import annotations

from datetime import date
from typing import Any

from policy_helpers import SUB_A, SUB_B, drift, tenant

from checker.model import DesiredState, LiveState, Location
from checker.policy import IgnoreRule, Policy
from checker.policy.apply import apply_live_policy
from checker.policy.ignore import apply_ignores

TODAY = date(2026, 12, 4)
WHERE = Location("ignore.yaml", 5, 5)


def rule(**selectors: Any) -> IgnoreRule:
    selectors.setdefault("reason", "accepted")
    return IgnoreRule(location=WHERE, **selectors)


def test_hostname_glob_ignores() -> None:
    items = [drift("unmanaged", "acme-sandbox.us.qlikcloud.com"), drift("missing", "b.eu.qlikcloud.com")]
    outcome = apply_ignores(items, [rule(hostname="acme-*.us.qlikcloud.com")], TODAY)
    assert [i.hostname for i in outcome.drift] == ["b.eu.qlikcloud.com"]
    assert [i.hostname for i in outcome.ignored] == ["acme-sandbox.us.qlikcloud.com"]
    assert outcome.ignored[0].ignored_by == "ignore.yaml:5 (accepted)"


def test_hostname_glob_ignores_case() -> None:
    items = [drift("missing", "ACME-Tokyo.jp.qlikcloud.com")]
    outcome = apply_ignores(items, [rule(hostname="acme-tokyo.*")], TODAY)
    assert outcome.drift == []
    assert len(outcome.ignored) == 1


def test_hostname_matches_live_alias() -> None:
    live = {"hostnames": ["a.us.qlikcloud.com", "bi.acme.example"]}
    items = [drift("unmanaged", "a.us.qlikcloud.com", live=live)]
    outcome = apply_ignores(items, [rule(hostname="bi.acme.*")], TODAY)
    assert outcome.drift == []


def test_subscription_glob() -> None:
    items = [drift("missing", subscription_id=SUB_A), drift("missing", subscription_id=SUB_B)]
    outcome = apply_ignores(items, [rule(subscription="2222*")], TODAY)
    assert [i.subscription_id for i in outcome.drift] == [SUB_A]


def test_moved_matches_live_subscription() -> None:
    items = [drift("moved", subscription_id=SUB_A, live_subscription_id=SUB_B)]
    outcome = apply_ignores(items, [rule(subscription=SUB_B)], TODAY)
    assert outcome.drift == []


def test_id_glob_is_case_sensitive() -> None:
    items = [drift("unmanaged", id="TiQ8GPVr8")]
    assert apply_ignores(items, [rule(id="tiq8*")], TODAY).drift == items
    assert apply_ignores(items, [rule(id="TiQ8*")], TODAY).drift == []


def test_all_selectors_must_match() -> None:
    items = [drift("missing", "a.eu.qlikcloud.com", subscription_id=SUB_A)]
    outcome = apply_ignores(items, [rule(subscription=SUB_B, hostname="a.*")], TODAY)
    assert outcome.drift == items


def test_undeclared_subscription_by_subscription() -> None:
    items = [drift("undeclared-subscription", None, subscription_id="4444555566667777")]
    outcome = apply_ignores(items, [rule(subscription="4444*")], TODAY)
    assert outcome.drift == []


def test_hostname_rule_skips_undeclared() -> None:
    items = [drift("undeclared-subscription", None, subscription_id="4444555566667777")]
    outcome = apply_ignores(items, [rule(hostname="*")], TODAY)
    assert outcome.drift == items


def test_kind_limits_rule() -> None:
    items = [drift("unmanaged", "a.us.qlikcloud.com"), drift("changed", "a.us.qlikcloud.com", changed=["name"])]
    outcome = apply_ignores(items, [rule(hostname="a.*", kinds=frozenset({"unmanaged"}))], TODAY)
    assert [i.kind for i in outcome.drift] == ["changed"]
    assert [i.kind for i in outcome.ignored] == ["unmanaged"]


def test_field_ignore_removes_change() -> None:
    items = [drift("changed", changed=["name", "hostnames"])]
    outcome = apply_ignores(items, [rule(hostname="a.*", fields=("name",))], TODAY)
    (left,) = outcome.drift
    assert [c.path for c in left.changes] == ["hostnames"]
    (ignored,) = outcome.ignored
    assert [c.path for c in ignored.changes] == ["name"]
    assert ignored.kind == "changed"


def test_field_ignore_empties_item() -> None:
    items = [drift("changed", changed=["name", "hostnames"])]
    outcome = apply_ignores(items, [rule(hostname="a.*", fields=("name", "hostnames"))], TODAY)
    assert outcome.drift == []
    assert [c.path for c in outcome.ignored[0].changes] == ["name", "hostnames"]


def test_field_ignores_from_two_rules() -> None:
    items = [drift("changed", changed=["name", "status"], id="abc")]
    rules = [rule(hostname="a.*", fields=("name",)), rule(id="*", fields=("status",))]
    outcome = apply_ignores(items, rules, TODAY)
    assert outcome.drift == []
    assert len(outcome.ignored) == 2


def test_field_ignore_keeps_moved() -> None:
    items = [drift("moved", changed=["name"], live_subscription_id=SUB_B)]
    outcome = apply_ignores(items, [rule(hostname="a.*", fields=("name",))], TODAY)
    (left,) = outcome.drift
    assert left.kind == "moved"
    assert left.changes == []


def test_field_ignore_skips_missing() -> None:
    items = [drift("missing")]
    outcome = apply_ignores(items, [rule(hostname="a.*", fields=("name",))], TODAY)
    assert outcome.drift == items
    assert outcome.ignored == []


def test_expired_rule_warns() -> None:
    items = [drift("missing")]
    expired = rule(hostname="a.*", expires=date(2026, 12, 3), reason="tenant on order")
    outcome = apply_ignores(items, [expired], TODAY)
    assert outcome.drift == items
    (warning,) = outcome.diagnostics
    assert warning.rule_id == "policy/ignore-expired"
    assert warning.level == "warning"
    assert str(warning.location) == "ignore.yaml:5:5"
    assert "expired on 2026-12-03" in warning.message
    assert "tenant on order" in warning.message


def test_rule_applies_on_expiry_day() -> None:
    items = [drift("missing")]
    outcome = apply_ignores(items, [rule(hostname="a.*", expires=TODAY)], TODAY)
    assert outcome.drift == []
    assert outcome.diagnostics == []


def test_unmatched_expired_rule_warns() -> None:
    outcome = apply_ignores([], [rule(hostname="gone.*", expires=date(2025, 1, 1))], TODAY)
    assert len(outcome.diagnostics) == 1


def apply(items: list[Any], policy: Policy, ignores: tuple[IgnoreRule, ...] = ()) -> Any:
    live = LiveState(tenants=[])
    return apply_live_policy(DesiredState(), live, items, policy, ignores=ignores, today=TODAY)


def test_severity_ignore_moves_kind() -> None:
    policy = Policy(source="p.yaml", drift_severity={"unmanaged": "ignore"})
    outcome = apply([drift("unmanaged"), drift("missing")], policy)
    assert [i.kind for i in outcome.drift] == ["missing"]
    assert [i.kind for i in outcome.ignored] == ["unmanaged"]
    assert outcome.ignored[0].ignored_by == "p.yaml: severity of unmanaged is ignore"


def test_severity_sets_level() -> None:
    policy = Policy(source="p.yaml", drift_severity={"unmanaged": "warning"})
    outcome = apply([drift("unmanaged"), drift("missing")], policy)
    assert [(i.kind, i.level) for i in outcome.drift] == [
        ("unmanaged", "warning"),
        ("missing", "error"),
    ]


def test_policy_and_file_rules_combine() -> None:
    policy = Policy(source="p.yaml", ignores=(rule(hostname="a.*"),))
    items = [drift("missing", "a.eu.qlikcloud.com"), drift("missing", "b.eu.qlikcloud.com")]
    outcome = apply(items, policy, (rule(hostname="b.*"),))
    assert outcome.drift == []
    assert len(outcome.ignored) == 2


def test_expired_warning_severity() -> None:
    policy = Policy(source="p.yaml", rule_severity=({"policy/ignore-expired": "error"},))
    expired = rule(hostname="a.*", expires=date(2026, 1, 1))
    outcome = apply([], policy, (expired,))
    assert [d.level for d in outcome.diagnostics] == ["error"]


def test_declared_hostname_matches() -> None:
    declared = tenant("main.eu.qlikcloud.com", aliases=("bi.acme.example",))
    items = [drift("missing", "main.eu.qlikcloud.com", declared=declared)]
    outcome = apply_ignores(items, [rule(hostname="BI.ACME.EXAMPLE")], TODAY)
    assert outcome.drift == []
