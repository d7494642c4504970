"""A local simulator of the Qlik Cloud Organization API, for tests and demos.

It serves ``/oauth/token`` and the ``/api/core/tenants`` endpoints on a real
HTTP socket, seeded from a state file, with faults and documented quirks on
demand::

    from checker.simulator import Simulator, load_state

    with Simulator(load_state("examples/live/acme.yaml")) as sim:
        ...  # sim.url, sim.client_id, sim.client_secret, sim.stats
"""

from __future__ import annotations

from checker.simulator.faults import Fault, FaultPlan, Quirks, RateLimits
from checker.simulator.options import (
    FAULT_OPTION_NAMES,
    add_fault_options,
    cli_options,
    fault_plan_from_options,
)
from checker.simulator.server import Simulator
from checker.simulator.state import ClientSpec, SimulatorState, load_state
from checker.simulator.stats import SimulatorStats

__all__ = [
    "FAULT_OPTION_NAMES",
    "ClientSpec",
    "Fault",
    "FaultPlan",
    "Quirks",
    "RateLimits",
    "Simulator",
    "SimulatorState",
    "SimulatorStats",
    "add_fault_options",
    "cli_options",
    "fault_plan_from_options",
    "load_state",
]
