"""Report model and renderers, chosen by format name."""

from __future__ import annotations

from collections.abc import Callable

from checker.report.model import Report

Renderer = Callable[[Report, bool], str]


def _text(report: Report, color: bool) -> str:
    from checker.report.text import render_text

    return render_text(report, color=color)


def _json(report: Report, color: bool) -> str:
    from checker.report.json_report import render_json

    return render_json(report)


def _github(report: Report, color: bool) -> str:
    from checker.report.github import render_github

    return render_github(report)


def _sarif(report: Report, color: bool) -> str:
    from checker.report.sarif import render_sarif

    return render_sarif(report)


def _junit(report: Report, color: bool) -> str:
    from checker.report.junit import render_junit

    return render_junit(report)


def _markdown(report: Report, color: bool) -> str:
    from checker.report.markdown import render_markdown

    return render_markdown(report)


# Each renderer module is imported only when its format is used.
RENDERERS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "github": _github,
    "sarif": _sarif,
    "junit": _junit,
    "markdown": _markdown,
}


def render(report: Report, format_name: str, *, color: bool = False) -> str:
    return RENDERERS[format_name](report, color)


__all__ = ["RENDERERS", "Report", "render"]
