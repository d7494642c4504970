"""``qlik-drift import``: write manifests from the live organization."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from checker.commands.check import LiveOptions, live_parameters, progress_enabled, read_live
from checker.commands.globalopts import global_options, is_quiet
from checker.commands.output import write_stdout
from checker.errors import EXIT_OK, UsageError
from checker.model import DeclaredSubscription, DesiredState, LiveState
from checker.regions import REGION_CODES

if TYPE_CHECKING:
    from checker.adopt.importer import ImportFilter

# Import reads the organization as `check` does, with the same options. The
# scope follows from --subscription instead of an option.
LIVE_PARAMETERS = (
    "org_url",
    "credentials_file",
    "simulate",
    "timeout",
    "concurrency",
    "ca_bundle",
    "progress",
)
STDOUT = "-"


def _live_parameters() -> list[click.Parameter]:
    return live_parameters(LIVE_PARAMETERS)


@click.command(name="import", params=_live_parameters())
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    metavar="PATH",
    type=click.Path(allow_dash=True),
    help="Folder to write one <subscriptionId>.yaml per subscription into; with "
    "--single-file, the file to write (- for stdout).",
)
@click.option(
    "--single-file",
    is_flag=True,
    help="Write every subscription into one manifest file.",
)
@click.option(
    "--subscription",
    "subscriptions",
    multiple=True,
    metavar="ID",
    help="Import only this subscription; repeatable. Reads only these "
    "subscriptions from the API.",
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="CODE",
    help="Import only tenants in this region (regionCode, e.g. eu-west-1); repeatable.",
)
@click.option("--force", is_flag=True, help="Overwrite manifest files that already exist.")
@click.option(
    "--from-snapshot",
    "--live",
    "snapshot_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Import from a snapshot written by `qlik-drift snapshot` instead of "
    "reading the organization.",
)
@global_options
@click.pass_context
def import_(
    ctx: click.Context,
    output: str,
    single_file: bool,
    subscriptions: tuple[str, ...],
    regions: tuple[str, ...],
    force: bool,
    snapshot_file: str | None,
    org_url: str,
    credentials_file: str | None,
    simulate: str | None,
    timeout: float,
    concurrency: int,
    ca_bundle: str | None,
    progress: str,
) -> int:
    """Write manifests that declare the tenants the organization has now.

    Tenants are grouped by subscription and sorted by hostname. Each file
    starts with a comment naming where and when the tenants were read.
    Existing files are kept unless --force is given. Check the result with
    `qlik-drift check PATH` against the same organization.

    When a live value cannot be written as a valid manifest (for example a
    status outside the manifest format), nothing is written and the exit
    code is 2.
    """
    from checker.adopt.importer import (
        ImportFilter,
        build_manifests,
        group_tenants,
        header_lines,
        write_manifests,
        write_single,
    )
    from checker.adopt.validation import check_planned

    _check_usage(output, single_file, subscriptions, regions, snapshot_file, simulate)
    options = LiveOptions(
        org_url=org_url,
        credentials_file=credentials_file,
        simulate=simulate,
        scope="subscriptions" if subscriptions else "organization",
        timeout=timeout,
        concurrency=concurrency,
        ca_bundle=ca_bundle,
        progress=progress_enabled(progress),
    )
    live, source = _read(options, subscriptions, snapshot_file)

    selection = ImportFilter(tuple(subscriptions), tuple(regions))
    groups = group_tenants(live.tenants, selection)
    _warn_empty(subscriptions, groups)
    if not groups:
        raise UsageError(
            f"no tenants to import: {_selection_text(selection)} matched none",
            hint="check the --subscription and --region values; nothing was written",
        )
    files = build_manifests(groups, header_lines(source, live.read_at), single_file)
    check_planned(
        {_planned_name(output, single_file, f.name): f.text for f in files},
        failure="import would write invalid manifests, so nothing was written",
        hint="import the other subscriptions or regions with --subscription or "
        "--region, and declare these tenants by hand",
    )

    quiet = is_quiet(ctx)
    count = sum(f.tenant_count for f in files)
    if single_file and output == STDOUT:
        write_stdout(files[0].text)
        return EXIT_OK
    if single_file:
        write_single(files[0], Path(output), force)
        written = [output]
    else:
        written = [str(p) for p in write_manifests(files, Path(output), force)]
    if not quiet:
        click.echo(
            f"wrote {count} tenant(s) of {len(groups)} subscription(s) to "
            f"{len(written)} file(s): {', '.join(written)}",
            err=True,
        )
    return EXIT_OK


def _planned_name(output: str, single_file: bool, name: str) -> str:
    """Return the path a planned file is reported under."""
    if single_file:
        return "<stdout>" if output == STDOUT else output
    return os.path.join(output, name)


def _check_usage(
    output: str,
    single_file: bool,
    subscriptions: tuple[str, ...],
    regions: tuple[str, ...],
    snapshot_file: str | None,
    simulate: str | None,
) -> None:
    if output == STDOUT and not single_file:
        raise UsageError(
            "-o - (stdout) needs --single-file",
            hint="add `--single-file`, or pass a folder to `-o`",
        )
    if snapshot_file is not None and simulate is not None:
        raise UsageError(
            "--from-snapshot and --simulate cannot be used together",
            hint="import from a snapshot or from a simulator, not both",
        )
    values = [(s, "--subscription") for s in subscriptions]
    values += [(r, "--region") for r in regions]
    for value, option in values:
        if not value.strip():
            raise UsageError(f"empty {option} value", hint=f"give {option} a value")
    for region in regions:
        _check_region(region)


def _check_region(region: str) -> None:
    """Raise UsageError, with the closest valid codes, for an unknown region code."""
    if region in REGION_CODES:
        return
    if region.lower() in REGION_CODES:
        raise UsageError(
            f"invalid region code {region!r} in --region",
            hint=f"did you mean {region.lower()}? Region codes are lower case",
        )
    matches = difflib.get_close_matches(region, REGION_CODES, n=3)
    close = [code for code in REGION_CODES if code in matches]
    if close:
        names = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} or {close[-1]}"
        hint = f"did you mean {names}?"
    else:
        hint = f"valid codes: {', '.join(REGION_CODES)}"
    raise UsageError(f"invalid region code {region!r} in --region", hint=hint)


def _read(
    options: LiveOptions, subscriptions: tuple[str, ...], snapshot_file: str | None
) -> tuple[LiveState, str]:
    """Return the live state and a description of where it came from (no secrets)."""
    if snapshot_file is not None:
        from checker.snapshot import load_snapshot

        live = load_snapshot(snapshot_file)
        if live.scope == "subscriptions":
            absent = sorted(set(subscriptions) - live.subscription_ids)
            if absent:
                raise UsageError(
                    f"snapshot {snapshot_file} does not contain subscription(s) {', '.join(absent)}",
                    hint="take a snapshot that includes them, or drop those --subscription values",
                )
        origin = f" of {live.org_url}" if live.org_url else ""
        return live, f"snapshot {snapshot_file}{origin}"

    desired = DesiredState(
        subscriptions={sid: DeclaredSubscription(sid) for sid in dict.fromkeys(subscriptions)}
    )
    live = read_live(desired, options)
    if options.simulate is not None:
        return live, f"the simulator seeded with {options.simulate}"
    return live, live.org_url or options.org_url


def _warn_empty(subscriptions: tuple[str, ...], groups: Mapping[str, object]) -> None:
    for subscription in subscriptions:
        if subscription not in groups:
            click.echo(
                f"Warning: subscription {subscription} has no matching tenants; "
                "no manifest written for it",
                err=True,
            )


def _selection_text(selection: ImportFilter) -> str:
    parts = []
    if selection.subscriptions:
        parts.append("subscription(s) " + ", ".join(selection.subscriptions))
    if selection.regions:
        parts.append("region(s) " + ", ".join(selection.regions))
    return " in ".join(parts) if parts else "the organization"
