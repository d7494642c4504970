"""GitHub Actions workflow commands: one annotation per finding.

GitHub shows at most 10 annotations of each level (error, warning, notice)
per step and drops the rest without a word. This renderer emits at most
``limit`` per level and then one notice that counts what it left out; the
step summary (``write_step_summary``) carries every finding.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from pathlib import Path

from checker.controlchars import escape_control_chars
from checker.report.findings import Finding, collect_findings, repo_relative, summary_sentence
from checker.report.model import Report

logger = logging.getLogger(__name__)

ANNOTATIONS_PER_LEVEL = 10
# GitHub rejects a step summary larger than 1 MiB.
STEP_SUMMARY_MAX_BYTES = 1024 * 1024

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message, as the Actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def clean_value(text: str) -> str:
    """Escape the control characters in text from live data or a manifest.

    The log viewer renders ANSI escape sequences, so only line feeds stay:
    ``escape_data`` encodes them, and an annotation shows them as line breaks.
    """
    return escape_control_chars(text, keep_newlines=True)


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file``, ``title``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, base: str | os.PathLike[str] | None = None) -> str:
    """Return the ``::error``/``::warning``/``::notice`` line for one finding."""
    properties: list[tuple[str, str]] = []
    if finding.file is not None:
        properties.append(("file", clean_value(repo_relative(finding.file, base))))
        properties.append(("line", str(finding.line)))
        properties.append(("col", str(finding.col)))
    properties.append(("title", clean_value(finding.title)))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    command = _COMMANDS[finding.level]
    return f"::{command} {joined}::{escape_data(clean_value(finding.full_text))}"


def render_github(
    report: Report,
    *,
    base: str | os.PathLike[str] | None = None,
    limit: int = ANNOTATIONS_PER_LEVEL,
    step_summary: bool | None = None,
) -> str:
    """Render annotations, at most ``limit`` per level, then the summary line.

    ``step_summary`` is true when the full report goes to the step summary,
    so the left-out notice can point there. By default it is true when
    ``$GITHUB_STEP_SUMMARY`` is set.
    """
    if step_summary is None:
        step_summary = bool(os.environ.get("GITHUB_STEP_SUMMARY"))
    findings = collect_findings(report)
    shown, left_out = _cap_per_level(findings, limit)
    lines = [annotation(f, base) for f in shown]
    if left_out:
        lines.append(_left_out_notice(left_out, limit, step_summary))
    lines.append(summary_sentence(report))
    return "\n".join(lines) + "\n"


def _cap_per_level(findings: list[Finding], limit: int) -> tuple[list[Finding], Counter[str]]:
    counts = Counter(f.level for f in findings)
    budget = {level: limit for level in _COMMANDS}
    # The left-out notice is a notice too, so it takes one notice slot.
    if any(count > limit for count in counts.values()):
        budget["info"] = limit - 1
    shown: list[Finding] = []
    left_out: Counter[str] = Counter()
    for finding in findings:
        if budget[finding.level] > 0:
            budget[finding.level] -= 1
            shown.append(finding)
        else:
            left_out[finding.level] += 1
    return shown, left_out


def _left_out_notice(left_out: Counter[str], limit: int, step_summary: bool) -> str:
    total = sum(left_out.values())
    per_level = ", ".join(
        f"{left_out[level]} {_COMMANDS[level]}" for level in _COMMANDS if left_out[level]
    )
    where = (
        "The step summary lists every finding."
        if step_summary
        else "Write the full report with `--output sarif=FILE` or `--output json=FILE`."
    )
    message = (
        f"{total} more finding(s) not annotated ({per_level}) because GitHub shows "
        f"at most {limit} annotations per level in a step. {where}"
    )
    return f"::notice title={escape_property('qlik-drift')}::{escape_data(message)}"


def write_step_summary(
    report: Report,
    path: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
) -> None:
    """Append the Markdown report to the step summary file at ``path``.

    Other tools in the same step may have written to the file already, so
    only the room left under the 1 MiB limit is used. Rows that do not fit
    are cut and counted. The runner expects the file to be appended to,
    never replaced.
    """
    from checker.report.markdown import render_markdown

    target = Path(path)
    used = target.stat().st_size if target.exists() else 0
    # A blank line keeps the report apart from what earlier tools wrote.
    separator = "\n" if used else ""
    room = STEP_SUMMARY_MAX_BYTES - used - len(separator)
    text = separator + render_markdown(report, base=base, max_bytes=room)
    if len(text.encode("utf-8")) > room + len(separator):
        logger.warning(
            "step summary %s is full (%d bytes used); the report was not added",
            path,
            used,
        )
        return
    with target.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)
