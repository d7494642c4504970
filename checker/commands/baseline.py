"""``qlik-drift baseline``: write an ignore file that accepts today's drift."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from checker.commands.check import (
    READ_PARAMETERS,
    LiveOptions,
    live_parameters,
    progress_enabled,
    read_live,
)
from checker.commands.common import (
    exclude_option,
    load_policy_options,
    policy_options,
)
from checker.commands.globalopts import global_options
from checker.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from checker.model import DesiredState, LiveState

if TYPE_CHECKING:
    from checker.policy import Policy

STDOUT = "-"

# The organization is read exactly as `check` reads it, with the same options.
LIVE_PARAMETERS = (*READ_PARAMETERS, "live_file")


def _live_parameters() -> list[click.Parameter]:
    return live_parameters(LIVE_PARAMETERS)


@click.command(params=_live_parameters())
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@exclude_option
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Ignore file to write, or - for stdout.",
)
@click.option(
    "--expires-in",
    type=click.IntRange(min=1),
    metavar="DAYS",
    help="Let every entry expire DAYS days from today, so the accepted drift "
    "comes back for review.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@policy_options
@global_options
@click.pass_context
def baseline(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    excludes: tuple[str, ...],
    output_path: str,
    expires_in: int | None,
    force: bool,
    policy_file: str | None,
    ignore_files: tuple[str, ...],
    today: datetime | None,
    live_file: str | None = None,
    **live_options: Any,
) -> int:
    """Write an ignore file that accepts today's drift of manifest FILES or folders.

    Every drift item that `check` would report with the same options gets
    one entry, so `check --ignore-file FILE` then exits 0 on the same
    organization. Drift that the policy or --ignore-file already ignore
    gets no entry.
    """
    if output_path != STDOUT and Path(output_path).exists() and not force:
        raise UsageError(
            f"{output_path} already exists",
            hint="pass --force to overwrite it, or choose another file with -o",
        )
    policy, ignores, day = load_policy_options(policy_file, ignore_files, today)
    from checker.policy.baseline import expiry_date

    # Checked before the organization is read, so a bad value fails fast.
    expiry_date(day, expires_in)
    desired = _desired(paths, excludes, policy)
    if desired is None:
        return EXIT_FINDINGS
    live = _read(desired, live_file, live_options)

    from checker.drift import compute_drift
    from checker.policy.apply import apply_live_policy
    from checker.policy.baseline import baseline_entries, render_ignore_file

    outcome = apply_live_policy(
        desired, live, compute_drift(desired, live), policy, ignores=ignores, today=day
    )
    entries = baseline_entries(outcome.drift, today=day, expires_in=expires_in)
    header = (
        f"Written by `qlik-drift baseline` on {day.isoformat()}: each entry accepts "
        "one drift item.\nReview the entries, replace each reason with the real "
        "one, and fix the drift over time."
    )
    text = render_ignore_file(entries, outcome.drift, header=header)
    _write(output_path, text)
    if output_path != STDOUT and not (ctx.find_root().obj or {}).get("quiet"):
        click.echo(f"wrote {len(entries)} ignore rule(s) to {output_path}", err=True)
    return EXIT_OK


def _desired(
    paths: tuple[str, ...], excludes: tuple[str, ...], policy: Policy
) -> DesiredState | None:
    """Return the declared state, or None after printing what makes it invalid."""
    from checker.manifest import load_manifests
    from checker.policy.apply import offline_diagnostics
    from checker.report import Report, render

    result = load_manifests(list(paths), exclude=excludes)
    diagnostics = offline_diagnostics(result.desired, result.diagnostics, policy)
    report = Report(command="validate", files=result.files, diagnostics=diagnostics)
    if not report.errors:
        return result.desired
    click.echo(render(report, "text"), nl=False, err=True)
    return None


def _read(
    desired: DesiredState, live_file: str | None, options: dict[str, Any]
) -> LiveState:
    if live_file is not None:
        if options.get("simulate") is not None:
            raise UsageError(
                "--live and --simulate cannot be used together",
                hint="read a snapshot (`--live FILE`) or a simulator "
                "(`--simulate STATE`), not both",
            )
        from checker.snapshot import load_snapshot_for

        return load_snapshot_for(live_file, desired.subscriptions)
    progress = progress_enabled(options.pop("progress"))
    return read_live(desired, LiveOptions(progress=progress, **options))


def _write(output_path: str, text: str) -> None:
    if output_path == STDOUT:
        from checker.commands.output import write_stdout

        write_stdout(text)
        return
    from checker.fsutil import atomic_write_text

    try:
        atomic_write_text(output_path, text)
    except OSError as error:
        raise UsageError(
            f"cannot write {output_path}: {error.strerror}",
            hint="check that the folder exists and is writable",
        ) from error
