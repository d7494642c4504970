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

    lines = [f"  {_escape(place)}: {kind} {_escape(name)}  {_escape(detail)}"]
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
    summary = report.summary()
    parts: list[str] = []
    if report.errors or report.warnings:
        parts.append(
            f"{summary['errors']} error(s), {summary['warnings']} warning(s) "
            f"in {len(report.files)} file(s)"
        )
    if report.checked:
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
        if report.ignored:
            drift += f"; {len(report.ignored)} ignored"
        parts.append(drift)
        if report.early_warnings:
            parts.append(f"{len(report.early_warnings)} early warning(s) from live data")
    elif not report.errors and report.command == "validate":
        parts.append(f"{len(report.files)} file(s) valid")
    text = "; ".join(parts)
    status_color = "red" if report.has_findings else "green"
    return _style(text, color, fg=status_color, bold=True)
