"""Diagnostics and drift flattened into one list, for the CI report formats.

GitHub annotations, SARIF, JUnit and Markdown all show the same facts: a
rule id, a level, a message and a place in a manifest. ``Finding`` carries
them once, so every format words a drift item the same way.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.model import Diagnostic, DriftItem, Level
from checker.report.model import Report

DRIFT_RULE_PREFIX = "drift/"

# One line per drift kind, used as the rule description in SARIF and the docs.
DRIFT_RULES: dict[str, str] = {
    "missing": "A declared tenant does not exist in the organization.",
    "unmanaged": "A tenant of a declared subscription is in no manifest.",
    "changed": "A tenant's live fields differ from its manifest.",
    "moved": "A declared tenant lives under another subscription.",
    "undeclared-subscription": "A subscription of the organization is in no manifest.",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnostic or drift item, worded for CI output.

    ``identity`` stays the same while the finding's cause stays the same, even
    when manifest lines move: SARIF fingerprints are built from it.
    """

    rule_id: str
    level: Level
    title: str
    message: str
    file: str | None
    line: int
    col: int
    identity: str
    subscription_id: str | None = None
    tenant: str | None = None
    details: tuple[str, ...] = ()

    @property
    def one_line(self) -> str:
        """The message and its details on a single line."""
        if not self.details:
            return self.message
        return f"{self.message} {'; '.join(self.details)}"

    @property
    def full_text(self) -> str:
        """The message, then one detail per line."""
        return "\n".join((self.message, *self.details))


def drift_rule_id(kind: str) -> str:
    return f"{DRIFT_RULE_PREFIX}{kind}"


def collect_findings(report: Report) -> list[Finding]:
    """Return the report's diagnostics, then its drift, in report order."""
    findings = [diagnostic_finding(d) for d in report.diagnostics]
    fallback = report.files[0] if report.files else None
    findings.extend(drift_finding(item, fallback) for item in report.drift)
    return findings


def diagnostic_finding(diagnostic: Diagnostic) -> Finding:
    location = diagnostic.location
    details = (f"hint: {diagnostic.hint}",) if diagnostic.hint else ()
    return Finding(
        rule_id=diagnostic.rule_id,
        level=diagnostic.level,
        title=diagnostic.rule_id,
        message=diagnostic.message,
        file=location.file,
        line=max(location.line, 1),
        col=max(location.col, 1),
        # The JSON path names the offending value without depending on its line.
        identity=f"{location.file}|{diagnostic.json_path}",
        details=details,
    )


def drift_finding(item: DriftItem, fallback_file: str | None = None) -> Finding:
    """Word a drift item; ``fallback_file`` anchors items no manifest line declares."""
    tenant = item.hostname or item.id
    if item.source is not None:
        file: str | None = item.source.file
        line, col = item.source.line, item.source.col
    else:
        # An undeclared subscription has no manifest line: the first manifest's
        # line 1 keeps it visible where a location is required (SARIF, PR diffs).
        file, line, col = fallback_file, 1, 1
    return Finding(
        rule_id=drift_rule_id(item.kind),
        level=item.level,
        title=_drift_title(item),
        message=drift_message(item),
        file=file,
        line=max(line, 1),
        col=max(col, 1),
        identity=item.key,
        subscription_id=item.subscription_id,
        tenant=tenant,
        details=tuple(change_lines(item)),
    )


def _drift_title(item: DriftItem) -> str:
    name = item.hostname or item.id
    if item.kind == "undeclared-subscription" or not name:
        return f"{item.kind}: subscription {item.subscription_id}"
    return f"{item.kind}: {name}"


def drift_message(item: DriftItem) -> str:
    """Return one sentence naming what differs, without the field changes."""
    name = item.hostname or item.id or "(unnamed tenant)"
    subscription = item.subscription_id
    if item.kind == "missing":
        return (
            f"Tenant {name} is declared in subscription {subscription} "
            "but does not exist in the organization."
        )
    if item.kind == "unmanaged":
        tenant_id = f" (id {item.id})" if item.id and item.hostname else ""
        return (
            f"Tenant {name}{tenant_id} exists in subscription {subscription} "
            "but no manifest declares it."
        )
    if item.kind == "moved":
        return (
            f"Tenant {name} is declared in subscription {subscription} "
            f"but lives under subscription {item.live_subscription_id}."
        )
    if item.kind == "undeclared-subscription":
        count = (item.live or {}).get("tenantCount", 0)
        return (
            f"Subscription {subscription} has {count} tenant(s) in the organization "
            "but no manifest declares it."
        )
    return f"Tenant {name} differs from its manifest in {len(item.changes)} field(s)."


def change_lines(item: DriftItem) -> list[str]:
    return [
        f"{c.path}: expected {show_value(c.expected)}, actual {show_value(c.actual)}"
        for c in item.changes
    ]


def show_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return repr(value) if isinstance(value, str) else str(value)


def summary_sentence(report: Report) -> str:
    """Return the run's counts as one line, e.g. for a step summary heading."""
    summary = report.summary()
    parts = [
        f"{len(report.files)} file(s)",
        f"{summary['errors']} error(s)",
        f"{summary['warnings']} warning(s)",
    ]
    if report.checked:
        kinds = [f"{summary[kind]} {kind}" for kind in DRIFT_RULES if summary[kind]]
        drift = f"{summary['drift']} drift item(s)"
        if kinds:
            drift += f" ({', '.join(kinds)})"
        parts.append(drift)
        if report.tenants_read is not None:
            parts.append(f"{report.tenants_read} live tenant(s) read")
        if report.ignored:
            parts.append(f"{len(report.ignored)} ignored")
    elif report.command == "check":
        parts.append("live state not compared because the manifests are invalid")
    status = "failed" if report.has_findings else "passed"
    return f"qlik-drift {report.command} {status}: {', '.join(parts)}"


def repo_relative(path: str, base: str | os.PathLike[str] | None = None) -> str:
    """Return ``path`` relative to the repository root, with ``/`` separators.

    The root is ``base``, else ``$GITHUB_WORKSPACE``, else the working
    directory. A path outside it comes back absolute, because GitHub and
    SARIF viewers can place a relative path only under the repository root.
    """
    root = os.fspath(base or os.environ.get("GITHUB_WORKSPACE") or os.getcwd())
    return _relative_to(os.fspath(path), root, os.getcwd())


# All findings of one file share its path, so each path is resolved once:
# a 100,000-item report would otherwise spend seconds in realpath().
@functools.lru_cache(maxsize=1024)
def _relative_to(path: str, root: str, cwd: str) -> str:
    absolute = Path(path)
    if not absolute.is_absolute():
        absolute = Path(cwd) / absolute
    absolute = absolute.resolve()
    try:
        return absolute.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()
