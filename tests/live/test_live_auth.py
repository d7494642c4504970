"""Token handling, permissions, foreign subscriptions, and where the token may go."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import requests.certs
from live_helpers import (
    StartSim,
    ACME_SUBSCRIPTIONS,
    FOREIGN,
    LoopbackServer,
    client_config,
    credentials_for_tests,
    declared_ids,
    exception_texts,
    expected_tenants,
    json_response,
    leaked_secrets,
    loopback_server,
    org_state,
    secret_values,
    tenants_by_id,
    token_payload,
)

from checker.errors import (
    ApiError,
    AuthError,
    ForeignSubscriptionError,
    PermissionDeniedError,
    SecretStr,
)
from checker.live import ClientConfig, Credentials, OrgApiClient, read_live_state
from checker.model import Location
from checker.simulator import Fault, FaultPlan, Quirks, SimulatorState

REJECTED = "the OAuth client was rejected: check QLIK_CLIENT_ID / QLIK_CLIENT_SECRET"


def test_token_renewed_before_expiry(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(
        token_lifetime=1, faults=(Fault("latency", endpoint="api", latency_ms=120),)
    )
    sim = start_sim(acme_state, plan)

    live = read_live_state(client_config(sim, page_limit=1), ACME_SUBSCRIPTIONS)

    assert len(live.tenants) == 8
    assert len(sim.issued_tokens) >= 2
    assert sim.stats.count(status=401) == 0


def test_expired_token_renewed_once(
    start_sim: StartSim,
    acme_state: SimulatorState,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    sim = start_sim(acme_state)
    expired = False

    def expire_after_first_page(read: int, total: int | None) -> None:
        nonlocal expired
        if not expired:
            sim.expire_tokens()
            expired = True

    live = read_live_state(
        client_config(sim, page_limit=3),
        ACME_SUBSCRIPTIONS,
        progress=expire_after_first_page,
    )

    assert len(live.tenants) == 8
    assert sim.stats.count(status=401) == 1
    assert len(sim.issued_tokens) == 2
    assert "resending GET /api/core/tenants with a new token" in debug_logs.text
    assert leaked_secrets([debug_logs.text], secret_values(sim)) == []


def test_revoked_mid_scan(
    start_sim: StartSim,
    acme_state: SimulatorState,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    sim = start_sim(acme_state)

    def revoke(read: int, total: int | None) -> None:
        sim.revoke_client(sim.client_id)

    with pytest.raises(AuthError) as caught:
        read_live_state(
            client_config(sim, page_limit=3), ACME_SUBSCRIPTIONS, progress=revoke
        )

    message = str(caught.value)
    assert message.startswith(REJECTED)
    assert "\n" not in message
    assert caught.value.status == 401
    texts = [debug_logs.text, *exception_texts(caught.value)]
    assert leaked_secrets(texts, secret_values(sim)) == []


def test_wrong_secret_rejected(start_sim: StartSim, acme_state: SimulatorState) -> None:
    sim = start_sim(acme_state)
    wrong = Credentials(SecretStr(sim.client_id), SecretStr("not-the-secret-value"))

    with pytest.raises(AuthError) as caught:
        read_live_state(client_config(sim, credentials=wrong), ACME_SUBSCRIPTIONS)

    assert str(caught.value).startswith(REJECTED)
    assert "not-the-secret-value" not in "".join(exception_texts(caught.value))
    assert sim.stats.count("list") == 0


def test_no_permission_not_foreign(start_sim: StartSim) -> None:
    state = org_state([2, 2])
    sim = start_sim(
        state, FaultPlan(clients_without_permission={state.clients[0].client_id})
    )

    with pytest.raises(PermissionDeniedError) as caught:
        read_live_state(client_config(sim), [*declared_ids(state), FOREIGN])

    assert type(caught.value) is PermissionDeniedError
    assert "lacks organization permission" in str(caught.value)
    assert "console.qlikcloud.com/admin/oauth" in str(caught.value)


@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
def test_foreign_subscription(start_sim: StartSim, scope: str) -> None:
    state = org_state([3, 4])
    sim = start_sim(state)
    ids = [*declared_ids(state), FOREIGN]
    sources = {FOREIGN: Location("manifests/emea.yaml", 12, 5)}

    with pytest.raises(ForeignSubscriptionError) as caught:
        read_live_state(
            client_config(sim),
            ids,
            scope=scope,
            subscription_sources=sources,  # type: ignore[arg-type]
        )

    error = caught.value
    assert error.message.startswith(
        f"subscription {FOREIGN} does not belong to this organization (traceId "
    )
    assert error.hint is not None
    assert "manifests/emea.yaml:12:5" in error.hint
    assert error.status == 403
    assert error.trace_id is not None


def test_foreign_subscription_sources_list(start_sim: StartSim) -> None:
    sim = start_sim(org_state([1]))
    sources = {FOREIGN: [Location("a.yaml", 3, 1), Location("b.yaml", 9, 3)]}

    with pytest.raises(ForeignSubscriptionError) as caught:
        read_live_state(client_config(sim), [FOREIGN], subscription_sources=sources)

    assert caught.value.hint is not None
    assert "a.yaml:3:1, b.yaml:9:3" in caught.value.hint


def test_token_request_is_json() -> None:
    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/oauth/token":
            return json_response(200, token_payload())
        return json_response(200, {"data": [], "links": {"self": {"href": path}}})

    credentials = Credentials(
        SecretStr("id-json-check"), SecretStr("secret-json-check")
    )
    with loopback_server(respond) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials)
        with OrgApiClient(config) as client:
            assert list(client.iter_tenants()) == []

    token_request = server.requests[0]
    assert token_request.method == "POST"
    assert token_request.path == "/oauth/token"
    assert token_request.headers["Content-Type"] == "application/json"
    assert json.loads(token_request.body) == {
        "client_id": "id-json-check",
        "client_secret": "secret-json-check",
        "grant_type": "client_credentials",
    }
    assert not token_request.authorization


def test_token_without_expiry_reused() -> None:
    # The simulator always sends expires_in; this server leaves both expiry fields out.
    token = {"access_token": "tok-no-expiry-1234", "token_type": "bearer"}

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/oauth/token":
            return json_response(200, token)
        return json_response(200, {"total": 4})

    with loopback_server(respond) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
        with OrgApiClient(config) as client:
            counts = [client.count('subscriptionId eq "1"') for _ in range(3)]

    assert counts == [4, 4, 4]
    assert [r.path for r in server.requests].count("/oauth/token") == 1
    assert server.requests[-1].headers["Authorization"] == "Bearer tok-no-expiry-1234"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"access_token": "tok-mac-1234", "token_type": "mac"}, "token type 'mac'"),
        ({"token_type": "Bearer"}, "no access_token"),
        (["not", "an", "object"], "no access_token"),
    ],
    ids=["mac", "no-token", "list"],
)
def test_token_response_malformed(payload: object, message: str) -> None:
    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        return json_response(200, payload)

    with loopback_server(respond) as server:
        config = ClientConfig(org_url=server.url, credentials=credentials_for_tests())
        with OrgApiClient(config) as client, pytest.raises(AuthError) as caught:
            client.count('subscriptionId eq "1"')

    assert message in str(caught.value)
    assert "tok-mac-1234" not in "".join(exception_texts(caught.value))
    assert len(server.requests) == 1


def test_api_redirect_not_followed() -> None:
    with loopback_server(lambda m, p, s: json_response(200, {"data": []})) as other:

        def respond(
            method: str, path: str, server: LoopbackServer
        ) -> tuple[int, dict[str, str], bytes]:
            if path == "/oauth/token":
                return json_response(200, token_payload())
            return 307, {"Location": f"{other.url}{path}"}, b""

        with loopback_server(respond) as server:
            config = ClientConfig(
                org_url=server.url, credentials=credentials_for_tests()
            )
            with OrgApiClient(config) as client, pytest.raises(ApiError) as caught:
                list(client.iter_tenants())

    assert "was redirected to" in str(caught.value)
    assert caught.value.status == 307
    assert other.requests == []


def test_token_redirect_not_followed() -> None:
    with loopback_server(lambda m, p, s: json_response(200, token_payload())) as other:

        def respond(
            method: str, path: str, server: LoopbackServer
        ) -> tuple[int, dict[str, str], bytes]:
            return 308, {"Location": f"{other.url}/oauth/token"}, b""

        with loopback_server(respond) as server:
            config = ClientConfig(
                org_url=server.url, credentials=credentials_for_tests()
            )
            with OrgApiClient(config) as client, pytest.raises(ApiError) as caught:
                client.count('subscriptionId eq "1"')

    assert "requesting an access token was redirected" in str(caught.value)
    assert other.requests == []


def test_next_link_other_host_ignored(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    # A second loopback server stands in for the foreign host named in next links.
    with loopback_server(lambda m, p, s: json_response(200, {"data": []})) as other:
        plan = FaultPlan(quirks=Quirks(link_prefix=f"{other.url}/api/core"))
        sim = start_sim(acme_state, plan)

        live = read_live_state(client_config(sim, page_limit=2), ACME_SUBSCRIPTIONS)

    assert tenants_by_id(live.tenants) == expected_tenants(
        acme_state, ACME_SUBSCRIPTIONS, "organization"
    )
    assert other.requests == []
    assert sim.stats.count("list") == 4


def test_next_link_without_api_prefix(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    quirks = Quirks(link_prefix="https://api.qlikcloud.com/core")
    sim = start_sim(acme_state, FaultPlan(quirks=quirks))

    live = read_live_state(client_config(sim, page_limit=3), [], scope="organization")

    assert len(live.tenants) == 8
    assert sim.stats.count("other") == 0


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by nobody the system trusts."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_counting_server(
    cert: Path, key: Path, total: int
) -> AbstractContextManager[LoopbackServer]:
    """Start a loopback HTTPS server that issues tokens and counts ``total``.

    The simulator serves plain HTTP only, so this server replaces it here.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        if path == "/oauth/token":
            return json_response(200, token_payload())
        return json_response(200, {"total": total})

    wrap = lambda sock: context.wrap_socket(sock, server_side=True)  # noqa: E731
    return loopback_server(respond, wrap_socket=wrap)


def test_tls_verification(self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    with tls_counting_server(cert, key, total=2) as server:
        url = server.url.replace("http://", "https://")
        untrusted = ClientConfig(
            org_url=url, credentials=credentials_for_tests(), max_retries=0
        )
        with OrgApiClient(untrusted) as client, pytest.raises(ApiError) as caught:
            client.count('subscriptionId eq "1"')
        trusted = ClientConfig(
            org_url=url, credentials=credentials_for_tests(), ca_bundle=str(cert)
        )
        with OrgApiClient(trusted) as client:
            total = client.count('subscriptionId eq "1"')

    assert "TLS certificate verification failed for 127.0.0.1" in str(caught.value)
    assert total == 2
    assert [r.path for r in server.requests] == [
        "/oauth/token",
        "/api/core/tenants/actions/count?filter=subscriptionId+eq+%221%22",
    ]


def test_tls_ca_bundle_from_environment(
    self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --ca-bundle, the bundle named by REQUESTS_CA_BUNDLE is trusted.
    cert, key = self_signed
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    with tls_counting_server(cert, key, total=3) as server:
        url = server.url.replace("http://", "https://")
        config = ClientConfig(org_url=url, credentials=credentials_for_tests())
        with OrgApiClient(config) as client:
            total = client.count('subscriptionId eq "1"')

    assert total == 3


def test_tls_ca_bundle_option_over_environment(
    self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment names the bundle that requests ships, which lacks the
    # test certificate. --ca-bundle names the right one and takes precedence.
    cert, key = self_signed
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", requests.certs.where())
    with tls_counting_server(cert, key, total=5) as server:
        url = server.url.replace("http://", "https://")
        config = ClientConfig(
            org_url=url,
            credentials=credentials_for_tests(),
            ca_bundle=str(cert),
            max_retries=0,
        )
        with OrgApiClient(config) as client:
            total = client.count('subscriptionId eq "1"')

    assert total == 5
