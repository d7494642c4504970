"""Bearer tokens on API calls, error envelopes, routing and rate limits."""

from __future__ import annotations

import re
import time

import pytest
import requests

from checker.simulator import FaultPlan, RateLimits, Simulator, SimulatorState

from .sim_helpers import SUB_A, Api, StartSim, error_of

API_PATHS = [
    ("GET", "/api/core/tenants"),
    ("GET", "/api/core/tenants/tenant001"),
    ("GET", f'/api/core/tenants/actions/count?filter=subscriptionId eq "{SUB_A}"'),
    ("POST", "/api/core/tenants/actions/filter"),
]
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_api_without_token_401(sim: Simulator, method: str, path: str) -> None:
    response = requests.request(method, f"{sim.url}{path}", timeout=10)
    error = error_of(response)
    assert response.status_code == 401
    assert error["code"] == "HTTP-401"
    assert error["status"] == "401"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header", ["Bearer not-a-token", "Basic Y2xpZW50OnNlY3JldA==", "Bearer", "bearer  "]
)
def test_api_bad_token_401(sim: Simulator, header: str) -> None:
    response = requests.get(
        f"{sim.url}/api/core/tenants", headers={"Authorization": header}, timeout=10
    )
    assert response.status_code == 401
    assert error_of(response)["status"] == "401"


def test_bearer_scheme_case_insensitive(api: Api) -> None:
    token = api.fetch_token()
    response = requests.get(
        f"{api.sim.url}/api/core/tenants",
        headers={"Authorization": f"bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200


def test_expired_token_401(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, FaultPlan(token_lifetime=0.3)))
    assert api.get("/api/core/tenants").status_code == 200
    time.sleep(0.5)
    response = api.get("/api/core/tenants")
    assert response.status_code == 401
    assert "expired" in error_of(response)["detail"]
    api.fetch_token()
    assert api.get("/api/core/tenants").status_code == 200


def test_expire_tokens_method(api: Api) -> None:
    assert api.get("/api/core/tenants").status_code == 200
    api.sim.expire_tokens()
    assert api.get("/api/core/tenants").status_code == 401


def test_revoke_client_method(api: Api) -> None:
    assert api.get("/api/core/tenants").status_code == 200
    api.sim.revoke_client(api.client_id)
    assert api.get("/api/core/tenants").status_code == 401
    rejected = api.session.post(
        f"{api.sim.url}/oauth/token",
        json={
            "client_id": api.client_id,
            "client_secret": api.secret,
            "grant_type": "client_credentials",
        },
        timeout=10,
    )
    assert rejected.status_code == 401


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_no_org_permission_403(sim: Simulator, method: str, path: str) -> None:
    api = Api(sim, "client-noperm", "secret-c")
    response = api.request(
        method, path, json={"filter": f'subscriptionId eq "{SUB_A}"'}
    )
    error = error_of(response)
    assert response.status_code == 403
    assert error["detail"] == "client lacks organization permission"


def test_plan_denies_permission(start_sim: StartSim, org_state: SimulatorState) -> None:
    sim = start_sim(org_state, FaultPlan(clients_without_permission={"client-a"}))
    assert Api(sim, "client-a", "secret-a").get("/api/core/tenants").status_code == 403
    assert Api(sim, "client-b", "secret-b").get("/api/core/tenants").status_code == 200


def test_plan_revokes_client(start_sim: StartSim, org_state: SimulatorState) -> None:
    sim = start_sim(org_state, FaultPlan(revoked_clients={"client-a"}))
    response = requests.post(
        f"{sim.url}/oauth/token",
        json={
            "client_id": "client-a",
            "client_secret": "secret-a",
            "grant_type": "client_credentials",
        },
        timeout=10,
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/tenants", 404),
        ("GET", "/api/core/oauth-clients", 404),
        ("GET", "/", 404),
        ("POST", "/api/core/tenants", 405),
        ("DELETE", "/api/core/tenants/tenant001", 405),
        ("GET", "/api/core/tenants/actions/filter", 405),
        ("POST", "/api/core/tenants/actions/count", 405),
    ],
)
def test_routing_errors(sim: Simulator, method: str, path: str, status: int) -> None:
    response = requests.request(method, f"{sim.url}{path}", timeout=10)
    error = error_of(response)
    assert response.status_code == status
    assert error["status"] == str(status)
    assert error["code"] == f"HTTP-{status}"


@pytest.mark.parametrize(
    "params",
    [{"limit": "500"}, {"sort": "bogus"}, {"filter": "name co"}, {"next": "x"}],
)
def test_error_envelope_shape(api: Api, params: dict[str, str]) -> None:
    response = api.get("/api/core/tenants", **params)
    body = response.json()
    error = body["errors"][0]
    assert response.status_code == 400
    assert TRACE_ID.match(body["traceId"])
    assert isinstance(error["status"], str)
    assert error["title"]
    assert error["detail"]


def test_trace_ids_differ(api: Api) -> None:
    first = api.get("/api/core/tenants", limit="x").json()["traceId"]
    second = api.get("/api/core/tenants", limit="x").json()["traceId"]
    assert first != second


def fast_limits(**changes: float) -> FaultPlan:
    """Tier 1: 60/min over 3 s = 3 requests; Tier 2: 20/min over 3 s = 1 request."""
    limits = RateLimits(tier1_per_minute=60, tier2_per_minute=20, window_seconds=3)
    return FaultPlan(rate_limits=limits, **changes)  # type: ignore[arg-type]


def test_rate_limit_429(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, fast_limits()))
    statuses = [api.get("/api/core/tenants", limit=1).status_code for _ in range(4)]
    rejected = api.get("/api/core/tenants/tenant001")
    error = rejected.json()["errors"][0]
    assert statuses == [200, 200, 200, 429]
    assert rejected.status_code == 429
    assert 1 <= int(rejected.headers["Retry-After"]) <= 3
    assert error["code"] == "HTTP-429"
    assert error["title"] == "API rate limit reached."
    assert re.fullmatch(
        r"You need to wait \d+ seconds until limit is lifted\.", error["detail"]
    )


def test_rate_limit_lifts(start_sim: StartSim, org_state: SimulatorState) -> None:
    limits = RateLimits(tier1_per_minute=60, tier2_per_minute=20, window_seconds=1)
    api = Api(start_sim(org_state, FaultPlan(rate_limits=limits)))
    assert api.get("/api/core/tenants").status_code == 200
    rejected = api.get("/api/core/tenants")
    assert rejected.status_code == 429
    time.sleep(int(rejected.headers["Retry-After"]) + 0.1)
    assert api.get("/api/core/tenants").status_code == 200


def test_rate_limit_tiers_independent(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    sim = start_sim(org_state, fast_limits())
    api = Api(sim)
    body = {"filter": f'subscriptionId eq "{SUB_A}"'}
    tier2 = [
        api.request("POST", "/api/core/tenants/actions/filter", json=body).status_code
        for _ in range(2)
    ]
    tier1 = [api.get("/api/core/tenants").status_code for _ in range(3)]
    assert tier2 == [200, 429]
    assert tier1 == [200, 200, 200]
    assert sim.stats.count(tier="tier2", status=429) == 1
    assert sim.stats.count(tier="tier1", status=200) == 3


def test_rate_limit_per_token(start_sim: StartSim, org_state: SimulatorState) -> None:
    sim = start_sim(org_state, fast_limits())
    first, second = Api(sim, "client-a", "secret-a"), Api(sim, "client-b", "secret-b")
    assert [first.get("/api/core/tenants").status_code for _ in range(4)][-1] == 429
    assert second.get("/api/core/tenants").status_code == 200


def test_default_budget_allows_burst(sim: Simulator) -> None:
    # Tier 2 allows 100/min over 5 min: a burst of 120 passes, unlike a per-minute cap.
    api = Api(sim)
    body = {"filter": f'subscriptionId eq "{SUB_A}"'}
    statuses = {
        api.request(
            "POST", "/api/core/tenants/actions/filter", json=body, params={"limit": 0}
        ).status_code
        for _ in range(120)
    }
    assert statuses == {200}


def test_stats_counts(sim: Simulator) -> None:
    api = Api(sim)
    api.get("/api/core/tenants")
    api.get("/api/core/tenants/nosuch")
    requests.get(f"{sim.url}/nowhere", timeout=10)
    assert sim.stats.total == 4
    assert sim.stats.by_endpoint == {"token": 1, "list": 1, "get": 1, "other": 1}
    assert sim.stats.by_status == {200: 2, 404: 2}
    assert sim.stats.by_tier == {"none": 2, "tier1": 2}
    assert sim.stats.count("get", status=404) == 1
    sim.stats.reset()
    assert sim.stats.total == 0
