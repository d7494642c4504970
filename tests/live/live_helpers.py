"""Organizations, client settings and checks shared by the client tests."""

from __future__ import annotations

import json
import secrets
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from checker.errors import SecretStr
from checker.live import ClientConfig, Credentials
from checker.simulator import Simulator, SimulatorState

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "live" / "acme.yaml"

# The fixture `start_sim` returns this: it starts a simulator and stops it after the test.
StartSim = Callable[..., Simulator]
ACME_SUBSCRIPTIONS = ("9876543210987654", "1234567890123456", "5555666677778888")
ACME_UNDECLARED = "4444555566667777"
FOREIGN = "1111222233334444"
# Every variable through which requests can pick a proxy.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)
REGIONS = (
    ("eu-west-1", "IE", "eu"),
    ("us-east-1", "US", "us"),
    ("ap-southeast-1", "SG", "sg"),
)


def subscription_id(index: int) -> str:
    return f"{7000000000000000 + index * 1111:016d}"


def org_state(
    sizes: Sequence[int],
    *,
    foreign: Sequence[str] = (FOREIGN,),
    client_id: str | None = None,
) -> SimulatorState:
    """Build an organization with ``sizes[i]`` tenants in subscription ``i``.

    Client id and secret are random, so a leak cannot match by chance.
    """
    subscriptions = [subscription_id(i) for i in range(len(sizes))]
    tenants = []
    for sub_index, (sid, size) in enumerate(zip(subscriptions, sizes, strict=True)):
        for number in range(size):
            region, country, label = REGIONS[(sub_index + number) % len(REGIONS)]
            tenants.append(
                {
                    "id": f"T{sub_index:03d}n{number:05d}{secrets.token_hex(11)}",
                    "name": f"Tenant {sub_index}-{number}",
                    "status": "active",
                    "createdAt": "2024-01-15T10:30:00.000Z",
                    "updatedAt": "2026-06-20T14:45:00.000Z",
                    "hostnames": [f"t{sub_index}-{number}.{label}.qlikcloud.com"],
                    "regionCode": region,
                    "countryCode": country,
                    "licenseNumber": sid,
                    "subscriptionId": sid,
                }
            )
    data = {
        "organization": "Property Org",
        "clients": [
            {
                "clientId": client_id or f"cid-{secrets.token_hex(8)}",
                "clientSecret": f"sec-{secrets.token_hex(16)}",
            }
        ],
        "subscriptions": [{"subscriptionId": sid} for sid in subscriptions],
        "foreignSubscriptions": list(foreign),
        "tenants": tenants,
    }
    return SimulatorState.from_dict(data)


def declared_ids(state: SimulatorState) -> list[str]:
    return sorted(state.subscription_ids)


def credentials_of(sim: Simulator) -> Credentials:
    return Credentials(SecretStr(sim.client_id), SecretStr(sim.client_secret))


def credentials_for_tests() -> Credentials:
    """Credentials for the small loopback servers of single-behaviour tests."""
    return Credentials(
        SecretStr("loopback-client-id"), SecretStr("loopback-client-secret")
    )


def client_config(sim: Simulator, **changes: Any) -> ClientConfig:
    """Settings for tests: short waits, so retries cost milliseconds."""
    values: dict[str, Any] = {
        "org_url": sim.url,
        "credentials": credentials_of(sim),
        "timeout": 30.0,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "concurrency": 3,
        "page_limit": 2,
        "max_retries": 3,
        "backoff_factor": 0.01,
        "backoff_jitter": 0.01,
        "backoff_max": 0.05,
        "retry_after_max": 0.05,
    }
    values.update(changes)
    return ClientConfig(**values)


def expected_tenants(
    state: SimulatorState, subscription_ids: Iterable[str], scope: str
) -> dict[str, str]:
    """Return tenant id -> subscription id of what a complete read must return."""
    included = (
        set(subscription_ids) if scope == "subscriptions" else state.subscription_ids
    )
    return {
        tenant["id"]: tenant["subscriptionId"]
        for tenant in state.tenants
        if tenant["subscriptionId"] in included
    }


def tenants_by_id(tenants: Iterable[dict[str, Any]]) -> dict[str, str]:
    return {tenant["id"]: tenant["subscriptionId"] for tenant in tenants}


def secret_values(sim: Simulator) -> list[str]:
    """Every client id, client secret and access token of a simulator run."""
    values = []
    for client in sim.state.clients:
        values.append(client.client_id)
        values.append(client.client_secret.reveal())
    values.extend(sim.issued_tokens)
    return values


def exception_texts(error: BaseException) -> list[str]:
    """str, repr, hint and formatted traceback of an error and its causes."""
    texts = ["".join(traceback.format_exception(error))]
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 20:
        texts.append(str(current))
        texts.append(repr(current))
        texts.append(repr(current.args))
        texts.append(str(getattr(current, "hint", "")))
        current = current.__cause__ or current.__context__
        seen += 1
    return texts


def leaked_secrets(texts: Iterable[str], secrets_: Iterable[str]) -> list[str]:
    """Return the secrets found in any of ``texts``, shortened for the report."""
    values = [value for value in secrets_ if value]
    found = set()
    for text in texts:
        for value in values:
            if value in text:
                found.add(value[:6] + "...")
    return sorted(found)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def authorization(self) -> bool:
        return any(name.lower() == "authorization" for name in self.headers)


@dataclass
class LoopbackServer:
    """A small HTTP server on 127.0.0.1 that records every request.

    ``respond(method, path, server)`` returns (status, headers, body).
    """

    respond: Callable[[str, str, LoopbackServer], tuple[int, dict[str, str], bytes]]
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def _handler(owner: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            owner.requests.append(
                Recorded(self.command, self.path, dict(self.headers.items()), body)
            )
            status, headers, body = owner.respond(self.command, self.path, owner)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def loopback_server(
    respond: Callable[[str, str, LoopbackServer], tuple[int, dict[str, str], bytes]],
    wrap_socket: Callable[[Any], Any] | None = None,
) -> Iterator[LoopbackServer]:
    owner = LoopbackServer(respond)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(owner))
    server.daemon_threads = True
    if wrap_socket is not None:
        server.socket = wrap_socket(server.socket)
    owner.server = server
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


def api_tenant(tenant_id: str, subscription: str = "1") -> dict[str, Any]:
    """Return a complete tenant object as the Organization API lists it."""
    return {
        "id": tenant_id,
        "name": f"Tenant {tenant_id}",
        "status": "active",
        "hostnames": [f"{tenant_id}.eu.qlikcloud.com"],
        "regionCode": "eu-west-1",
        "subscriptionId": subscription,
    }


def json_response(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def token_payload() -> dict[str, Any]:
    return {
        "access_token": f"tok-{secrets.token_hex(12)}",
        "token_type": "Bearer",
        "expires_in": 3600,
    }
