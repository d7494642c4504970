from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from live_helpers import ACME, StartSim

from checker.simulator import FaultPlan, Simulator, SimulatorState, load_state


@pytest.fixture(scope="session")
def acme_state() -> SimulatorState:
    return load_state(ACME)


@pytest.fixture
def start_sim() -> Iterator[StartSim]:
    """Start simulators on free loopback ports; stop them after the test."""
    started: list[Simulator] = []

    def start(state: SimulatorState, faults: FaultPlan | None = None) -> Simulator:
        sim = Simulator(state, faults=faults or FaultPlan()).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record at DEBUG, as the secret sweeps need."""
    caplog.set_level(logging.DEBUG)
    return caplog
