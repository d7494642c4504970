"""Tenant endpoints: envelope, paging, sorting, totals, get, count and filter."""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from checker.simulator import FaultPlan, Simulator, SimulatorState
from checker.simulator.envelope import JsonText, encode_payload
from checker.simulator.tenants import object_id

from .sim_helpers import FOREIGN, SUB_A, SUB_B, Api, StartSim, error_of

ORG_SIZE = 45


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_list_envelope(api: Api) -> None:
    response = api.get("/api/core/tenants")
    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(body) == {"data", "links"}
    assert set(body["links"]) == {"self", "next"}
    assert body["links"]["self"]["href"].startswith(f"{api.sim.url}/api/core/tenants")


def test_list_default_limit_20(api: Api) -> None:
    body = api.get("/api/core/tenants").json()
    assert len(body["data"]) == 20
    assert query_of(body["links"]["next"]["href"])["limit"] == ["20"]


def test_list_tenant_shape(api: Api) -> None:
    tenant = api.get("/api/core/tenants", limit=1, sort="name").json()["data"][0]
    assert tenant["id"] == "tenant000"
    assert tenant["hostnames"] == ["t000.eu.qlikcloud.com"]
    assert tenant["subscriptionId"] == SUB_A
    assert (
        tenant["links"]["self"]["href"] == f"{api.sim.url}/api/core/tenants/tenant000"
    )


@pytest.mark.parametrize("limit", ["0", "1", "100"])
def test_list_limit_in_range(api: Api, limit: str) -> None:
    response = api.get("/api/core/tenants", limit=limit)
    assert response.status_code == 200
    assert len(response.json()["data"]) == min(int(limit), ORG_SIZE)


def test_list_limit_zero_has_no_next(api: Api) -> None:
    body = api.get("/api/core/tenants", limit=0, totalResults="true").json()
    assert body["data"] == []
    assert "next" not in body["links"]
    assert body["totalResults"] == ORG_SIZE


@pytest.mark.parametrize("limit", ["101", "-1", "abc", "1.5", ""])
def test_list_limit_invalid_400(api: Api, limit: str) -> None:
    response = api.get("/api/core/tenants", limit=limit)
    error = error_of(response)
    assert response.status_code == 400
    assert error["source"] == {"parameter": "limit"}


@pytest.mark.parametrize("limit", [1, 7, 20, 44, 45, 100])
def test_paging_collects_each_once(api: Api, limit: int) -> None:
    tenants = api.list_all(limit=limit)
    ids = [t["id"] for t in tenants]
    assert len(ids) == ORG_SIZE
    assert set(ids) == {f"tenant{i:03d}" for i in range(ORG_SIZE)}


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_paging_filter_endpoint(api: Api, limit: int) -> None:
    first = api.request(
        "POST",
        "/api/core/tenants/actions/filter",
        params={"limit": limit},
        json={"filter": f'subscriptionId eq "{SUB_B}"'},
    )
    ids = []
    for _ in range(100):
        body = first.json()
        ids.extend(t["id"] for t in body["data"])
        if "next" not in body["links"]:
            break
        href = body["links"]["next"]["href"]
        assert urlsplit(href).path == "/api/core/tenants/actions/filter"
        first = api.request(
            "POST", href, json={"filter": f'subscriptionId eq "{SUB_B}"'}
        )
    assert sorted(ids) == [f"tenant{i:03d}" for i in range(1, ORG_SIZE, 2)]


def test_links_keep_filter_sort_limit(api: Api) -> None:
    text = 'regionCode eq "eu-west-1"'
    body = api.get("/api/core/tenants", filter=text, sort="-name", limit=3).json()
    query = query_of(body["links"]["next"]["href"])
    assert query["filter"] == [text]
    assert query["sort"] == ["-name"]
    assert query["limit"] == ["3"]
    assert len(query["next"][0]) == 24


def test_next_link_on_own_host(api: Api) -> None:
    href = api.get("/api/core/tenants").json()["links"]["next"]["href"]
    split = urlsplit(href)
    assert f"{split.scheme}://{split.netloc}" == api.sim.url
    assert split.path == "/api/core/tenants"


def test_prev_link_walks_back(api: Api) -> None:
    first = api.get("/api/core/tenants", limit=10).json()
    second = api.request("GET", first["links"]["next"]["href"]).json()
    assert "prev" not in first["links"]
    back = api.request("GET", second["links"]["prev"]["href"]).json()
    assert [t["id"] for t in back["data"]] == [t["id"] for t in first["data"]]
    assert "prev" not in back["links"]
    assert back["links"]["next"]["href"] == first["links"]["next"]["href"]


def test_last_page_has_no_next(api: Api) -> None:
    body = api.get("/api/core/tenants", limit=100).json()
    assert len(body["data"]) == ORG_SIZE
    assert "next" not in body["links"]


@pytest.mark.parametrize("cursor", ["0" * 24, "zzzz", "abc"])
def test_unknown_cursor_400(api: Api, cursor: str) -> None:
    response = api.get("/api/core/tenants", next=cursor)
    assert response.status_code == 400
    assert error_of(response)["source"] == {"parameter": "next"}


def test_next_and_prev_together_400(api: Api) -> None:
    href = api.get("/api/core/tenants", limit=5).json()["links"]["next"]["href"]
    cursor = query_of(href)["next"][0]
    response = api.get("/api/core/tenants", next=cursor, prev=cursor)
    assert response.status_code == 400


def test_foreign_tenant_cursor_400(api: Api, org_state: SimulatorState) -> None:
    position = len(org_state.tenants) - 1
    foreign = org_state.tenants[position]
    assert foreign["subscriptionId"] == FOREIGN
    response = api.get("/api/core/tenants", next=object_id(position, foreign))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "createdAt",
        "updatedAt",
        "hostnames",
        "regionCode",
        "status",
        "subscriptionId",
        "countryCode",
    ],
)
def test_sort_ascending(api: Api, field: str) -> None:
    tenants = api.list_all(sort=field, limit=13)
    values = [t[field] for t in tenants]
    assert values == sorted(values)
    assert len(tenants) == ORG_SIZE


@pytest.mark.parametrize("field", ["name", "createdAt", "status"])
def test_sort_descending(api: Api, field: str) -> None:
    tenants = api.list_all(sort=f"-{field}", limit=13)
    values = [t[field] for t in tenants]
    assert values == sorted(values, reverse=True)
    assert len(tenants) == ORG_SIZE


def test_sort_two_fields(api: Api) -> None:
    tenants = api.list_all(sort="status,-name", limit=100)
    keys = [(t["status"], t["name"]) for t in tenants]
    expected = sorted(keys, key=lambda k: k[1], reverse=True)
    expected.sort(key=lambda k: k[0])
    assert keys == expected


def test_sort_plus_prefix(api: Api) -> None:
    tenants = api.get("/api/core/tenants", sort="+name", limit=100).json()["data"]
    names = [t["name"] for t in tenants]
    assert names == sorted(names)


@pytest.mark.parametrize("sort", ["size", "-id", "name,bogus"])
def test_sort_unknown_field_400(api: Api, sort: str) -> None:
    response = api.get("/api/core/tenants", sort=sort)
    assert response.status_code == 400
    assert error_of(response)["source"] == {"parameter": "sort"}


def test_total_results_true(api: Api) -> None:
    body = api.get("/api/core/tenants", totalResults="true", limit=5).json()
    assert body["totalResults"] == ORG_SIZE
    assert isinstance(body["totalResults"], int)


def test_total_results_filtered(api: Api) -> None:
    body = api.get(
        "/api/core/tenants", totalResults="true", filter=f'subscriptionId eq "{SUB_A}"'
    ).json()
    assert body["totalResults"] == 23


@pytest.mark.parametrize("params", [{}, {"totalResults": "false"}])
def test_total_results_absent(api: Api, params: dict[str, str]) -> None:
    body = api.get("/api/core/tenants", **params).json()
    assert "totalResults" not in body


def test_total_results_invalid_400(api: Api) -> None:
    response = api.get("/api/core/tenants", totalResults="yes")
    assert response.status_code == 400
    assert error_of(response)["source"] == {"parameter": "totalResults"}


def test_get_tenant_list_envelope(api: Api) -> None:
    response = api.get("/api/core/tenants/tenant007")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"data", "links"}
    assert [t["id"] for t in body["data"]] == ["tenant007"]
    assert body["links"]["self"]["href"] == f"{api.sim.url}/api/core/tenants/tenant007"


@pytest.mark.parametrize("tenant_id", ["nosuchtenant", "foreigntenant"])
def test_get_tenant_404(api: Api, tenant_id: str) -> None:
    response = api.get(f"/api/core/tenants/{tenant_id}")
    error = error_of(response)
    assert response.status_code == 404
    assert error["code"] == "HTTP-404"
    assert error["status"] == "404"


def test_get_tenant_invalid_id_400(api: Api) -> None:
    response = api.get("/api/core/tenants/bad%20id")
    assert response.status_code == 400


def test_no_filter_lists_whole_org(api: Api) -> None:
    ids = {t["id"] for t in api.list_all(limit=100)}
    assert "foreigntenant" not in ids
    assert len(ids) == ORG_SIZE


def test_count(api: Api) -> None:
    response = api.get(
        "/api/core/tenants/actions/count", filter=f'subscriptionId eq "{SUB_B}"'
    )
    assert response.status_code == 200
    assert response.json() == {"total": 22}


def test_count_with_status(api: Api) -> None:
    text = f'subscriptionId eq "{SUB_A}" and status eq "disabled"'
    assert api.get("/api/core/tenants/actions/count", filter=text).json() == {
        "total": 12
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"filter": 'status eq "active"'}],
    ids=["no-filter", "no-subscription"],
)
def test_count_without_subscription_400(api: Api, params: dict[str, str]) -> None:
    response = api.get("/api/core/tenants/actions/count", **params)
    error = error_of(response)
    assert response.status_code == 400
    assert error["source"] == {"parameter": "filter"}
    assert "subscriptionId" in error["detail"]


def test_count_foreign_subscription_403(api: Api) -> None:
    response = api.get(
        "/api/core/tenants/actions/count", filter=f'subscriptionId eq "{FOREIGN}"'
    )
    assert response.status_code == 403
    assert error_of(response)["status"] == "403"


def test_filter_endpoint(api: Api) -> None:
    response = api.request(
        "POST",
        "/api/core/tenants/actions/filter",
        json={"filter": 'regionCode eq "us-east-1"'},
        params={"totalResults": "true"},
    )
    body = response.json()
    assert response.status_code == 200
    assert body["totalResults"] == 15
    assert {t["regionCode"] for t in body["data"]} == {"us-east-1"}


@pytest.mark.parametrize("body", [{}, {"filter": 5}, [], None], ids=str)
def test_filter_endpoint_bad_body_400(api: Api, body: object) -> None:
    response = api.request("POST", "/api/core/tenants/actions/filter", json=body)
    assert response.status_code == 400


def test_filter_endpoint_not_json_400(api: Api) -> None:
    response = api.request(
        "POST",
        "/api/core/tenants/actions/filter",
        data=b"filter=x",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_filter_foreign_subscription_403(api: Api) -> None:
    response = api.get("/api/core/tenants", filter=f'subscriptionId eq "{FOREIGN}"')
    assert response.status_code == 403
    assert FOREIGN in error_of(response)["detail"]


def test_filter_foreign_inside_or_403(api: Api) -> None:
    text = f'subscriptionId eq "{SUB_A}" or subscriptionId eq "{FOREIGN}"'
    assert api.get("/api/core/tenants", filter=text).status_code == 403


def test_filter_unknown_subscription_empty(api: Api) -> None:
    response = api.get(
        "/api/core/tenants", filter='subscriptionId eq "1212121212121212"'
    )
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_unknown_subscription_forbidden_setting(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    sim = start_sim(org_state, FaultPlan(unknown_subscription="forbidden"))
    response = Api(sim).get(
        "/api/core/tenants", filter='subscriptionId eq "1212121212121212"'
    )
    assert response.status_code == 403


def test_strict_filter_setting(start_sim: StartSim, org_state: SimulatorState) -> None:
    api = Api(start_sim(org_state, FaultPlan(strict_filter=True)))
    loose = api.get("/api/core/tenants", filter='status eq "active"')
    scoped = api.get("/api/core/tenants", filter=f'subscriptionId eq "{SUB_A}"')
    unfiltered = api.get("/api/core/tenants")
    assert loose.status_code == 400
    assert error_of(loose)["source"] == {"parameter": "filter"}
    assert scoped.status_code == 200
    assert unfiltered.status_code == 200


def test_acme_example_serves(start_sim: StartSim, acme_state: SimulatorState) -> None:
    sim: Simulator = start_sim(acme_state)
    api = Api(sim)
    hostnames = {t["hostnames"][0] for t in api.list_all(limit=3)}
    assert len(hostnames) == 8
    assert "acme-sandbox.us.qlikcloud.com" in hostnames


def test_list_body_equals_json_dumps(api: Api) -> None:
    # Pages are assembled from the saved JSON text of each tenant, so check
    # that the bytes equal one json.dumps of the whole page.
    response = api.get("/api/core/tenants", limit=5, totalResults="true")
    assert response.content == json.dumps(response.json()).encode()
    assert list(response.json()) == ["data", "links", "totalResults"]


def test_self_links_follow_host(api: Api) -> None:
    # The saved text of a tenant contains its self link, which names the host
    # the client used. A second host must not get the first host's links.
    first = api.get("/api/core/tenants", limit=2).json()["data"]
    other = api.sim.url.replace("127.0.0.1", "localhost")
    second = api.request(
        "GET", f"{other}/api/core/tenants", params={"limit": 2}
    ).json()["data"]
    assert first[0]["id"] == second[0]["id"]
    assert first[0]["links"]["self"]["href"].startswith(api.sim.url)
    assert second[0]["links"]["self"]["href"].startswith(other)


@pytest.mark.parametrize(
    "payload",
    [
        {"data": JsonText('[{"id": "a"}]'), "links": {"self": {"href": "x"}}},
        {"links": {}, "data": JsonText("[]"), "totalResults": 0},
        {"total": 4},
        [1, "two"],
    ],
)
def test_encode_payload_matches_json_dumps(payload: object) -> None:
    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {
                key: json.loads(item) if isinstance(item, JsonText) else item
                for key, item in value.items()
            }
        return value

    assert encode_payload(payload) == json.dumps(plain(payload)).encode()


def test_self_links_concurrent_hosts(api: Api) -> None:
    # Pages requested under three Host headers at once: the saved tenant text
    # is shared, yet each page names its own Host in every self link.
    token = api.fetch_token()
    port = api.sim.port
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}", f"127.0.0.1:{port + 1}"]
    problems: list[str] = []
    pages: list[int] = []

    def read(host: str) -> None:
        headers = {"Host": host, "Authorization": f"Bearer {token}"}
        with requests.Session() as session:
            for _ in range(15):
                response = session.get(
                    f"{api.sim.url}/api/core/tenants",
                    params={"limit": 10},
                    headers=headers,
                    timeout=10,
                )
                page = response.json()
                pages.append(len(page["data"]))
                if response.content != json.dumps(page).encode():
                    problems.append(f"{host}: body differs from json.dumps")
                for tenant in page["data"]:
                    href = tenant["links"]["self"]["href"]
                    if href != f"http://{host}/api/core/tenants/{tenant['id']}":
                        problems.append(f"{host}: {href}")

    threads = [threading.Thread(target=read, args=(host,)) for host in hosts * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert problems == []
    assert pages == [10] * 90
