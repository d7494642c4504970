"""Command-line options for the fault plan of ``qlik-drift simulate``.

Usage in a click command::

    @click.command()
    @add_fault_options
    def simulate(state, port, **options):
        plan = fault_plan_from_options(**options)
        Simulator(load_state(state), faults=plan, port=port).serve_forever()

Every option defaults to None, so only the options given on the command line
change the plan, and a ``Simulator`` applies them over the state file's
``settings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

import click

from checker.errors import UsageError
from checker.simulator.faults import (
    DEFAULT_LINK_PREFIX,
    DEFAULT_UNKNOWN_STATUS,
    Fault,
    FaultPlan,
    FaultSpecError,
    Quirks,
    RateLimits,
)

F = TypeVar("F", bound=Callable[..., Any])

# Quirk name on the command line -> (Quirks field, value when no "=VALUE" is supplied).
QUIRKS: dict[str, tuple[str, object]] = {
    "link-prefix": ("link_prefix", DEFAULT_LINK_PREFIX),
    "offset-cursor": ("offset_cursor", True),
    "bare-tenant": ("bare_tenant", True),
    "lowercase-token-type": ("lowercase_token_type", True),
    "total-results-as-string": ("total_results_as_string", True),
    "extra-fields": ("extra_fields", True),
    "unknown-status": ("unknown_status", DEFAULT_UNKNOWN_STATUS),
}
_VALUED_QUIRKS = frozenset({"link-prefix", "unknown-status"})


def _check_faults(
    context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        try:
            Fault.parse(value)
        except FaultSpecError as error:
            raise click.BadParameter(str(error)) from error
    return values


def _check_quirks(
    context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        try:
            _parse_quirk(value)
        except FaultSpecError as error:
            raise click.BadParameter(str(error)) from error
    return values


cli_options: list[Callable[[F], F]] = [
    click.option(
        "--fault",
        "fault",
        multiple=True,
        callback=_check_faults,
        metavar="SPEC",
        help='Inject a fault, e.g. "status:503 endpoint=list requests=2-3" or '
        '"latency:200 endpoint=api"; repeatable. Kinds: latency, status, drop, '
        "truncate, html, cursor-loop.",
    ),
    click.option(
        "--seed",
        type=int,
        default=None,
        help="Seed for probability faults (default 0).",
    ),
    click.option(
        "--token-lifetime",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="Lifetime of issued access tokens (default 21600).",
    ),
    click.option(
        "--tier1-per-minute",
        type=click.IntRange(min=1),
        default=None,
        help="Tier 1 requests per minute per token (default 1000).",
    ),
    click.option(
        "--tier2-per-minute",
        type=click.IntRange(min=1),
        default=None,
        help="Tier 2 requests per minute per token (default 100).",
    ),
    click.option(
        "--rate-window",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        help="Window over which rate limits are evaluated (default 300).",
    ),
    click.option(
        "--strict-filter/--no-strict-filter",
        default=None,
        help="Reject list filters without a subscriptionId eq comparison.",
    ),
    click.option(
        "--unknown-subscription",
        type=click.Choice(["empty", "forbidden"]),
        default=None,
        help="Response to a filter on a subscription id that exists nowhere "
        "(default empty).",
    ),
    click.option(
        "--quirk",
        "quirk",
        multiple=True,
        callback=_check_quirks,
        metavar="NAME[=VALUE]",
        help="Switch on a documented API quirk; repeatable. Names: "
        + ", ".join(QUIRKS)
        + ".",
    ),
    click.option(
        "--revoke-client",
        multiple=True,
        metavar="CLIENT_ID",
        help="Treat this client as revoked (401 everywhere); repeatable.",
    ),
    click.option(
        "--deny-permission",
        multiple=True,
        metavar="CLIENT_ID",
        help="Respond 403 to every API call of this client; repeatable.",
    ),
]

FAULT_OPTION_NAMES = (
    "fault",
    "seed",
    "token_lifetime",
    "tier1_per_minute",
    "tier2_per_minute",
    "rate_window",
    "strict_filter",
    "unknown_subscription",
    "quirk",
    "revoke_client",
    "deny_permission",
)


def add_fault_options(command: F) -> F:
    """Decorate a click command with every option in ``cli_options``."""
    for option in reversed(cli_options):
        command = option(command)
    return command


@dataclass(frozen=True)
class CommandLinePlan(FaultPlan):
    """A plan built from command-line options alone, remembering which were given.

    ``Simulator`` applies those options over the state file's ``settings``,
    so a fault scripted in the state file survives ``qlik-drift simulate``.
    """

    options: tuple[tuple[str, Any], ...] = ()


def fault_plan_from_options(base: FaultPlan | None = None, **options: Any) -> FaultPlan:
    """Apply the options that were given to ``base``; raise UsageError if invalid.

    Options other than those in ``FAULT_OPTION_NAMES`` are ignored, so a
    command can pass all of its keyword arguments. Faults given on the
    command line are added after the base plan's own. Without ``base`` the
    result is a ``CommandLinePlan``, which a ``Simulator`` applies over the
    state file's ``settings``.
    """
    supplied = {
        k: v
        for k, v in options.items()
        if k in FAULT_OPTION_NAMES and v not in (None, ())
    }
    plan = base or FaultPlan()
    try:
        changes = _changes(plan, supplied)
        if base is None:
            return CommandLinePlan(
                **{**_fields(plan), **changes}, options=tuple(supplied.items())
            )
        return plan.with_changes(**changes)
    except FaultSpecError as error:
        raise UsageError(str(error), hint="see `qlik-drift simulate --help`") from error


def resolve_plan(faults: FaultPlan | None, settings: FaultPlan) -> FaultPlan:
    """Return the plan a simulator runs with, from its argument and the settings."""
    if faults is None:
        return settings
    if isinstance(faults, CommandLinePlan):
        return fault_plan_from_options(base=settings, **dict(faults.options))
    return faults


def _fields(plan: FaultPlan) -> dict[str, Any]:
    return {f.name: getattr(plan, f.name) for f in fields(FaultPlan)}


def _changes(plan: FaultPlan, supplied: dict[str, Any]) -> dict[str, object]:
    changes: dict[str, object] = {}
    if "fault" in supplied:
        changes["faults"] = plan.faults + tuple(
            Fault.parse(s) for s in supplied["fault"]
        )
    for name in ("seed", "token_lifetime", "strict_filter", "unknown_subscription"):
        if name in supplied:
            changes[name] = supplied[name]
    rate = {
        "tier1_per_minute": supplied.get(
            "tier1_per_minute", plan.rate_limits.tier1_per_minute
        ),
        "tier2_per_minute": supplied.get(
            "tier2_per_minute", plan.rate_limits.tier2_per_minute
        ),
        "window_seconds": float(
            supplied.get("rate_window", plan.rate_limits.window_seconds)
        ),
    }
    changes["rate_limits"] = RateLimits(**rate)
    if "quirk" in supplied:
        changes["quirks"] = _quirks(plan.quirks, supplied["quirk"])
    if "revoke_client" in supplied:
        changes["revoked_clients"] = plan.revoked_clients | set(
            supplied["revoke_client"]
        )
    if "deny_permission" in supplied:
        changes["clients_without_permission"] = plan.clients_without_permission | set(
            supplied["deny_permission"]
        )
    return changes


def _quirks(base: Quirks, specs: Iterable[str]) -> Quirks:
    values: dict[str, Any] = dict(_parse_quirk(spec) for spec in specs)
    return replace(base, **values)


def _parse_quirk(spec: str) -> tuple[str, object]:
    name, equals, value = spec.partition("=")
    if name not in QUIRKS:
        raise FaultSpecError(f'unknown quirk "{name}"; use one of {", ".join(QUIRKS)}')
    field_name, default = QUIRKS[name]
    if not equals:
        return field_name, default
    if name not in _VALUED_QUIRKS:
        raise FaultSpecError(f'quirk "{name}" takes no value')
    if not value:
        raise FaultSpecError(f'quirk "{name}" needs a value after "="')
    return field_name, value
