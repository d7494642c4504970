"""Injected faults: each happens on the configured requests and stops after them."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from checker.simulator import Fault, FaultPlan, Simulator, SimulatorState
from checker.simulator.faults import FaultSpecError

from .sim_helpers import SUB_A, Api, StartSim, build_state, error_of


def plan(*faults: Fault, seed: int = 0) -> FaultPlan:
    return FaultPlan(faults=faults, seed=seed)


def list_statuses(api: Api, count: int) -> list[int]:
    return [api.get("/api/core/tenants", limit=1).status_code for _ in range(count)]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_burst(
    start_sim: StartSim, org_state: SimulatorState, status: int
) -> None:
    fault = Fault("status", endpoint="list", requests="2-3", status=status)
    api = Api(start_sim(org_state, plan(fault)))
    assert list_statuses(api, 5) == [200, status, status, 200, 200]


def test_status_fault_envelope(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, plan(Fault("status", endpoint="list", status=503))))
    response = api.get("/api/core/tenants")
    error = error_of(response)
    assert response.status_code == 503
    assert error["status"] == "503"
    assert error["code"] == "HTTP-503"
    assert "Retry-After" not in response.headers


def test_status_fault_retry_after(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    fault = Fault("status", endpoint="list", status=503, retry_after=7)
    response = Api(start_sim(org_state, plan(fault))).get("/api/core/tenants")
    assert response.headers["Retry-After"] == "7"


def test_status_fault_429(start_sim: StartSim, org_state: SimulatorState) -> None:
    fault = Fault("status", endpoint="list", requests="1", status=429, retry_after=2)
    api = Api(start_sim(org_state, plan(fault)))
    response = api.get("/api/core/tenants")
    error = response.json()["errors"][0]
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert error["code"] == "HTTP-429"
    assert error["detail"] == "You need to wait 2 seconds until limit is lifted."
    assert api.get("/api/core/tenants").status_code == 200


def test_fault_only_on_its_endpoint(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    api = Api(start_sim(org_state, plan(Fault("status", endpoint="list", status=500))))
    count = api.get(
        "/api/core/tenants/actions/count", filter=f'subscriptionId eq "{SUB_A}"'
    )
    assert count.status_code == 200
    assert api.get("/api/core/tenants").status_code == 500


def test_fault_on_token_endpoint(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    sim = start_sim(org_state, plan(Fault("status", endpoint="token", requests="1")))
    body = {
        "client_id": "client-a",
        "client_secret": "secret-a",
        "grant_type": "client_credentials",
    }
    first = requests.post(f"{sim.url}/oauth/token", json=body, timeout=10)
    second = requests.post(f"{sim.url}/oauth/token", json=body, timeout=10)
    assert first.status_code == 503
    assert second.status_code == 200


def test_fault_any_counts_token(start_sim: StartSim, org_state: SimulatorState) -> None:
    # Request 1 is the token request, so request 2 is the first list call.
    api = Api(start_sim(org_state, plan(Fault("status", endpoint="any", requests="2"))))
    assert list_statuses(api, 2) == [503, 200]


def test_fault_every_nth(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, plan(Fault("status", endpoint="list", every=3))))
    assert list_statuses(api, 7) == [200, 200, 503, 200, 200, 503, 200]


def test_fault_open_range(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(
        start_sim(org_state, plan(Fault("status", endpoint="api", requests="1,4-")))
    )
    assert list_statuses(api, 5) == [503, 200, 200, 503, 503]


def test_fault_burst_after_trigger(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    fault = Fault("status", endpoint="list", requests="2", burst=3)
    api = Api(start_sim(org_state, plan(fault)))
    assert list_statuses(api, 6) == [200, 503, 503, 503, 200, 200]


def probability_pattern(
    start_sim: StartSim, state: SimulatorState, seed: int
) -> list[int]:
    fault = Fault("status", endpoint="list", probability=0.5)
    return list_statuses(Api(start_sim(state, plan(fault, seed=seed))), 40)


def test_probability_seeded(start_sim: StartSim, org_state: SimulatorState) -> None:
    first = probability_pattern(start_sim, org_state, seed=7)
    again = probability_pattern(start_sim, org_state, seed=7)
    other = probability_pattern(start_sim, org_state, seed=8)
    assert first == again
    assert first != other
    assert 5 <= first.count(503) <= 35


def test_probability_bounds(start_sim: StartSim, org_state: SimulatorState) -> None:
    never = Fault("status", endpoint="list", probability=0.0)
    always = Fault("status", endpoint="get", probability=1.0)
    api = Api(start_sim(org_state, plan(never, always)))
    assert list_statuses(api, 10) == [200] * 10
    assert api.get("/api/core/tenants/tenant001").status_code == 503


def test_latency(start_sim: StartSim, org_state: SimulatorState) -> None:
    fault = Fault("latency", endpoint="list", requests="2", latency_ms=600)
    api = Api(start_sim(org_state, plan(fault)))
    elapsed = []
    for _ in range(3):
        started = time.monotonic()
        assert api.get("/api/core/tenants").status_code == 200
        elapsed.append(time.monotonic() - started)
    assert elapsed[1] >= 0.6
    # Wide margins: only the injected delay may come near 0.6 s.
    assert elapsed[0] < 0.5
    assert elapsed[2] < 0.5


def test_latency_client_timeout(start_sim: StartSim, org_state: SimulatorState) -> None:
    fault = Fault("latency", endpoint="get", latency_ms=800)
    api = Api(start_sim(org_state, plan(fault)))
    api.fetch_token()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.get(
            f"{api.sim.url}/api/core/tenants/tenant001",
            timeout=0.3,
            headers={"Authorization": f"Bearer {api.token}"},
        )


def test_drop_connection(start_sim: StartSim, org_state: SimulatorState) -> None:
    sim: Simulator = start_sim(
        org_state, plan(Fault("drop", endpoint="list", requests="2"))
    )
    api = Api(sim)
    assert api.get("/api/core/tenants").status_code == 200
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get("/api/core/tenants").json()
    assert api.get("/api/core/tenants").status_code == 200
    assert sim.stats.count("list", status=200) == 3


def test_drop_sends_partial_body(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    api = Api(start_sim(org_state, plan(Fault("drop", endpoint="list"))))
    response = api.request("GET", "/api/core/tenants", stream=True)
    chunks: list[bytes] = []
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        chunks.extend(response.iter_content(256))
    received = b"".join(chunks)
    assert response.status_code == 200
    assert received.startswith(b'{"data": [')
    assert 0 < len(received) < int(response.headers["Content-Length"])


def test_truncated_body(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(
        start_sim(org_state, plan(Fault("truncate", endpoint="list", requests="1")))
    )
    truncated = api.get("/api/core/tenants")
    full = api.get("/api/core/tenants")
    assert truncated.status_code == 200
    assert truncated.text == full.text[: len(full.content) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.text)
    assert full.json()["data"]


def test_html_body(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, plan(Fault("html", endpoint="list", requests="1"))))
    page = api.get("/api/core/tenants")
    after = api.get("/api/core/tenants")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>")
    assert after.headers["Content-Type"].startswith("application/json")


def cursor_of(body: dict[str, object]) -> str:
    href = body["links"]["next"]["href"]  # type: ignore[index]
    return parse_qs(urlsplit(href).query)["next"][0]


def test_cursor_loop(start_sim: StartSim, org_state: SimulatorState) -> None:
    fault = Fault("cursor-loop", endpoint="list", requests="2")
    api = Api(start_sim(org_state, plan(fault)))
    first = api.get("/api/core/tenants", limit=5).json()
    second = api.get("/api/core/tenants", limit=5, next=cursor_of(first)).json()
    third = api.get("/api/core/tenants", limit=5, next=cursor_of(second)).json()
    assert cursor_of(second) == cursor_of(first)
    assert third["data"] == second["data"]
    assert cursor_of(third) != cursor_of(second)


def test_cursor_loop_first_page(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(
        start_sim(org_state, plan(Fault("cursor-loop", endpoint="list", requests="1")))
    )
    first = api.get("/api/core/tenants", limit=5).json()
    again = api.request("GET", first["links"]["next"]["href"]).json()
    assert again["data"] == first["data"]


def test_faults_from_state_settings(start_sim: StartSim) -> None:
    settings = {
        "faults": [
            {"kind": "status", "endpoint": "list", "requests": 2, "status": 502},
            "html endpoint=get",
        ]
    }
    sim = start_sim(build_state(settings=settings))
    api = Api(sim)
    assert list_statuses(api, 3) == [200, 502, 200]
    assert api.get("/api/core/tenants/tenant001").text.startswith("<!DOCTYPE html>")


def test_plan_argument_replaces_settings(start_sim: StartSim) -> None:
    state = build_state(settings={"faults": ["status:500 endpoint=list"]})
    api = Api(start_sim(state, FaultPlan()))
    assert list_statuses(api, 2) == [200, 200]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "status:503 endpoint=list requests=2-3",
            Fault("status", endpoint="list", requests="2-3", status=503),
        ),
        ("latency:250", Fault("latency", latency_ms=250)),
        ("drop endpoint=filter every=4", Fault("drop", endpoint="filter", every=4)),
        ("html probability=0.25 burst=2", Fault("html", probability=0.25, burst=2)),
        ("status:429 retry-after=3", Fault("status", status=429, retry_after=3)),
        (
            "cursor-loop endpoint=list requests=3",
            Fault("cursor-loop", endpoint="list", requests="3"),
        ),
    ],
)
def test_fault_parse(spec: str, expected: Fault) -> None:
    assert Fault.parse(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "explode",
        "status:abc",
        "drop:5",
        "status endpoint=nowhere",
        "status requests=0",
        "status requests=5-2",
        "status requests=x",
        "status every=0",
        "status probability=2",
        "status requests=1 every=2",
        "status colour=red",
        "status burst=0",
        "status:200",
        "latency:-5",
        "status endpoint",
    ],
)
def test_fault_parse_invalid(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        Fault.parse(spec)
