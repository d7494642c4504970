"""``qlik-drift validate``: parse, schema and lint, with no network."""

from __future__ import annotations

import click

from checker.commands.common import color_option, emit_report, exit_code_for, format_option
from checker.report import Report


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@format_option
@color_option
def validate(paths: tuple[str, ...], format_name: str, color: str) -> int:
    """Validate manifest FILES or folders offline (no credentials needed).

    Folders are searched for *.yaml and *.yml files.
    """
    from checker.manifest import load_manifests

    result = load_manifests(list(paths))
    report = Report(command="validate", files=result.files, diagnostics=result.diagnostics)
    emit_report(report, format_name, color)
    return exit_code_for(report)
