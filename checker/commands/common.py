"""Options and output handling shared by the commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import click

from checker.commands.output import (
    OutputTarget,
    parse_outputs,
    resolve_outputs,
    write_outputs,
    write_stdout,
)
from checker.report import RENDERERS, Report

if TYPE_CHECKING:
    from checker.policy import IgnoreRule, Policy

F = TypeVar("F", bound=Callable[..., Any])


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "format_name",
        type=click.Choice(sorted(RENDERERS)),
        default="text",
        show_default=True,
        help="Report format written to stdout, unless an --output writes to stdout.",
    )(func)


def output_option(func: F) -> F:
    return click.option(
        "--output",
        "outputs",
        metavar="FORMAT=PATH",
        multiple=True,
        callback=parse_outputs,
        help="Also write the report in FORMAT to PATH (- for stdout). Repeatable: "
        "--output sarif=qlik-drift.sarif --output json=report.json",
    )(func)


def exclude_option(func: F) -> F:
    return click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="GLOB",
        help="Skip files and folders matching GLOB (gitignore syntax, relative to "
        "each folder argument) when searching folders; files named directly are "
        "always read. Repeatable: --exclude 'live/*' --exclude 'Pulumi.yaml'",
    )(func)


def policy_options(func: F) -> F:
    """Add --policy, --ignore-file and --today; see ``load_policy_options``."""
    func = click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="Date to evaluate ignore expiry and license warnings "
        "against, for reproducible runs; default: today in UTC.",
    )(func)
    func = click.option(
        "--ignore-file",
        "ignore_files",
        multiple=True,
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Ignore file (kind: IgnoreList), e.g. from `qlik-drift baseline`. "
        "Repeatable.",
    )(func)
    return click.option(
        "--policy",
        "policy_file",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Policy file (kind: Policy) laid over the built-in policy.",
    )(func)


def load_policy_options(
    policy_file: str | None, ignore_files: Sequence[str], today: datetime | None
) -> tuple[Policy, list[IgnoreRule], date]:
    """Load the policy and ignore files; a problem in them is a usage error."""
    from checker.policy import load_ignore_file, load_policy

    policy = load_policy(policy_file)
    ignores = [rule for path in ignore_files for rule in load_ignore_file(path)]
    day = today.date() if today is not None else datetime.now(timezone.utc).date()
    return policy, ignores, day


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


def emit_report(
    report: Report,
    format_name: str,
    color: str,
    outputs: Sequence[OutputTarget] = (),
) -> None:
    """Write the report to stdout and to every ``--output`` file."""
    targets = resolve_outputs(format_name, outputs)
    colored = use_color(color)
    text = write_outputs(report, targets, color=colored)
    # click strips ANSI codes when stdout is not a terminal unless color=True is passed,
    # which would make --color always a no-op in a pipe.
    write_stdout(text, color=colored or None)


def write_report_files(report: Report, outputs: Sequence[OutputTarget]) -> None:
    """Write the report to every ``--output`` file, and nothing to stdout."""
    write_outputs(report, [target for target in outputs if not target.to_stdout], color=False)


def exit_code_for(report: Report) -> int:
    return 1 if report.has_findings else 0
