"""Proxy settings: a loopback org URL never goes through a proxy, and an https
URL goes through HTTPS_PROXY as a CONNECT tunnel.

A small forwarding proxy on 127.0.0.1 records every request it receives. It
forwards plain-http requests to their target, so a client that used it would
still get correct responses and only the record shows the leak.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from live_helpers import (
    ACME_SUBSCRIPTIONS,
    PROXY_VARIABLES,
    StartSim,
    client_config,
    expected_tenants,
    tenants_by_id,
)

from checker.errors import ApiError, SecretStr
from checker.live import ClientConfig, Credentials, OrgApiClient, read_live_state
from checker.live.client import _environment_proxies
from checker.simulator import SimulatorState


@dataclass
class RecordingProxy:
    """What the proxy received: one entry per request, head and body as text."""

    received: list[str] = field(default_factory=list)
    url: str = ""


def _proxy_handler(owner: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _record(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            head = f"{self.requestline}\n{self.headers}"
            owner.received.append(head + body.decode("utf-8", "replace"))
            return body

        def do_CONNECT(self) -> None:
            # Refuse the tunnel: the test only needs to see how it was asked for.
            self._record()
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.close_connection = True

        def _forward(self) -> None:
            body = self._record()
            target = urlsplit(self.path)
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in ("proxy-connection", "connection")
            }
            upstream = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port or 80, timeout=5
            )
            try:
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in (
                    "content-length",
                    "connection",
                    "transfer-encoding",
                ):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def recording_proxy() -> Iterator[RecordingProxy]:
    owner = RecordingProxy()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(owner))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    owner.url = f"http://{host}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}
    )
    thread.start()
    try:
        yield owner
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_loopback_bypasses_proxy(
    start_sim: StartSim,
    acme_state: SimulatorState,
    clean_proxy_environment: pytest.MonkeyPatch,
    variable: str,
) -> None:
    sim = start_sim(acme_state)
    with recording_proxy() as proxy:
        clean_proxy_environment.setenv(variable, proxy.url)
        live = read_live_state(client_config(sim), ACME_SUBSCRIPTIONS)

    assert proxy.received == []
    assert tenants_by_id(live.tenants) == expected_tenants(
        acme_state, ACME_SUBSCRIPTIONS, "organization"
    )
    assert sim.issued_tokens


def test_loopback_localhost_bypasses_proxy(
    start_sim: StartSim,
    acme_state: SimulatorState,
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    sim = start_sim(acme_state)
    url = sim.url.replace("127.0.0.1", "localhost")
    with recording_proxy() as proxy:
        clean_proxy_environment.setenv("HTTP_PROXY", proxy.url)
        with OrgApiClient(client_config(sim, org_url=url)) as client:
            count = client.count(f'subscriptionId eq "{ACME_SUBSCRIPTIONS[0]}"')

    assert proxy.received == []
    assert count > 0


@pytest.mark.parametrize(
    "variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
)
def test_https_proxy_connect_tunnel(
    clean_proxy_environment: pytest.MonkeyPatch, variable: str
) -> None:
    # .invalid never resolves (RFC 6761); only the loopback proxy receives the name.
    credentials = Credentials(
        SecretStr("cid-tunnel-3f9a"), SecretStr("sec-tunnel-77c1")
    )
    with recording_proxy() as proxy:
        clean_proxy_environment.setenv(variable, proxy.url)
        config = ClientConfig(
            org_url="https://console.example.invalid",
            credentials=credentials,
            max_retries=0,
            timeout=10.0,
        )
        with OrgApiClient(config) as client, pytest.raises(ApiError) as caught:
            client.count('subscriptionId eq "1"')

    received = "".join(proxy.received)
    assert len(proxy.received) == 1
    assert proxy.received[0].startswith("CONNECT console.example.invalid:443 ")
    assert "cid-tunnel-3f9a" not in received
    assert "sec-tunnel-77c1" not in received
    assert "requesting an access token failed" in str(caught.value)


def test_no_proxy_names_org_host(clean_proxy_environment: pytest.MonkeyPatch) -> None:
    # The environment is read once per client; NO_PROXY still exempts the host.
    clean_proxy_environment.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    proxies = _environment_proxies("https://console.example.invalid")
    assert proxies.get("https") == "http://127.0.0.1:9"
    clean_proxy_environment.setenv("NO_PROXY", "example.invalid")
    assert _environment_proxies("https://console.example.invalid") == {}
    proxies = _environment_proxies("https://other.test")
    assert proxies.get("https") == "http://127.0.0.1:9"


def test_loopback_never_gets_environment_proxy(
    clean_proxy_environment: pytest.MonkeyPatch,
) -> None:
    clean_proxy_environment.setenv("ALL_PROXY", "http://127.0.0.1:9")
    assert _environment_proxies("http://127.0.0.1:8080") == {}
    assert _environment_proxies("http://localhost:8080") == {}
