"""Loading policy and ignore files: schema errors with positions, merging."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from policy_helpers import ROOT, ignore_text, policy_text, write

from checker.errors import EXIT_NO_ANSWER, UsageError
from checker.policy import (
    PolicyFileError,
    load_default_policy,
    load_ignore_file,
    load_policy,
)


def problems_of(path: Path, loader: object = load_policy) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        loader(str(path))  # type: ignore[operator]
    return [str(p) for p in caught.value.problems]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads((ROOT / "schemas" / "policy.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


def test_default_policy_keeps_behaviour() -> None:
    policy = load_default_policy()
    assert policy.severity_of_drift("missing", "error") == "error"
    assert policy.severity_of_drift("unmanaged", "error") == "error"
    assert policy.severity_of_drift("changed", "error") == "error"
    assert policy.severity_of_drift("moved", "error") == "error"
    assert policy.severity_of_drift("undeclared-subscription", "error") == "info"
    assert policy.license_warning_days == 30
    assert policy.rules.allowed_regions is None
    assert policy.ignores == ()


def test_no_path_gives_default() -> None:
    assert load_policy(None) is load_default_policy()


def test_policy_error_is_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("maxTenantsPerSubscription: many\n"))
    with pytest.raises(UsageError) as caught:
        load_policy(str(path))
    assert caught.value.exit_code == EXIT_NO_ANSWER


def test_all_schema_errors_with_positions(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            allowedRegion: [eu-west-1]
            maxTenantsPerSubscription: -1
            requiredFields: [name, nmae]
            severity:
              drift:
                unmanaged: warn
            ignore:
              - hostname: x.eu.qlikcloud.com
              - reason: no selector
            """
        ),
    )
    problems = problems_of(path)
    file = str(path)
    assert problems[0] == f"{file}:3:1: unknown key 'allowedRegion'; did you mean 'allowedRegions'?"
    assert problems[1] == f"{file}:4:28: -1 is less than the minimum of 0"
    assert problems[2].startswith(f"{file}:5:24: 'nmae' is not one of: ")
    assert problems[2].endswith("did you mean 'name'?")
    assert problems[3].startswith(f"{file}:8:16: 'warn' is not one of: error, warning")
    assert problems[4] == f"{file}:10:5: missing required key 'reason'"
    assert problems[5] == f"{file}:11:5: needs at least one of: subscription, hostname, id"
    assert len(problems) == 6


def test_message_lists_every_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text("namePattern: 7\nlicenseExpiryWarningDays: soon\n"),
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(str(path))
    message = str(caught.value)
    assert message.startswith(f"invalid policy file {path}:")
    assert f"{path}:3:14: expected a string, found 7 (an integer)" in message
    assert f"{path}:4:27: expected an integer, found 'soon' (a string)" in message
    assert "hint: " in message


def test_yaml_syntax_error_position(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("allowedRegions: [eu-west-1\n"))
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:4:1: invalid YAML: ")


def test_duplicate_key_position(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml", policy_text("maxTenantsPerSubscription: 1\nmaxTenantsPerSubscription: 2\n")
    )
    problems = problems_of(path)
    assert problems[0].startswith(f"{path}:4:1: invalid YAML: ")
    assert "duplicate key" in problems[0]


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "# nothing yet\n")
    assert problems_of(path) == [f"{path}:1:1: the file is empty"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(str(tmp_path / "nope.yaml"))
    assert "nope.yaml: file not found" in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"apiVersion: qlik-drift/v1\nkind: Policy\nnamePattern: '\xff'\n")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(str(path))
    assert "not UTF-8 text" in str(caught.value)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "- apiVersion: qlik-drift/v1\n")
    assert problems_of(path) == [f"{path}:1:1: expected a mapping, found a list"]


def test_unquoted_subscription_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            subscriptions:
              9876543210987654:
                maxTenants: 2
            """
        ),
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:4:3: key 9876543210987654 is not a string; quote it: \"9876543210987654\""
    ]


def test_bad_subscription_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            subscriptions:
              "98-76":
                maxTenants: 2
            """
        ),
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:4:3: invalid subscription id '98-76': use the digits of the license number"
    ]


def test_bad_regex_position(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("hostnamePattern: '[a-z'\n"))
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3:18: invalid regular expression: ")


def test_unknown_rule_id(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            severity:
              rules:
                policy/name-patern: warning
            """
        ),
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:5:5: unknown rule id 'policy/name-patern'; did you mean 'policy/name-pattern'?"
    ]


def test_schema_rule_severity_fixed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            severity:
              rules:
                schema/unknown-key: warning
            """
        ),
    )
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:5:5: the severity of 'schema/unknown-key' cannot")


def test_ignore_file_kind_mismatch(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("licenseExpiryWarningDays: 10\n"))
    problems = problems_of(path, load_ignore_file)
    assert problems == [
        f"{path}:2:7: expected kind IgnoreList, found Policy; pass this file with --policy"
    ]


def test_policy_kind_mismatch(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.yaml",
        ignore_text("ignore:\n  - subscription: '1*'\n    reason: test\n"),
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:2:7: expected kind Policy, found IgnoreList; pass this file with --ignore-file"
    ]


def test_ignore_entry_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - subscription: "1*"
                fields: [name, /hostnames/0, /createdAt]
                kinds: [unmanagd]
                expires: 2026-02-30
                reason: "  "
            """
        ),
    )
    problems = problems_of(path, load_ignore_file)
    file = str(path)
    assert problems[0] == f"{file}:5:14: 'name' is not a JSON Pointer; write a field as '/name'"
    assert problems[1].startswith(f"{file}:5:20: '/hostnames/0' is not a field that drift")
    assert problems[2].startswith(f"{file}:5:34: '/createdAt' is not a field that drift")
    assert problems[3].startswith(f"{file}:6:13: 'unmanagd' is not one of: missing")
    assert problems[4] == f"{file}:7:14: '2026-02-30' is not a valid date; write it as YYYY-MM-DD"
    assert problems[5] == f"{file}:8:13: reason is blank; say why the drift is accepted"
    assert len(problems) == 6


def test_ignore_file_needs_entries(tmp_path: Path) -> None:
    path = write(tmp_path / "i.yaml", ignore_text(""))
    problems = problems_of(path, load_ignore_file)
    assert problems == [f"{path}:1:1: missing required key 'ignore'"]


def test_ignore_rules_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.yaml",
        ignore_text(
            """
            ignore:
              - hostname: "ACME-*.eu.qlikcloud.com"
                kinds: [changed]
                fields: [/name, /hostnames]
                reason: renamed in the console
                expires: 2027-01-31
              - id: "Tk*"
                reason: "a/b test"
            """
        ),
    )
    first, second = load_ignore_file(str(path))
    assert first.hostname == "ACME-*.eu.qlikcloud.com"
    assert first.kinds == frozenset({"changed"})
    assert first.fields == ("name", "hostnames")
    assert first.expires == date(2027, 1, 31)
    assert first.reason == "renamed in the console"
    assert str(first.location) == f"{path}:4:5"
    assert first.json_path == "$.ignore[0]"
    assert second.id == "Tk*"
    assert second.kinds is None
    assert second.expires is None
    assert second.location.line == 9


def test_pointer_escapes_decoded(tmp_path: Path) -> None:
    # RFC 6901: ~1 is "/" and ~0 is "~"; neither names a compared field.
    path = write(
        tmp_path / "i.yaml",
        ignore_text("ignore:\n  - id: x\n    fields: [/na~1me]\n    reason: r\n"),
    )
    problems = problems_of(path, load_ignore_file)
    assert len(problems) == 1
    assert "'/na~1me' is not a field that drift compares" in problems[0]


def test_policy_over_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            allowedRegions: [eu-west-1]
            maxTenantsPerSubscription: 4
            subscriptions:
              "9876543210987654":
                maxTenants: 2
            severity:
              drift:
                unmanaged: warning
            """
        ),
    )
    policy = load_policy(str(path))
    assert policy.severity_of_drift("unmanaged", "error") == "warning"
    assert policy.severity_of_drift("missing", "error") == "error"
    assert policy.severity_of_drift("undeclared-subscription", "info") == "info"
    assert policy.license_warning_days == 30
    assert policy.rules_for("9876543210987654").max_tenants == 2
    assert policy.rules_for("9876543210987654").allowed_regions == {"eu-west-1"}
    assert policy.rules_for("1234567890123456").max_tenants == 4


def test_policy_glob_beats_default(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            severity:
              rules:
                "live/*": error
                policy/name-pattern: info
                "policy/*": warning
            """
        ),
    )
    policy = load_policy(str(path))
    assert policy.severity_of_rule("live/license-expiring", "warning") == "error"
    assert policy.severity_of_rule("policy/name-pattern", "error") == "info"
    assert policy.severity_of_rule("policy/max-tenants", "error") == "warning"
    assert policy.severity_of_rule("region/hostname-mismatch", "error") == "error"


def test_policy_inline_ignores(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            ignore:
              - subscription: "4444*"
                kinds: [undeclared-subscription]
                reason: another team's subscription
            """
        ),
    )
    (rule,) = load_policy(str(path)).ignores
    assert rule.subscription == "4444*"
    assert rule.location.line == 4


def test_example_files_load() -> None:
    policy = load_policy(str(ROOT / "policy" / "examples" / "policy.yaml"))
    rules = load_ignore_file(str(ROOT / "policy" / "examples" / "ignore.yaml"))
    assert policy.rules.allowed_regions
    assert rules


def test_unknown_region_code(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.yaml",
        policy_text(
            """
            subscriptions:
              "9876543210987654":
                allowedRegions: [eu-west-1, eu-wset-2]
            """
        ),
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:5:33: unknown region code 'eu-wset-2'; did you mean 'eu-west-2'?"
    ]


def test_default_policy_same_as_file() -> None:
    # The built-in policy is read by the fast reader; --policy uses ruamel.yaml.
    explicit = load_policy(str(ROOT / "policy" / "default.yaml"))
    default = load_default_policy()
    assert explicit.drift_severity == default.drift_severity
    # A policy file is a layer over the defaults: its own layer comes last.
    assert explicit.rule_severity[-1] == default.rule_severity[-1]
    assert explicit.license_warning_days == default.license_warning_days
    assert explicit.rules == default.rules


def test_fast_read_positions(tmp_path: Path) -> None:
    from checker.policy.yamlfile import read_yaml_fast

    path = write(tmp_path / "p.yaml", policy_text("severity:\n  rules:\n    x/y: error\n"))
    document, problems = read_yaml_fast(str(path), hint="")
    assert problems == []
    assert document.root is None
    where = document.location(["severity", "rules", "x/y"], key=True)
    assert (where.line, where.col) == (5, 5)
