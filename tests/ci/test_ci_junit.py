"""JUnit XML: parsed back with xml.etree and junitparser."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import junitparser
from ci_helpers import STATE, CliRunner, changed, diagnostic

from checker.model import DriftItem, FieldChange, Location
from checker.report import Report
from checker.report.junit import render_junit


def suites_by_name(xml_text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml_text.encode("utf-8"))
    assert root.tag == "testsuites"
    return {suite.get("name", ""): suite for suite in root.findall("testsuite")}


def case(suite: ET.Element, name: str) -> ET.Element:
    found = [c for c in suite.findall("testcase") if c.get("name") == name]
    assert len(found) == 1, [c.get("name") for c in suite.findall("testcase")]
    return found[0]


def test_validate_failure_per_file() -> None:
    report = Report(
        command="validate",
        files=["manifests/emea.yaml", "manifests/good.yaml"],
        diagnostics=[diagnostic(), diagnostic("second problem", line=20, rule_id="lint/x")],
    )
    suite = suites_by_name(render_junit(report, base="."))["manifest validation"]
    failure = case(suite, "manifests/emea.yaml").find("failure")
    assert failure is not None
    assert failure.text is not None
    assert "manifests/emea.yaml:12:9: error unknown key" in failure.text
    assert "manifests/emea.yaml:20:9: error second problem (lint/x)" in failure.text
    assert case(suite, "manifests/good.yaml").find("failure") is None
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"


def test_warning_goes_to_system_out() -> None:
    report = Report(command="validate", files=["m.yaml"], diagnostics=[diagnostic(file="m.yaml", level="warning")])
    testcase = case(suites_by_name(render_junit(report, base="."))["manifest validation"], "m.yaml")
    output = testcase.find("system-out")
    assert testcase.find("failure") is None
    assert output is not None
    assert "warning unknown key" in (output.text or "")


def test_changes_concatenated_in_one_failure() -> None:
    item = changed()
    item.changes.append(FieldChange("hostnames", ["a.example"], ["b.example"]))
    report = Report(command="check", checked=True, drift=[item])
    suite = suites_by_name(render_junit(report, base="."))["subscription 9876543210987654"]
    failures = case(suite, "acme-prod.eu.qlikcloud.com").findall("failure")
    assert len(failures) == 1
    text = failures[0].text or ""
    assert "name: expected 'Acme Production', actual 'Acme Prod (legacy)'" in text
    assert "hostnames: expected [a.example], actual [b.example]" in text
    assert failures[0].get("type") == "drift/changed"


def test_ignored_drift_is_skipped() -> None:
    item = changed()
    item.ignored_by = "ignore.yaml:4"
    report = Report(command="check", checked=True, ignored=[item])
    suite = suites_by_name(render_junit(report, base="."))["subscription 9876543210987654"]
    skipped = case(suite, "acme-prod.eu.qlikcloud.com").find("skipped")
    assert skipped is not None
    assert "ignored by ignore.yaml:4" in (skipped.get("message") or "")
    assert suite.get("skipped") == "1"


def test_warning_drift_does_not_fail() -> None:
    report = Report(command="check", checked=True, drift=[changed(level="warning")])
    suite = suites_by_name(render_junit(report, base="."))["subscription 9876543210987654"]
    testcase = case(suite, "acme-prod.eu.qlikcloud.com")
    assert testcase.find("failure") is None
    assert "warning: Tenant acme-prod" in (testcase.findtext("system-out") or "")


def test_control_characters_replaced() -> None:
    report = Report(command="validate", files=["m.yaml"], diagnostics=[diagnostic("bell\x07 here", file="m.yaml")])
    xml_text = render_junit(report, base=".")
    failure = suites_by_name(xml_text)["manifest validation"].find("testcase/failure")
    assert failure is not None
    assert "bell\N{REPLACEMENT CHARACTER} here" in (failure.text or "")


def test_demo_suites_and_cases(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "junit")
    suites = suites_by_name(result.out)
    emea = suites["subscription 9876543210987654 (EMEA production)"]
    americas = suites["subscription 1234567890123456 (Americas)"]
    apac = suites["subscription 5555666677778888 (APAC)"]
    assert result.code == 1
    assert "manifest validation" in suites
    assert "subscription 4444555566667777" in suites
    # Declared tenants without drift pass.
    assert case(emea, "acme-frankfurt.de.qlikcloud.com").find("failure") is None
    assert case(apac, "acme-singapore.sg.qlikcloud.com").find("failure") is None
    assert case(emea, "acme-prod.eu.qlikcloud.com").find("failure") is not None
    assert case(emea, "acme-london.uk.qlikcloud.com").find("failure") is not None
    assert case(americas, "acme-sandbox.us.qlikcloud.com").find("failure") is not None
    assert case(apac, "acme-tokyo.jp.qlikcloud.com").find("failure") is not None


def test_demo_parses_with_junitparser(cli: CliRunner, workspace: Path) -> None:
    result = cli("check", "manifests", "--simulate", STATE, "--format", "junit")
    (workspace / "junit.xml").write_text(result.out, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(workspace / "junit.xml"))
    cases = [c for suite in xml for c in suite]
    failed = {c.name for c in cases if not c.is_passed and not c.is_skipped}
    assert failed == {
        "acme-prod.eu.qlikcloud.com",
        "acme-london.uk.qlikcloud.com",
        "acme-sandbox.us.qlikcloud.com",
        "acme-tokyo.jp.qlikcloud.com",
    }
    assert sum(suite.tests for suite in xml) == len(cases)
    assert sum(suite.failures for suite in xml) == len(failed)


def test_unmanaged_case_points_at_subscription() -> None:
    item = DriftItem(
        kind="unmanaged",
        subscription_id="1234567890123456",
        hostname="acme-sandbox.us.qlikcloud.com",
        source=Location("manifests/americas-apac.yaml", 5, 5),
    )
    report = Report(command="check", checked=True, drift=[item])
    testcase = case(suites_by_name(render_junit(report, base="."))["subscription 1234567890123456"], "acme-sandbox.us.qlikcloud.com")
    assert testcase.get("file") == "manifests/americas-apac.yaml"
    assert testcase.get("line") == "5"


def test_validate_cli_failure(cli: CliRunner, workspace: Path) -> None:
    bad = workspace / "manifests" / "emea.yaml"
    bad.write_text(bad.read_text().replace("regionCode: eu-west-2", "regoinCode: eu-west-2"))
    result = cli("validate", "manifests", "--format", "junit")
    suites = suites_by_name(result.out)
    validation = suites["manifest validation"]
    failure = case(validation, "manifests/emea.yaml").find("failure")
    assert result.code == 1
    assert list(suites) == ["manifest validation"]
    assert failure is not None
    assert "regoinCode" in (failure.text or "")
    assert case(validation, "manifests/americas-apac.yaml").find("failure") is None
