"""Human-readable report: diagnostics grouped by file, drift by subscription.

Every value from live data or manifests passes through
``escape_control_chars``, so a hostname cannot send escape sequences to the
terminal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import click

from checker.controlchars import escape_control_chars as _escape
from checker.model import Diagnostic, DriftItem
from checker.report.model import Report

_KIND_COLORS = {
    "missing": "red",
    "unmanaged": "yellow",
    "changed": "yellow",
    "moved": "magenta",
    "undeclared-subscription": "cyan",
}
_LEVEL_COLORS = {"error": "red", "warning": "yellow", "info": "cyan"}


def render_text(report: Report, *, color: bool = False) -> str:
    lines: list[str] = []
    lines.extend(_diagnostic_lines(report.diagnostics, color))
    if report.checked:
        if lines:
            lines.append("")
        lines.extend(_drift_lines(report, color))
    lines.append(_summary_line(report, color))
    return "\n".join(lines) + "\n"


def _style(text: str, color: bool, **styles: Any) -> str:
    return click.style(text, **styles) if color else text


def _diagnostic_lines(diagnostics: list[Diagnostic], color: bool) -> list[str]:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_file[diagnostic.location.file].append(diagnostic)

    lines: list[str] = []
    for file_name in sorted(by_file):
        lines.append(_style(_escape(file_name), color, bold=True))
        for d in by_file[file_name]:
            level = _style(d.level, color, fg=_LEVEL_COLORS.get(d.level))
            where = _escape(str(d.location))
            lines.append(f"  {where}: {level} {_escape(d.message)} ({_escape(d.rule_id)})")
            if d.hint:
                lines.append(f"    hint: {_escape(d.hint)}")
    return lines


def _drift_lines(report: Report, color: bool) -> list[str]:
    by_subscription: dict[str, list[DriftItem]] = defaultdict(list)
    for item in report.drift:
        by_subscription[item.subscription_id].append(item)

    lines: list[str] = []
    for subscription_id in sorted(by_subscription):
        description = report.subscription_descriptions.get(subscription_id)
        title = f"subscription {subscription_id}"
        if description:
            title += f" ({description})"
        lines.append(_style(_escape(title), color, bold=True))
        for item in by_subscription[subscription_id]:
            lines.extend(_item_lines(item, color))
    return lines


def _item_lines(item: DriftItem, color: bool) -> list[str]:
    place = f"{item.source.file}:{item.source.line}" if item.source else "(live only)"
    kind = _style(f"{item.kind:<9}", color, fg=_KIND_COLORS.get(item.kind))
    name = item.hostname or item.id or ""
    if item.kind == "missing":
        detail = "declared, but no such tenant in the organization"
    elif item.kind == "unmanaged":
        detail = "exists in the organization, but no manifest declares it"
    elif item.kind == "moved":
        detail = f"lives under subscription {item.live_subscription_id}"
    elif item.kind == "undeclared-subscription":
        count = (item.live or {}).get("tenantCount", 0)
        name = f"{count} tenant(s)"
        detail = "subscription of the organization that no manifest mentions"
    else:
        detail = f"{len(item.changes)} field(s) differ"

    # Only errors fail the run, so every other level is shown as a tag.
    level = ""
    if item.level != "error":
        level = _style(item.level, color, fg=_LEVEL_COLORS.get(item.level)) + " "
    lines = [f"  {_escape(place)}: {level}{kind} {_escape(name)}  {_escape(detail)}"]
    for change in item.changes:
        lines.append(
            _escape(
                f"      {change.path}: expected {_show(change.expected)}, "
                f"actual {_show(change.actual)}"
            )
        )
    return lines


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value is None:
        return "(none)"
    return repr(value) if isinstance(value, str) else str(value)


def _summary_line(report: Report, color: bool) -> str:
    parts = _manifest_parts(report)
    if report.checked:
        parts += _drift_parts(report)
    elif not report.errors and report.command == "validate":
        parts.append(f"{len(report.files)} file(s) valid")
    status_color = "red" if report.has_findings else "green"
    text = _style("; ".join(parts), color, fg=status_color, bold=True)

    if report.command == "check" and not report.checked and report.errors:
        not_read = "the organization was not read: fix the errors above first"
        text += "\n" + _style(not_read, color, fg="red")
    return text


def _manifest_parts(report: Report) -> list[str]:
    """Count the diagnostics other than early warnings, which get their own part."""
    manifest = [d for d in report.diagnostics if not d.rule_id.startswith("live/")]
    errors = sum(d.level == "error" for d in manifest)
    warnings = sum(d.level == "warning" for d in manifest)
    if not (errors or warnings):
        return []
    files = len(report.files)
    return [f"{errors} error(s), {warnings} warning(s) in {files} file(s)"]


def _drift_parts(report: Report) -> list[str]:
    summary = report.summary()
    kinds = [
        f"{summary[k]} {k.replace('-', ' ')}"
        for k in ("missing", "unmanaged", "changed", "moved", "undeclared-subscription")
        if summary[k]
    ]
    drift = f"{len(report.drift)} drift item(s)"
    if kinds:
        drift += ": " + ", ".join(kinds)
    if report.tenants_read is not None:
        drift += f" ({report.tenants_read} live tenant(s) read)"

    parts = [drift]
    if report.drift:
        parts.append(f"{len(report.failing_drift)} drift item(s) fail the run")
    if report.ignored:
        parts.append(f"{len(report.ignored)} ignored")
    if report.early_warnings:
        parts.append(_early_part(report.early_warnings))
    return parts


def _early_part(early: list[Diagnostic]) -> str:
    text = f"{len(early)} early warning(s) from live data"
    failing = sum(d.level == "error" for d in early)
    if failing:
        # A policy can raise live rules to the error level, which fails the run.
        text += f", {failing} of them at level error"
    return text
