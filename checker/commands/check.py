"""``qlik-drift check``: validate manifests, read the organization, report drift."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import click

from checker.adopt.options import check_dry_run_stdout, fix_options, fix_request
from checker.commands.common import (
    color_option,
    emit_report,
    exclude_option,
    exit_code_for,
    format_option,
    load_policy_options,
    output_option,
    policy_options,
    write_report_files,
)
from checker.commands.globalopts import global_options, is_quiet
from checker.commands.output import OutputTarget, resolve_outputs
from checker.errors import UsageError
from checker.model import DesiredState, LiveState
from checker.report import Report

if TYPE_CHECKING:
    from checker.manifest import LoadResult

logger = logging.getLogger(__name__)

DEFAULT_ORG_URL = "https://console.qlikcloud.com"


@dataclass(slots=True)
class LiveOptions:
    org_url: str
    credentials_file: str | None
    simulate: str | None
    scope: str
    timeout: float
    concurrency: int
    ca_bundle: str | None
    progress: bool


class Progress:
    """Tenants read so far, on one rewritten stderr line; only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._shown = False

    def __call__(self, read: int, total: int | None) -> None:
        if not self.enabled:
            return
        of_total = f" of {total}" if total is not None else ""
        sys.stderr.write(f"\rread {read}{of_total} tenants")
        sys.stderr.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def progress_enabled(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@exclude_option
@click.option(
    "--org-url",
    envvar="QLIK_ORG_URL",
    default=DEFAULT_ORG_URL,
    show_default=True,
    help="Base URL of the Organization API (env QLIK_ORG_URL).",
)
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False),
    help="File with client_id and client_secret, instead of QLIK_CLIENT_ID and "
    "QLIK_CLIENT_SECRET.",
)
@click.option(
    "--simulate",
    metavar="STATE",
    type=click.Path(dir_okay=False),
    help="Check against an embedded simulator seeded from this state file; "
    "no credentials needed.",
)
@click.option(
    "--scope",
    type=click.Choice(["organization", "subscriptions"]),
    default="organization",
    show_default=True,
    help="organization: list every tenant, to find moved tenants and undeclared "
    "subscriptions; subscriptions: read only the declared subscriptions, in parallel.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Deadline in seconds for reading the organization, retries included.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=8,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False, exists=True),
    help="CA certificates (PEM) to verify the API's TLS certificate with.",
)
@click.option(
    "--progress",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Show tenants read on stderr; auto means on a terminal outside CI.",
)
@click.option(
    "--live",
    "live_file",
    metavar="SNAPSHOT",
    type=click.Path(dir_okay=False),
    help="Compare with a snapshot file written by `qlik-drift snapshot` instead of "
    "reading the organization; no network and no credentials needed.",
)
@click.option(
    "--license-warning-days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Warn when a subscription's license ends within DAYS days; "
    "default: the policy's licenseExpiryWarningDays (30).",
)
@fix_options
@policy_options
@format_option
@output_option
@color_option
@global_options
def check(
    paths: tuple[str, ...],
    excludes: tuple[str, ...],
    org_url: str,
    credentials_file: str | None,
    simulate: str | None,
    scope: str,
    timeout: float,
    concurrency: int,
    ca_bundle: str | None,
    progress: str,
    live_file: str | None,
    license_warning_days: int | None,
    fix: bool,
    accept: tuple[str, ...],
    prune: bool,
    dry_run: bool,
    policy_file: str | None,
    ignore_files: tuple[str, ...],
    today: datetime | None,
    format_name: str,
    outputs: tuple[OutputTarget, ...],
    color: str,
) -> int:
    """Check manifest FILES or folders against the live organization.

    Exits 0 when in sync, 1 on drift or invalid manifests, 2 when the
    organization could not be read completely.
    """
    from checker.manifest import load_manifests

    if live_file is not None and simulate is not None:
        raise UsageError(
            "--live and --simulate cannot be used together",
            hint="compare with a snapshot (`--live FILE`) or a simulator "
            "(`--simulate STATE`), not both",
        )
    resolve_outputs(format_name, outputs)
    request = fix_request(fix, accept, prune, dry_run)
    if request is not None and request.dry_run:
        check_dry_run_stdout(format_name, outputs)
    policy, ignores, day = load_policy_options(policy_file, ignore_files, today)
    result = load_manifests(list(paths), exclude=excludes)

    from checker.policy.apply import apply_live_policy, offline_diagnostics

    def build_report(result: LoadResult, live: LiveState | None) -> Report:
        diagnostics = offline_diagnostics(result.desired, result.diagnostics, policy)
        report = Report(command="check", files=result.files, diagnostics=diagnostics)
        report.subscription_descriptions = _descriptions(result.desired)
        report.desired = result.desired
        if live is None or report.errors:
            return report

        from checker.drift import compute_drift

        outcome = apply_live_policy(
            result.desired,
            live,
            compute_drift(result.desired, live),
            policy,
            ignores=ignores,
            today=day,
            license_warning_days=license_warning_days,
        )
        report.drift = outcome.drift
        report.ignored = outcome.ignored
        report.diagnostics.extend(outcome.diagnostics)
        report.checked = True
        report.scope = live.scope
        report.tenants_read = len(live.tenants)
        return report

    report = build_report(result, None)
    if report.errors:
        # Comparing a half-valid desired state would report false drift, and
        # policy errors are fixed in the manifests before the organization is read.
        emit_report(report, format_name, color, outputs)
        return exit_code_for(report)

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
    if live_file is not None:
        from checker.snapshot import load_snapshot_for

        live = load_snapshot_for(live_file, result.desired.subscriptions)
    else:
        live = read_live(result.desired, options)

    report = build_report(result, live)
    if request is not None:
        from checker.adopt.options import run_fix

        written = run_fix(request, result.files, result.desired, live, report.drift, is_quiet())
        if request.dry_run:
            # stdout carries the diff, so reports go only to --output files.
            # They and the exit code report the drift found, as nothing changed.
            write_report_files(report, outputs)
            return exit_code_for(report)
        if written:
            # Report the drift that remains: the rewritten files, the same live state.
            reloaded = load_manifests(list(paths), exclude=excludes)
            report = build_report(reloaded, live)
    emit_report(report, format_name, color, outputs)
    return exit_code_for(report)


SIMULATE_READ_HELP = (
    "Read the organization from an embedded simulator seeded from this state "
    "file; no credentials needed."
)


# The options of ``check`` that set how the organization is read.
READ_PARAMETERS = (
    "org_url",
    "credentials_file",
    "simulate",
    "scope",
    "timeout",
    "concurrency",
    "ca_bundle",
    "progress",
)


def live_parameters(names: Collection[str]) -> list[click.Parameter]:
    """Return ``check``'s options that read the organization, for another command.

    Commands such as ``snapshot`` read the organization exactly as ``check``
    does. They get copies, with a ``--simulate`` help text that speaks of
    reading the organization rather than checking it.
    """
    params: list[click.Parameter] = []
    for param in check.params:
        if param.name not in names:
            continue
        if param.name == "simulate" and isinstance(param, click.Option):
            param = copy.copy(param)
            param.help = SIMULATE_READ_HELP
        params.append(param)
    return params


def _descriptions(desired: DesiredState) -> dict[str, str]:
    return {
        sub_id: sub.description
        for sub_id, sub in desired.subscriptions.items()
        if sub.description
    }


def read_live(desired: DesiredState, options: LiveOptions) -> LiveState:
    """Read the organization for the declared subscriptions, or raise ApiError."""
    from checker.live import ClientConfig, read_live_state, validate_org_url

    sources = {
        sub_id: sub.sources[0]
        for sub_id, sub in desired.subscriptions.items()
        if sub.sources
    }
    progress = Progress(options.progress)
    with _connection(options) as (org_url, credentials):
        config = ClientConfig(
            org_url=validate_org_url(org_url),
            credentials=credentials,
            ca_bundle=options.ca_bundle,
            timeout=options.timeout,
            concurrency=options.concurrency,
        )
        try:
            return read_live_state(
                config,
                sorted(desired.subscriptions),
                scope=options.scope,  # type: ignore[arg-type]
                subscription_sources=sources,
                progress=progress,
                pinned_ids=[t.id for t in desired.tenants if t.id is not None],
            )
        finally:
            progress.finish()


@contextlib.contextmanager
def _connection(options: LiveOptions) -> Iterator[tuple[str, object]]:
    """Yield the org URL and credentials: a real organization or a simulator."""
    from checker.live import Credentials

    if options.simulate is None:
        yield options.org_url, Credentials.load(options.credentials_file)
        return

    from checker.errors import SecretStr
    from checker.simulator import Simulator, load_state

    if not os.path.exists(options.simulate):
        # Checked here because load_state's message names `simulate --state`.
        raise UsageError(
            f"state file not found: {options.simulate}",
            hint="pass an existing simulator state file to `--simulate`, "
            "e.g. examples/live/acme.yaml",
        )
    with Simulator(load_state(options.simulate)) as simulator:
        logger.info("started the simulator at %s", simulator.url)
        credentials = Credentials(
            client_id=SecretStr(simulator.client_id),
            client_secret=SecretStr(simulator.client_secret),
        )
        yield simulator.url, credentials
