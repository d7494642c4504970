"""Fault options on the command line and how they combine with state settings."""

from __future__ import annotations

import shlex
from dataclasses import fields
from typing import Any

import click
import pytest
from click.testing import CliRunner

from checker.errors import UsageError
from checker.simulator import (
    Fault,
    FaultPlan,
    Quirks,
    RateLimits,
    add_fault_options,
    cli_options,
    fault_plan_from_options,
)

from .sim_helpers import Api, StartSim, build_state

captured: list[FaultPlan] = []


@click.command()
@add_fault_options
def command(**options: Any) -> None:
    captured.append(plain(fault_plan_from_options(**options)))


def plain(plan: FaultPlan) -> FaultPlan:
    """Drop the command-line bookkeeping so plans compare by their settings."""
    return FaultPlan(**{f.name: getattr(plan, f.name) for f in fields(FaultPlan)})


def run(*args: str) -> tuple[int, str, FaultPlan | None]:
    captured.clear()
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.output, (captured[0] if captured else None)


def test_no_options_default_plan() -> None:
    code, _, plan = run()
    assert code == 0
    assert plan == FaultPlan()


EVERY_OPTION = """
    --fault 'status:502 endpoint=list requests=2' --fault latency:20 --seed 4
    --token-lifetime 1.5 --tier1-per-minute 10 --tier2-per-minute 2 --rate-window 30
    --strict-filter --unknown-subscription forbidden --quirk offset-cursor
    --quirk link-prefix --quirk unknown-status=gone --revoke-client a
    --deny-permission b
"""


def test_every_option() -> None:
    code, output, plan = run(*shlex.split(EVERY_OPTION))

    assert code == 0, output
    assert plan is not None
    assert plan.faults == (
        Fault("status", endpoint="list", requests="2", status=502),
        Fault("latency", latency_ms=20),
    )
    assert plan.seed == 4
    assert plan.token_lifetime == 1.5
    assert plan.rate_limits == RateLimits(10, 2, 30.0)
    assert plan.strict_filter is True
    assert plan.unknown_subscription == "forbidden"
    assert plan.quirks == Quirks(
        offset_cursor=True,
        link_prefix="https://api.qlikcloud.com/core",
        unknown_status="gone",
    )
    assert plan.revoked_clients == {"a"}
    assert plan.clients_without_permission == {"b"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "explode"], 'unknown fault kind "explode"'),
        (["--fault", "status requests=0"], "invalid request numbers"),
        (["--quirk", "sideways"], 'unknown quirk "sideways"'),
        (["--quirk", "offset-cursor=yes"], "takes no value"),
        (["--quirk", "link-prefix="], "needs a value"),
        (["--tier1-per-minute", "0"], "--tier1-per-minute"),
        (["--token-lifetime", "0"], "--token-lifetime"),
        (["--unknown-subscription", "maybe"], "--unknown-subscription"),
    ],
)
def test_invalid_option_usage_error(args: list[str], message: str) -> None:
    code, output, plan = run(*args)
    assert code == 2
    assert message in output
    assert plan is None


def test_help_lists_every_option() -> None:
    output = CliRunner().invoke(command, ["--help"]).output
    assert len(cli_options) == 11
    for name in (
        "--fault",
        "--seed",
        "--token-lifetime",
        "--tier1-per-minute",
        "--tier2-per-minute",
        "--rate-window",
        "--strict-filter",
        "--unknown-subscription",
        "--quirk",
        "--revoke-client",
        "--deny-permission",
    ):
        assert name in output


def test_options_apply_over_base() -> None:
    base = FaultPlan(faults=(Fault("drop"),), seed=3, quirks=Quirks(bare_tenant=True))
    plan = fault_plan_from_options(base, fault=("html",), quirk=("extra-fields",))
    assert plan.faults == (Fault("drop"), Fault("html"))
    assert plan.seed == 3
    assert plan.quirks == Quirks(bare_tenant=True, extra_fields=True)


def test_unrelated_options_ignored() -> None:
    plan = fault_plan_from_options(state="x.yaml", port=8080, seed=None, fault=())
    assert plain(plan) == FaultPlan()


def test_invalid_python_options_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown fault kind"):
        fault_plan_from_options(fault=("explode",))


def test_command_line_plan_keeps_settings(start_sim: StartSim) -> None:
    state = build_state(settings={"faults": ["status:500 endpoint=get"], "seed": 5})
    sim = start_sim(state, fault_plan_from_options(fault=("status:502 endpoint=list",)))
    api = Api(sim)
    assert sim.faults.seed == 5
    assert api.get("/api/core/tenants/tenant001").status_code == 500
    assert api.get("/api/core/tenants").status_code == 502
