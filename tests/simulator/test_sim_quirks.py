"""Documented API quirks: off by default, as configured when switched on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from checker.simulator import FaultPlan, Quirks, SimulatorState
from checker.simulator.faults import DEFAULT_LINK_PREFIX

from .sim_helpers import Api, StartSim


def quirk_api(start_sim: StartSim, state: SimulatorState, **quirks: object) -> Api:
    return Api(start_sim(state, FaultPlan(quirks=Quirks(**quirks))))  # type: ignore[arg-type]


def test_link_prefix_quirk(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = quirk_api(start_sim, org_state, link_prefix=DEFAULT_LINK_PREFIX)
    body = api.get("/api/core/tenants", limit=5).json()
    href = body["links"]["next"]["href"]
    split = urlsplit(href)
    assert href.startswith("https://api.qlikcloud.com/core/tenants?")
    assert body["links"]["self"]["href"].startswith("https://api.qlikcloud.com/core/")
    assert body["data"][0]["links"]["self"]["href"].startswith(DEFAULT_LINK_PREFIX)
    # A client re-targets the link at the simulator, adding the /api prefix back.
    retargeted = api.get(
        f"/api{split.path}", **{k: v[0] for k, v in parse_qs(split.query).items()}
    )
    assert retargeted.status_code == 200
    assert retargeted.json()["data"][0]["id"] != body["data"][0]["id"]


def test_offset_cursor_quirk(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = quirk_api(start_sim, org_state, offset_cursor=True)
    first = api.get("/api/core/tenants", limit=30).json()
    query = parse_qs(urlsplit(first["links"]["next"]["href"]).query)
    second = api.request("GET", first["links"]["next"]["href"]).json()
    assert "next" not in query
    assert len(query["offset"][0]) == 24
    assert len(second["data"]) == 15
    assert {t["id"] for t in first["data"]}.isdisjoint(t["id"] for t in second["data"])


def test_offset_accepted_without_quirk(api: Api) -> None:
    first = api.get("/api/core/tenants", limit=30).json()
    cursor = parse_qs(urlsplit(first["links"]["next"]["href"]).query)["next"][0]
    via_offset = api.get("/api/core/tenants", limit=30, offset=cursor).json()
    via_next = api.get("/api/core/tenants", limit=30, next=cursor).json()
    assert via_offset["data"] == via_next["data"]


def test_bare_tenant_quirk(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = quirk_api(start_sim, org_state, bare_tenant=True)
    body = api.get("/api/core/tenants/tenant003").json()
    assert body["id"] == "tenant003"
    assert "data" not in body


def test_total_results_string_quirk(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    api = quirk_api(start_sim, org_state, total_results_as_string=True)
    body = api.get("/api/core/tenants", totalResults="true").json()
    assert body["totalResults"] == "45"


def test_extra_fields_quirk(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = quirk_api(start_sim, org_state, extra_fields=True)
    tenants = api.get("/api/core/tenants", limit=100).json()["data"]
    assert all(t["serviceLevel"] == "standard" for t in tenants)
    assert all(t["capacity"] == {"unit": "GB", "used": 0} for t in tenants)


def test_unknown_status_quirk(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = quirk_api(start_sim, org_state, unknown_status="archived")
    tenants = api.get("/api/core/tenants", limit=100).json()["data"]
    archived = [t["id"] for t in tenants if t["status"] == "archived"]
    assert archived == ["tenant000"]
    filtered = api.get("/api/core/tenants", filter='status eq "archived"').json()[
        "data"
    ]
    assert [t["id"] for t in filtered] == ["tenant000"]


def test_quirks_off_by_default(api: Api) -> None:
    token = api.session.post(
        f"{api.sim.url}/oauth/token",
        json={
            "client_id": api.client_id,
            "client_secret": api.secret,
            "grant_type": "client_credentials",
        },
        timeout=10,
    ).json()
    listing = api.get("/api/core/tenants", totalResults="true").json()
    single = api.get("/api/core/tenants/tenant003").json()
    statuses = {
        t["status"] for t in api.get("/api/core/tenants", limit=100).json()["data"]
    }
    assert token["token_type"] == "Bearer"
    assert isinstance(listing["totalResults"], int)
    assert listing["links"]["next"]["href"].startswith(api.sim.url)
    assert "serviceLevel" not in listing["data"][0]
    assert set(single) == {"data", "links"}
    assert statuses == {"active", "disabled"}
