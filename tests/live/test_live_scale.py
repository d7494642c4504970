"""A scan of a few thousand tenants under a rate limit and random 5xx errors."""

from __future__ import annotations

import pytest
from live_helpers import (
    StartSim,
    client_config,
    declared_ids,
    expected_tenants,
    org_state,
    tenants_by_id,
)

from checker.live import read_live_state
from checker.simulator import Fault, FaultPlan, RateLimits

# 3,000 tenants in five subscriptions: 30 pages of 100 in organization scope.
SIZES = (700, 650, 600, 550, 500)
# 20 Tier 1 requests in any second.
SERVER_BUDGET = RateLimits(tier1_per_minute=1200, tier2_per_minute=60, window_seconds=1)
RANDOM_5XX = (
    Fault("status", status=503, probability=0.15),
    Fault("status", status=502, probability=0.1),
)


@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
def test_scan_exact_under_limit_and_5xx(start_sim: StartSim, scope: str) -> None:
    state = org_state(SIZES)
    sim = start_sim(state, FaultPlan(faults=RANDOM_5XX, seed=11, rate_limits=SERVER_BUDGET))
    config = client_config(
        sim,
        page_limit=100,
        max_retries=10,
        tier1_per_minute=1200,
        rate_window_seconds=1,
        timeout=60.0,
    )
    subscriptions = declared_ids(state)

    live = read_live_state(config, subscriptions, scope=scope)  # type: ignore[arg-type]

    assert tenants_by_id(live.tenants) == expected_tenants(state, subscriptions, scope)
    assert len(live.tenants) == sum(SIZES)
    assert sim.stats.count(status=503) + sim.stats.count(status=502) >= 1
    assert sim.stats.count(status=429) == 0


def test_scan_exact_when_server_throttles(start_sim: StartSim) -> None:
    # The client's own budget is above the server's, so the server responds with
    # 429 and the client must wait for Retry-After instead of failing.
    state = org_state(SIZES)
    sim = start_sim(state, FaultPlan(faults=RANDOM_5XX, seed=5, rate_limits=SERVER_BUDGET))
    config = client_config(
        sim,
        page_limit=50,
        max_retries=12,
        tier1_per_minute=60_000,
        retry_after_max=2.0,
        timeout=90.0,
    )
    subscriptions = declared_ids(state)

    live = read_live_state(config, subscriptions, scope="subscriptions")

    assert tenants_by_id(live.tenants) == expected_tenants(state, subscriptions, "subscriptions")
    assert sim.stats.count(status=429) >= 1
