from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from checker.simulator import FaultPlan, Simulator, SimulatorState, load_state

from .sim_helpers import ACME, Api, build_state


@pytest.fixture(scope="session")
def acme_state() -> SimulatorState:
    return load_state(ACME)


@pytest.fixture(scope="session")
def org_state() -> SimulatorState:
    return build_state()


@pytest.fixture
def start_sim() -> Iterator[Callable[..., Simulator]]:
    """Start simulators on free loopback ports; stop them after the test."""
    started: list[Simulator] = []

    def start(
        state: SimulatorState | None = None, faults: FaultPlan | None = None
    ) -> Simulator:
        sim = Simulator(state or build_state(), faults=faults).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(start_sim: Callable[..., Simulator], org_state: SimulatorState) -> Simulator:
    return start_sim(org_state)


@pytest.fixture
def api(sim: Simulator) -> Api:
    return Api(sim)
