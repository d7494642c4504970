"""JUnit XML in the Ant/Jenkins shape that CI test-report views read.

One testsuite checks the manifests, with one testcase per file. After a live
comparison, each subscription gets a testsuite with one testcase per tenant
key. Declared tenants without drift pass. A tenant with failing drift has
one ``<failure>`` with every change, because Jenkins keeps only one failure
per testcase. Ignored drift is ``<skipped>``. Drift of level warning or info
does not fail a testcase, and its text goes to ``<system-out>``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from checker.model import Diagnostic, DriftItem, Location
from checker.report.findings import drift_finding, repo_relative
from checker.report.model import Report

VALIDATION_SUITE = "manifest validation"
SUBSCRIPTION_CASE = "(subscription)"

# Characters XML 1.0 does not allow, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(slots=True)
class _Case:
    name: str
    classname: str
    location: Location | None = None
    failures: list[str] = field(default_factory=list)
    failure_messages: list[str] = field(default_factory=list)
    failure_types: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def render_junit(report: Report, *, base: str | os.PathLike[str] | None = None) -> str:
    suites = [(VALIDATION_SUITE, _validation_cases(report, base))]
    if report.checked:
        suites.extend(_subscription_suites(report))
    root = ET.Element("testsuites", name=f"qlik-drift {report.command}")
    for name, cases in suites:
        root.append(_suite_element(name, cases, base))
    _set_counts(root, list(root))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _validation_cases(report: Report, base: str | os.PathLike[str] | None) -> list[_Case]:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in report.diagnostics:
        by_file[diagnostic.location.file].append(diagnostic)
    files = list(dict.fromkeys([*report.files, *sorted(by_file)]))

    cases = []
    for file in files:
        case = _Case(name=repo_relative(file, base), classname="qlik-drift.manifests")
        for diagnostic in by_file.get(file, []):
            text = _diagnostic_text(diagnostic, base)
            if diagnostic.level == "error":
                case.failures.append(text)
                case.failure_messages.append(f"{diagnostic.message} ({diagnostic.rule_id})")
                case.failure_types.append(diagnostic.rule_id)
            else:
                case.output.append(text)
        cases.append(case)
    return cases


def _diagnostic_text(diagnostic: Diagnostic, base: str | os.PathLike[str] | None) -> str:
    location = diagnostic.location
    where = f"{repo_relative(location.file, base)}:{location.line}:{location.col}"
    text = f"{where}: {diagnostic.level} {diagnostic.message} ({diagnostic.rule_id})"
    if diagnostic.hint:
        text += f"\n  hint: {diagnostic.hint}"
    return text


def _subscription_suites(report: Report) -> list[tuple[str, list[_Case]]]:
    cases: dict[str, dict[str, _Case]] = defaultdict(dict)
    if report.desired is not None:
        for subscription_id, subscription in report.desired.subscriptions.items():
            for tenant in subscription.tenants:
                case = _case_for(cases, subscription_id, tenant.hostname)
                case.location = case.location or tenant.source

    for item in report.drift:
        case = _case_for(cases, item.subscription_id, _tenant_name(item))
        case.location = case.location or item.source
        finding = drift_finding(item)
        if item.level == "error":
            case.failures.append(finding.full_text)
            case.failure_messages.append(finding.one_line)
            case.failure_types.append(finding.rule_id)
        else:
            case.output.append(f"{item.level}: {finding.full_text}")
    for item in report.ignored:
        case = _case_for(cases, item.subscription_id, _tenant_name(item))
        case.location = case.location or item.source
        text = drift_finding(item).one_line
        if item.ignored_by:
            text += f" (ignored by {item.ignored_by})"
        case.ignored.append(text)

    suites = []
    for subscription_id in sorted(cases):
        name = f"subscription {subscription_id}"
        description = report.subscription_descriptions.get(subscription_id)
        if description:
            name += f" ({description})"
        suites.append((name, list(cases[subscription_id].values())))
    return suites


def _tenant_name(item: DriftItem) -> str:
    if item.kind == "undeclared-subscription":
        return SUBSCRIPTION_CASE
    return item.hostname or item.id or SUBSCRIPTION_CASE


def _case_for(cases: dict[str, dict[str, _Case]], subscription_id: str, name: str) -> _Case:
    # Hostnames are compared case-insensitively everywhere in qlik-drift.
    key = name.lower()
    suite = cases[subscription_id]
    if key not in suite:
        suite[key] = _Case(name=name, classname=f"qlik-drift.subscription.{subscription_id}")
    return suite[key]


def _suite_element(
    name: str, cases: list[_Case], base: str | os.PathLike[str] | None
) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(name))
    for case in cases:
        suite.append(_case_element(case, base))
    _set_counts(suite, list(suite))
    return suite


def _case_element(case: _Case, base: str | os.PathLike[str] | None) -> ET.Element:
    element = ET.Element("testcase", name=_clean(case.name), classname=_clean(case.classname))
    element.set("time", "0")
    if case.location is not None:
        element.set("file", _clean(repo_relative(case.location.file, base)))
        element.set("line", str(case.location.line))
    if case.failures:
        failure = ET.SubElement(element, "failure")
        failure.set("message", _clean("; ".join(case.failure_messages)))
        failure.set("type", _clean(" ".join(dict.fromkeys(case.failure_types))))
        failure.text = _clean("\n\n".join(case.failures))
    # A tenant whose only drift is ignored is skipped; otherwise ignored drift
    # is listed in the output beside the rest.
    skip = bool(case.ignored) and not case.failures and not case.output
    if skip:
        skipped = ET.SubElement(element, "skipped")
        skipped.set("message", _clean("ignored: " + "; ".join(case.ignored)))
    output = list(case.output)
    if not skip:
        output.extend(f"ignored: {text}" for text in case.ignored)
    if output:
        ET.SubElement(element, "system-out").text = _clean("\n".join(output))
    return element


def _set_counts(parent: ET.Element, children: list[ET.Element]) -> None:
    """Set tests/failures/errors/skipped/time from testcases or testsuites."""
    if parent.tag == "testsuite":
        tests = len(children)
        failures = sum(1 for c in children if c.find("failure") is not None)
        skipped = sum(1 for c in children if c.find("skipped") is not None)
    else:
        tests = sum(int(c.get("tests", "0")) for c in children)
        failures = sum(int(c.get("failures", "0")) for c in children)
        skipped = sum(int(c.get("skipped", "0")) for c in children)
    parent.set("tests", str(tests))
    parent.set("failures", str(failures))
    parent.set("errors", "0")
    parent.set("skipped", str(skipped))
    parent.set("time", "0")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)
