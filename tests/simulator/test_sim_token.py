"""POST /oauth/token: documented success and error responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests

from checker.simulator import FaultPlan, Quirks, Simulator, SimulatorState

from .sim_helpers import StartSim, error_of

GOOD = {
    "client_id": "client-a",
    "client_secret": "secret-a",
    "grant_type": "client_credentials",
}


def post_token(sim: Simulator, **kwargs: object) -> requests.Response:
    return requests.post(f"{sim.url}/oauth/token", timeout=10, **kwargs)  # type: ignore[arg-type]


def test_token_json_body(sim: Simulator) -> None:
    response = post_token(sim, json=GOOD)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "cloud-console.tenants:read"
    assert body["expires_in"] == 21600
    assert isinstance(body["access_token"], str)
    assert len(body["access_token"]) >= 32
    assert response.headers["Cache-Control"] == "no-store"


def test_token_form_body(sim: Simulator) -> None:
    response = post_token(sim, data=GOOD)
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


def test_token_expires_at_matches_lifetime(sim: Simulator) -> None:
    before = datetime.now(UTC).timestamp()
    body = post_token(sim, json=GOOD).json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["expires_at"])
    expires = datetime.fromisoformat(body["expires_at"]).timestamp()
    assert before + 21600 - 5 <= expires <= before + 21600 + 5


def test_tokens_are_distinct(sim: Simulator) -> None:
    first = post_token(sim, json=GOOD).json()["access_token"]
    second = post_token(sim, json=GOOD).json()["access_token"]
    assert first != second
    assert sim.issued_tokens == (first, second)


@pytest.mark.parametrize("missing", ["grant_type", "client_id", "client_secret"])
@pytest.mark.parametrize("encoding", ["json", "data"])
def test_token_missing_field_400(sim: Simulator, missing: str, encoding: str) -> None:
    body = {k: v for k, v in GOOD.items() if k != missing}
    response = post_token(sim, **{encoding: body})
    error = error_of(response)
    assert response.status_code == 400
    assert error["status"] == "400"
    assert missing in error["detail"]


def test_token_unsupported_grant_400(sim: Simulator) -> None:
    response = post_token(sim, json={**GOOD, "grant_type": "password"})
    assert response.status_code == 400
    assert "grant_type" in error_of(response)["detail"]


def test_token_malformed_json_400(sim: Simulator) -> None:
    response = post_token(
        sim, data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in error_of(response)["detail"]


def test_token_json_array_400(sim: Simulator) -> None:
    response = post_token(sim, json=[GOOD])
    assert response.status_code == 400


@pytest.mark.parametrize(
    "change",
    [{"client_secret": "wrong"}, {"client_id": "nobody"}],
    ids=["wrong-secret", "unknown-client"],
)
def test_token_wrong_credentials_401(sim: Simulator, change: dict[str, str]) -> None:
    response = post_token(sim, json={**GOOD, **change})
    error = error_of(response)
    assert response.status_code == 401
    assert error["code"] == "HTTP-401"
    assert error["status"] == "401"


def test_token_revoked_client_401(sim: Simulator) -> None:
    response = post_token(
        sim, json={**GOOD, "client_id": "client-revoked", "client_secret": "secret-d"}
    )
    assert response.status_code == 401
    assert "revoked" in error_of(response)["detail"]


def test_token_get_method_405(sim: Simulator) -> None:
    response = requests.get(f"{sim.url}/oauth/token", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert error_of(response)["status"] == "405"


def test_token_lifetime_setting(start_sim: StartSim, org_state: SimulatorState) -> None:
    sim = start_sim(org_state, FaultPlan(token_lifetime=90))
    assert post_token(sim, json=GOOD).json()["expires_in"] == 90


def test_token_type_lowercase_quirk(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    sim = start_sim(org_state, FaultPlan(quirks=Quirks(lowercase_token_type=True)))
    assert post_token(sim, json=GOOD).json()["token_type"] == "bearer"
