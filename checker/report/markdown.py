"""A compact Markdown report for a pull-request comment or a step summary."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from checker.model import Diagnostic, DriftItem
from checker.report.findings import change_lines, repo_relative, summary_sentence
from checker.report.model import Report

# Characters with a meaning in GitHub-flavoured Markdown inline text or tables.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")

DRIFT_HEADER = ("Kind", "Subscription", "Tenant", "Where", "Details")
DIAGNOSTIC_HEADER = ("Level", "Where", "Rule", "Message")


def escape_cell(text: str) -> str:
    """Escape ``text`` for one Markdown table cell; line breaks become ``<br>``."""
    escaped = _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return "<br>".join(escaped.splitlines())


def render_markdown(
    report: Report,
    *,
    base: str | os.PathLike[str] | None = None,
    max_bytes: int | None = None,
) -> str:
    """Render the summary line, a drift table and a diagnostics table.

    With ``max_bytes``, table rows are cut from the end until the text fits
    (UTF-8), and a last line counts the rows left out.
    """
    drift_rows = [_drift_row(item, report, base) for item in report.drift]
    diagnostic_rows = [_diagnostic_row(d, base) for d in report.diagnostics]
    total = len(drift_rows) + len(diagnostic_rows)

    def build(kept: int) -> str:
        return _assemble(report, drift_rows, diagnostic_rows, kept)

    if max_bytes is None or _size(build(total)) <= max_bytes:
        return build(total)
    return build(_rows_that_fit(build, total, max_bytes))


def _rows_that_fit(build: Callable[[int], str], total: int, max_bytes: int) -> int:
    """Return the largest row count whose text fits, by binary search."""
    low, high = 0, total
    while low < high:
        middle = (low + high + 1) // 2
        if _size(build(middle)) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return low


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _assemble(
    report: Report,
    drift_rows: list[tuple[str, ...]],
    diagnostic_rows: list[tuple[str, ...]],
    kept: int,
) -> str:
    lines = [f"### qlik-drift {report.command}: {_title(report)}", "", summary_sentence(report)]

    kept_drift = drift_rows[:kept]
    kept_diagnostics = diagnostic_rows[: max(kept - len(drift_rows), 0)]
    if kept_drift:
        lines.extend(["", "#### Drift", ""])
        lines.extend(_table(DRIFT_HEADER, kept_drift))
    if kept_diagnostics:
        lines.extend(["", "#### Diagnostics", ""])
        lines.extend(_table(DIAGNOSTIC_HEADER, kept_diagnostics))
    left_out = len(drift_rows) + len(diagnostic_rows) - kept
    if left_out > 0:
        lines.extend(
            ["", f"_{left_out} more row(s) left out to fit the size limit; "
             "the SARIF or JSON report lists every finding._"]
        )
    return "\n".join(lines) + "\n"


def _title(report: Report) -> str:
    if report.failing_drift:
        return "drift found"
    if report.errors:
        return "manifests invalid"
    if report.checked:
        return "in sync"
    return "manifests valid"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _where(file: str | None, line: int, base: str | os.PathLike[str] | None) -> str:
    if file is None:
        return ""
    return escape_cell(f"{repo_relative(file, base)}:{line}")


def _drift_row(
    item: DriftItem, report: Report, base: str | os.PathLike[str] | None
) -> tuple[str, ...]:
    kind = item.kind if item.level == "error" else f"{item.kind} ({item.level})"
    subscription = item.subscription_id
    description = report.subscription_descriptions.get(subscription)
    if description:
        subscription += f" ({description})"
    where = _where(item.source.file, item.source.line, base) if item.source else ""
    return (
        escape_cell(kind),
        escape_cell(subscription),
        escape_cell(item.hostname or item.id or ""),
        where,
        escape_cell("\n".join(_drift_details(item))),
    )


def _drift_details(item: DriftItem) -> list[str]:
    if item.kind == "missing":
        return ["declared, but not in the organization"]
    if item.kind == "unmanaged":
        return ["in the organization, but in no manifest"]
    if item.kind == "undeclared-subscription":
        count = (item.live or {}).get("tenantCount", 0)
        return [f"{count} tenant(s); no manifest declares this subscription"]
    details = change_lines(item)
    if item.kind == "moved":
        details.insert(0, f"lives under subscription {item.live_subscription_id}")
    return details


def _diagnostic_row(
    diagnostic: Diagnostic, base: str | os.PathLike[str] | None
) -> tuple[str, ...]:
    location = diagnostic.location
    message = diagnostic.message
    if diagnostic.hint:
        message += f"\nhint: {diagnostic.hint}"
    return (
        escape_cell(diagnostic.level),
        _where(location.file, location.line, base),
        escape_cell(diagnostic.rule_id),
        escape_cell(message),
    )
