"""``qlik-drift snapshot``: save the live organization for offline checks."""

from __future__ import annotations

import click

from checker.commands.check import (
    READ_PARAMETERS,
    LiveOptions,
    live_parameters,
    progress_enabled,
    read_live,
)
from checker.commands.common import exclude_option
from checker.commands.globalopts import global_options
from checker.commands.output import STDOUT, check_output_path, write_stdout
from checker.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from checker.model import DesiredState

# The snapshot reads the organization exactly as `check` does, with the same options.
LIVE_PARAMETERS = READ_PARAMETERS


def _live_parameters() -> list[click.Parameter]:
    return live_parameters(LIVE_PARAMETERS)


@click.command(params=_live_parameters())
@click.argument("paths", nargs=-1, type=click.Path())
@exclude_option
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Snapshot file to write (JSON), or - for stdout.",
)
@global_options
@click.pass_context
def snapshot(
    ctx: click.Context,
    paths: tuple[str, ...],
    excludes: tuple[str, ...],
    output_path: str,
    org_url: str,
    credentials_file: str | None,
    simulate: str | None,
    scope: str,
    timeout: float,
    concurrency: int,
    ca_bundle: str | None,
    progress: str,
) -> int:
    """Save the live organization as JSON, for `qlik-drift check --live FILE`.

    Give the manifest FILES or folders to prove that their subscriptions
    belong to the organization, or to read only those subscriptions with
    --scope subscriptions. The file contains the tenants as the API returned them
    and never a client id, secret or token.
    """
    if scope == "subscriptions" and not paths:
        raise UsageError(
            "--scope subscriptions needs the manifests that name the subscriptions",
            hint="pass the manifest files or folders, or use `--scope organization`",
        )
    if output_path != STDOUT:
        check_output_path(output_path)

    desired = _declared(paths, excludes)
    if desired is None:
        return EXIT_FINDINGS
    options = LiveOptions(
        org_url=org_url,
        credentials_file=credentials_file,
        simulate=simulate,
        scope=scope,
        timeout=timeout,
        concurrency=concurrency,
        ca_bundle=ca_bundle,
        progress=progress_enabled(progress),
    )
    live = read_live(desired, options)

    from checker.snapshot import render_snapshot, write_snapshot

    if output_path == STDOUT:
        write_stdout(render_snapshot(live))
    else:
        write_snapshot(output_path, live)
        if not (ctx.find_root().obj or {}).get("quiet"):
            click.echo(
                f"wrote a snapshot of {len(live.tenants)} tenant(s) "
                f"(scope {live.scope}) to {output_path}",
                err=True,
            )
    return EXIT_OK


def _declared(
    paths: tuple[str, ...], excludes: tuple[str, ...]
) -> DesiredState | None:
    """Return the declared state, or None after printing the manifests' errors."""
    if not paths:
        return DesiredState()
    from checker.manifest import load_manifests
    from checker.report import Report, render

    result = load_manifests(list(paths), exclude=excludes)
    if result.ok:
        return result.desired
    report = Report(command="validate", files=result.files, diagnostics=result.diagnostics)
    click.echo(render(report, "text"), nl=False, err=True)
    return None
