"""``qlik-drift validate``: parse, schema and lint, with no network."""

from __future__ import annotations

import click

from datetime import datetime

from checker.commands.common import (
    color_option,
    emit_report,
    exit_code_for,
    exclude_option,
    format_option,
    load_policy_options,
    output_option,
    policy_options,
)
from checker.commands.globalopts import global_options
from checker.commands.output import OutputTarget, resolve_outputs
from checker.report import Report


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@exclude_option
@format_option
@output_option
@color_option
@policy_options
@global_options
def validate(
    paths: tuple[str, ...],
    excludes: tuple[str, ...],
    format_name: str,
    outputs: tuple[OutputTarget, ...],
    color: str,
    policy_file: str | None,
    ignore_files: tuple[str, ...],
    today: datetime | None,
) -> int:
    """Validate manifest FILES or folders offline (no credentials needed).

    Folders are searched for *.yaml and *.yml files, skipping hidden
    folders and --exclude matches.
    """
    from checker.manifest import load_manifests
    from checker.policy.apply import expired_ignore_warnings, offline_diagnostics

    resolve_outputs(format_name, outputs)
    policy, ignores, day = load_policy_options(policy_file, ignore_files, today)
    result = load_manifests(list(paths), exclude=excludes)
    diagnostics = offline_diagnostics(result.desired, result.diagnostics, policy)
    diagnostics += expired_ignore_warnings([*policy.ignores, *ignores], policy, day)
    report = Report(command="validate", files=result.files, diagnostics=diagnostics)
    emit_report(report, format_name, color, outputs)
    return exit_code_for(report)
