"""Helpers shared by the simulator tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from checker.simulator import Simulator, SimulatorState

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "live" / "acme.yaml"
SUB_A = "1000000000000001"
SUB_B = "1000000000000002"
FOREIGN = "9999000099990000"
# The type of the start_sim fixture: start(state=None, faults=None) -> Simulator.
StartSim = Callable[..., Simulator]
REGIONS = (
    ("eu-west-1", "IE", "eu"),
    ("us-east-1", "US", "us"),
    ("ap-southeast-1", "SG", "sg"),
)


def build_state(count: int = 45, **extra: Any) -> SimulatorState:
    """Return an organization of ``count`` tenants over two subscriptions.

    Tenant i is named "Tenant NNN" and alternates subscriptions, regions and
    statuses, so filters and sorts have something to tell apart. One tenant
    of a foreign subscription exists too; the API must never show it.
    """
    tenants = []
    for i in range(count):
        region, country, label = REGIONS[i % len(REGIONS)]
        tenants.append(
            {
                "id": f"tenant{i:03d}",
                "name": f"Tenant {i:03d}",
                "status": "active" if i % 4 else "disabled",
                "createdAt": f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00.000Z",
                "updatedAt": f"2025-02-{1 + (i * 7) % 28:02d}T10:00:00.000Z",
                "hostnames": [f"t{i:03d}.{label}.qlikcloud.com"],
                "regionCode": region,
                "countryCode": country,
                "subscriptionId": SUB_A if i % 2 == 0 else SUB_B,
            }
        )
    tenants.append(
        {
            "id": "foreigntenant",
            "name": "Other Org",
            "status": "active",
            "hostnames": ["other.eu.qlikcloud.com"],
            "subscriptionId": FOREIGN,
        }
    )
    data: dict[str, Any] = {
        "organization": "Test Org",
        "clients": [
            {"clientId": "client-a", "clientSecret": "secret-a"},
            {"clientId": "client-b", "clientSecret": "secret-b"},
            {
                "clientId": "client-noperm",
                "clientSecret": "secret-c",
                "orgPermission": False,
            },
            {"clientId": "client-revoked", "clientSecret": "secret-d", "revoked": True},
        ],
        "subscriptions": [{"subscriptionId": SUB_A}, {"subscriptionId": SUB_B}],
        "foreignSubscriptions": [FOREIGN],
        "tenants": tenants,
    }
    data.update(extra)
    return SimulatorState.from_dict(data, source="<test>")


class Api:
    """A requests session against one simulator, authenticated as one client."""

    def __init__(
        self, sim: Simulator, client_id: str | None = None, secret: str | None = None
    ):
        self.sim = sim
        self.session = requests.Session()
        self.client_id = client_id or sim.client_id
        self.secret = secret or sim.client_secret
        self.token: str | None = None

    def fetch_token(self) -> str:
        response = self.session.post(
            f"{self.sim.url}/oauth/token",
            json={
                "client_id": self.client_id,
                "client_secret": self.secret,
                "grant_type": "client_credentials",
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self.token

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self.token is None:
            self.fetch_token()
        url = path if path.startswith("http") else f"{self.sim.url}{path}"
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, url, headers=headers, timeout=10, **kwargs)

    def list_all(
        self, path: str = "/api/core/tenants", **params: Any
    ) -> list[dict[str, Any]]:
        """Follow next links to the end; fail on more pages than tenants."""
        pages = self.get(path, **params)
        tenants: list[dict[str, Any]] = []
        for _ in range(500):
            assert pages.status_code == 200, pages.text
            body = pages.json()
            tenants.extend(body["data"])
            next_link = body["links"].get("next")
            if not next_link:
                return tenants
            pages = self.request("GET", next_link["href"])
        raise AssertionError("more than 500 pages")


def error_of(response: requests.Response) -> dict[str, Any]:
    """Return the only error object of a Qlik error envelope."""
    body = response.json()
    assert set(body) == {"errors", "traceId"}
    assert len(body["errors"]) == 1
    return dict(body["errors"][0])
