"""SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

Code scanning matches results across runs by rule id, repo-relative path
and ``partialFingerprints``. The fingerprint hashes the rule id and the
finding's identity (the tenant key, or the file and JSON path of a
diagnostic), never a line number, so an alert survives lines added above it.
``automationDetails.id`` keeps validate and check runs apart.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any
from urllib.parse import quote

from checker import __version__
from checker.report.findings import (
    DRIFT_RULE_PREFIX,
    DRIFT_RULES,
    Finding,
    collect_findings,
    drift_rule_id,
    repo_relative,
)
from checker.report.model import Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
    "sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/qlik-drift/qlik-drift"
FINGERPRINT_KEY = "qlikDriftFindingHash/v1"

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(report: Report, *, base: str | os.PathLike[str] | None = None) -> str:
    # Compact, because code scanning caps an upload at 10 MB and json's C
    # encoder only runs without indentation.
    return json.dumps(sarif_log(report, base=base), separators=(",", ":")) + "\n"


def sarif_log(report: Report, *, base: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Return the SARIF log of one run as a JSON-ready dict."""
    findings = collect_findings(report)
    rules = _rules(report, findings)
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "qlik-drift",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        # A trailing slash makes the whole id the category: code scanning then
        # keeps the alerts of validate runs and check runs apart.
        "automationDetails": {"id": f"qlik-drift/{report.command}/"},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True}],
        "results": _results(findings, rule_index, base),
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _rules(report: Report, findings: list[Finding]) -> list[dict[str, Any]]:
    # Every drift rule is listed on check runs, so the rule set does not
    # change with the findings of the day.
    rules: dict[str, dict[str, Any]] = {}
    if report.command == "check":
        for kind, description in DRIFT_RULES.items():
            rules[drift_rule_id(kind)] = _drift_rule(kind, description)
    for finding in findings:
        if finding.rule_id not in rules:
            rules[finding.rule_id] = _diagnostic_rule(finding)
    return list(rules.values())


def _drift_rule(kind: str, description: str) -> dict[str, Any]:
    level = "note" if kind == "undeclared-subscription" else "error"
    return {
        "id": drift_rule_id(kind),
        "name": _rule_name(drift_rule_id(kind)),
        "shortDescription": {"text": description},
        "helpUri": f"{INFORMATION_URI}/blob/main/docs/ci.md#drift-kinds",
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["drift"]},
    }


def _diagnostic_rule(finding: Finding) -> dict[str, Any]:
    tag = "drift" if finding.rule_id.startswith(DRIFT_RULE_PREFIX) else "manifest"
    return {
        "id": finding.rule_id,
        "name": _rule_name(finding.rule_id),
        "shortDescription": {"text": f"qlik-drift rule {finding.rule_id}"},
        "defaultConfiguration": {"level": _LEVELS[finding.level]},
        "properties": {"tags": [tag]},
    }


def _rule_name(rule_id: str) -> str:
    """Turn ``drift/undeclared-subscription`` into ``DriftUndeclaredSubscription``."""
    words = rule_id.replace("/", "-").replace("_", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def _results(
    findings: list[Finding],
    rule_index: dict[str, int],
    base: str | os.PathLike[str] | None,
) -> list[dict[str, Any]]:
    seen: Counter[str] = Counter()
    results = []
    for finding in findings:
        fingerprint = fingerprint_of(finding.rule_id, finding.identity)
        # Two findings with the same identity would merge into one alert.
        seen[fingerprint] += 1
        if seen[fingerprint] > 1:
            fingerprint = f"{fingerprint}:{seen[fingerprint]}"
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": rule_index[finding.rule_id],
            "level": _LEVELS[finding.level],
            "message": {"text": finding.full_text},
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if finding.file is not None:
            result["locations"] = [_location(finding, base)]
        properties = _properties(finding)
        if properties:
            result["properties"] = properties
        results.append(result)
    return results


def fingerprint_of(rule_id: str, identity: str) -> str:
    digest = hashlib.sha256(f"{rule_id}\0{identity}".encode()).hexdigest()
    return digest[:32]


def _location(finding: Finding, base: str | os.PathLike[str] | None) -> dict[str, Any]:
    assert finding.file is not None
    path = repo_relative(finding.file, base)
    uri = f"file://{quote(path)}" if path.startswith("/") else quote(path)
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": finding.line, "startColumn": finding.col},
        }
    }


def _properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if finding.subscription_id is not None:
        properties["subscriptionId"] = finding.subscription_id
    if finding.tenant is not None:
        properties["tenant"] = finding.tenant
    return properties
