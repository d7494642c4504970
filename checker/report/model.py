"""The result of a run, which every renderer turns into its own format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from checker import __version__
from checker.model import DRIFT_KINDS, DesiredState, Diagnostic, DriftItem

# Minor versions only add keys; consumers must ignore keys they do not know.
FORMAT_VERSION = "1.0"


@dataclass(slots=True)
class Report:
    """Findings of one ``validate`` or ``check`` run.

    ``drift`` is empty for ``validate`` and for a ``check`` that stopped at
    invalid manifests; ``checked`` is whether live state was compared.
    """

    command: Literal["validate", "check"]
    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    drift: list[DriftItem] = field(default_factory=list)
    checked: bool = False
    scope: str | None = None
    tenants_read: int | None = None
    subscription_descriptions: dict[str, str] = field(default_factory=dict)
    # Drift items that ignore rules suppressed, kept for the summary.
    ignored: list[DriftItem] = field(default_factory=list)
    # Declared tenants, so formats such as JUnit can list those without drift.
    desired: DesiredState | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "warning"]

    @property
    def early_warnings(self) -> list[Diagnostic]:
        """Diagnostics from live data (rule ids ``live/*``), at any level."""
        return [d for d in self.diagnostics if d.rule_id.startswith("live/")]

    @property
    def failing_drift(self) -> list[DriftItem]:
        """Drift that makes the run fail: items whose level is ``error``."""
        return [d for d in self.drift if d.level == "error"]

    @property
    def has_findings(self) -> bool:
        return bool(self.errors or self.failing_drift)

    def summary(self) -> dict[str, Any]:
        counts = Counter(item.kind for item in self.drift)
        summary: dict[str, Any] = {kind: counts.get(kind, 0) for kind in DRIFT_KINDS}
        summary["drift"] = len(self.drift)
        summary["errors"] = len(self.errors)
        summary["warnings"] = len(self.warnings)
        summary["ignored"] = len(self.ignored)
        summary["earlyWarnings"] = len(self.early_warnings)
        summary["checked"] = self.checked
        if self.tenants_read is not None:
            summary["tenantsRead"] = self.tenants_read
        return summary

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report; its shape is ``schemas/report.schema.json``."""
        return {
            "format_version": FORMAT_VERSION,
            "tool": {"name": "qlik-drift", "version": __version__},
            "command": self.command,
            "scope": self.scope,
            "files": list(self.files),
            "summary": self.summary(),
            "drift": [drift_to_dict(item) for item in self.drift],
            "ignored": [ignored_to_dict(item) for item in self.ignored],
            "diagnostics": [diagnostic_to_dict(d) for d in self.diagnostics],
        }


def drift_to_dict(item: DriftItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": item.kind,
        "subscriptionId": item.subscription_id,
        "hostname": item.hostname,
        "level": item.level,
    }
    if item.id:
        data["id"] = item.id
    if item.source is not None:
        data["source"] = {"file": item.source.file, "line": item.source.line}
    if item.live_subscription_id is not None:
        data["liveSubscriptionId"] = item.live_subscription_id
    if item.changes:
        data["changes"] = [
            {"path": c.path, "expected": c.expected, "actual": c.actual}
            for c in item.changes
        ]
    if item.kind == "undeclared-subscription" and item.live:
        data["tenantCount"] = item.live.get("tenantCount", 0)
    return data


def ignored_to_dict(item: DriftItem) -> dict[str, Any]:
    """Return an ignored item as a drift item plus the rule that ignored it."""
    data = drift_to_dict(item)
    data["ignoredBy"] = item.ignored_by
    return data


def diagnostic_to_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": diagnostic.location.file,
        "line": diagnostic.location.line,
        "col": diagnostic.location.col,
        "level": diagnostic.level,
        "message": diagnostic.message,
        "ruleId": diagnostic.rule_id,
        "jsonPath": diagnostic.json_path,
    }
    if diagnostic.hint:
        data["hint"] = diagnostic.hint
    return data
