"""The ``check --fix`` options and the step that runs the fix inside ``check``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from checker.adopt.result import ACCEPTABLE_KINDS, FixRequest
from checker.commands.output import OutputTarget, write_stdout
from checker.controlchars import escape_control_chars
from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.model import DesiredState, DriftItem, LiveState

F = TypeVar("F", bound=Callable[..., Any])


def _parse_accept(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    kinds: list[str] = []
    for value in values:
        for kind in (part.strip() for part in value.split(",")):
            if kind not in ACCEPTABLE_KINDS:
                choices = ", ".join(ACCEPTABLE_KINDS)
                raise click.BadParameter(f"{kind!r} is not one of {choices}", ctx, param)
            kinds.append(kind)
    return tuple(dict.fromkeys(kinds))


def fix_options(func: F) -> F:
    """Add --fix, --accept, --prune and --dry-run to a command."""
    func = click.option(
        "--dry-run",
        is_flag=True,
        help="With --fix: print the changes as a unified diff on stdout and change "
        "no manifest. Reports go only to --output FORMAT=FILE files, so --format "
        "other than text is rejected.",
    )(func)
    func = click.option(
        "--prune",
        is_flag=True,
        help="With --fix: also remove missing tenants (declared but not live) "
        "from the manifests.",
    )(func)
    func = click.option(
        "--accept",
        multiple=True,
        metavar="KINDS",
        callback=_parse_accept,
        help="With --fix: drift kinds to accept, comma-separated from "
        f"{', '.join(ACCEPTABLE_KINDS)}; default: all three.",
    )(func)
    return click.option(
        "--fix",
        is_flag=True,
        help="Rewrite the manifests to accept the live state, changing only the "
        "lines that must change; then report the drift that remains.",
    )(func)


def fix_request(
    fix: bool, accept: Sequence[str], prune: bool, dry_run: bool
) -> FixRequest | None:
    """Return the requested fix, None without --fix, or raise UsageError."""
    if not fix:
        flags = (("--accept", bool(accept)), ("--prune", prune), ("--dry-run", dry_run))
        used = [name for name, given in flags if given]
        if used:
            names = used[0] if len(used) == 1 else f"{', '.join(used[:-1])} and {used[-1]}"
            verb = "requires" if len(used) == 1 else "require"
            raise UsageError(
                f"{names} {verb} --fix",
                hint="add `--fix`, for example `qlik-drift check --fix --dry-run PATHS`",
            )
        return None
    kinds = frozenset(accept) if accept else frozenset(ACCEPTABLE_KINDS)
    return FixRequest(accept=kinds, prune=prune, dry_run=dry_run)


def check_dry_run_stdout(format_name: str, outputs: Sequence[OutputTarget]) -> None:
    """Raise UsageError when a report would share stdout with the dry run's diff.

    With ``--dry-run`` stdout carries only the unified diff, so reports go
    to files with ``--output FORMAT=FILE``. ``--format text``, the default,
    is accepted because no text report is printed then. Any other format,
    and ``--output FORMAT=-``, is rejected.
    """
    if format_name != "text":
        raise UsageError(
            f"--format {format_name} and --dry-run both write to stdout",
            hint=f"write the report to a file with `--output {format_name}=FILE`; "
            "stdout carries the diff",
        )
    for target in outputs:
        if target.to_stdout:
            raise UsageError(
                f"--output {target.format_name}=- and --dry-run both write to stdout",
                hint=f"write the report to a file with `--output {target.format_name}=FILE`; "
                "stdout carries the diff",
            )


def run_fix(
    request: FixRequest,
    files: Sequence[str],
    desired: DesiredState,
    live: LiveState,
    drift: Sequence[DriftItem],
    quiet: bool,
) -> bool:
    """Apply (or with ``dry_run`` print) the fix; return whether files were written.

    The unified diff of a dry run goes to stdout; what was accepted goes to
    stderr unless ``quiet``.
    """
    from checker.adopt.fix import plan_fix

    plan = plan_fix(files, desired, live, drift, request)
    if not quiet:
        for action in plan.actions:
            # Hostnames come from live data: no control character reaches the terminal.
            click.echo(escape_control_chars(str(action)), err=True)
    if request.dry_run:
        write_stdout(plan.diff())
    else:
        plan.write()
    if not quiet:
        click.echo(_summary(plan.actions, [c.path for c in plan.changes], request), err=True)
    return bool(plan.changes) and not request.dry_run


def _summary(actions: Sequence[object], paths: Sequence[str], request: FixRequest) -> str:
    if not actions:
        return "nothing to fix"
    verb = "would fix" if request.dry_run else "fixed"
    return f"{verb} {len(actions)} drift item(s) in {len(paths)} file(s): {', '.join(paths)}"
