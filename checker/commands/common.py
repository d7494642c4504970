"""Options and output handling shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from checker.report import RENDERERS, Report, render

F = TypeVar("F", bound=Callable[..., Any])


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "format_name",
        type=click.Choice(sorted(RENDERERS)),
        default="text",
        show_default=True,
        help="Report format written to stdout.",
    )(func)


def color_option(func: F) -> F:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the text report; auto means only on a terminal and without NO_COLOR.",
    )(func)


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit_report(report: Report, format_name: str, color: str) -> None:
    text = render(report, format_name, color=use_color(color) and format_name == "text")
    click.echo(text, nl=False)


def exit_code_for(report: Report) -> int:
    return 1 if report.has_findings else 0
