"""A wrong org URL fails fast, retries are logged, and a timeout names its cause.

Refused connections need a port where nothing listens. ``token_then_close``
plays a server that stops listening after the first response, which neither
the simulator nor ``http.server`` can do between two requests.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from live_helpers import (
    ACME_SUBSCRIPTIONS,
    PROXY_VARIABLES,
    ROOT,
    StartSim,
    client_config,
    credentials_for_tests,
)

from checker.cli import run
from checker.errors import ApiError
from checker.live import ClientConfig, read_live_state
from checker.live.failures import Failure
from checker.live.transport import Deadline
from checker.simulator import Fault, FaultPlan, SimulatorState

MANIFESTS = ROOT / "examples" / "manifests"
TOKEN_BODY = (
    b'{"access_token": "tok-loopback", "token_type": "Bearer", "expires_in": 3600}'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def retry_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "retrying" in record.getMessage()
    ]


def _serve_one(listener: socket.socket) -> None:
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            chunk = connection.recv(4096)
            if not chunk:
                break
            request += chunk
        # Stop listening before the response leaves: every later connection
        # of the client is refused.
        listener.close()
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: "
            + str(len(TOKEN_BODY)).encode()
            + b"\r\n\r\n"
            + TOKEN_BODY
        )


@contextmanager
def token_then_close() -> Iterator[str]:
    """Yield the URL of a server that grants one token, then refuses connections."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    thread = threading.Thread(target=_serve_one, args=(listener,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        thread.join(5)


def loopback_config(url: str, **changes: object) -> ClientConfig:
    values: dict[str, object] = {
        "org_url": url,
        "credentials": credentials_for_tests(),
        "concurrency": 1,
        "max_retries": 5,
        "backoff_factor": 0.5,
        "backoff_jitter": 0.0,
        "backoff_max": 2.0,
    }
    values.update(changes)
    return ClientConfig(**values)  # type: ignore[arg-type]


def test_refused_first_contact_fails_fast(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="checker")
    url = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(ApiError) as caught:
        read_live_state(loopback_config(url), ["1"])

    message = str(caught.value)
    assert f"the connection to {url} was refused" in message
    assert "nothing is listening at that address" in message
    assert "--org-url" in str(caught.value.hint)
    assert "QLIK_ORG_URL" in str(caught.value.hint)
    assert "retries exhausted" not in message
    assert retry_warnings(caplog) == [
        "retrying POST /oauth/token after connection refused in 0.2 s (retry 1)"
    ]



def test_unresolved_first_contact_fails_fast(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A mock in place of DNS: a real lookup would query a resolver on another
    # host. Every other name still resolves as usual.
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host == "console.example.invalid":
            lookups.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    caplog.set_level(logging.WARNING, logger="checker")
    url = "https://console.example.invalid"

    with pytest.raises(ApiError) as caught:
        read_live_state(loopback_config(url), ["1"])

    message = str(caught.value)
    assert "host name console.example.invalid not found" in message
    assert "retries exhausted" not in message
    assert "--org-url" in str(caught.value.hint)
    assert lookups == ["console.example.invalid"] * 2
    assert retry_warnings(caplog) == [
        "retrying POST /oauth/token after host name not resolved in 0.2 s (retry 1)"
    ]

def test_refused_mid_read_backs_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="checker")

    with token_then_close() as url:
        config = loopback_config(url, max_retries=3, backoff_factor=0.01)
        with pytest.raises(ApiError) as caught:
            read_live_state(config, ["1"])

    warnings = retry_warnings(caplog)
    assert "could not connect to 127.0.0.1" in str(caught.value)
    assert "retries exhausted" in str(caught.value)
    assert len(warnings) == 3
    assert all("after connection refused" in line for line in warnings)
    assert all("GET /api/core/tenants/actions/count" in line for line in warnings)


def test_timeout_hint_refused_mid_read() -> None:
    with token_then_close() as url:
        # The first retry would wait 5 s, past the 1 s deadline.
        config = loopback_config(url, timeout=1.0, backoff_factor=5.0, backoff_max=5.0)
        with pytest.raises(ApiError) as caught:
            read_live_state(config, ["1"])

    message = str(caught.value)
    assert "did not finish within 1 s" in message
    assert "a retry after connection refused required 5.0 s more" in message
    assert "QLIK_ORG_URL" in str(caught.value.hint)
    assert "subscriptions scope" not in str(caught.value.hint)


def test_timeout_hint_server_error(
    start_sim: StartSim, acme_state: SimulatorState
) -> None:
    plan = FaultPlan(faults=(Fault("status", endpoint="count", status=503),))
    sim = start_sim(acme_state, plan)
    config = client_config(sim, timeout=1.0, backoff_factor=5.0, backoff_max=5.0)

    with pytest.raises(ApiError) as caught:
        read_live_state(config, ACME_SUBSCRIPTIONS)

    assert "a retry after HTTP 503 required" in str(caught.value)
    assert "the Organization API failed" in str(caught.value.hint)
    assert "subscriptions scope" not in str(caught.value.hint)


def test_timeout_hint_last_failure() -> None:
    deadline = Deadline(0.0)
    deadline.last_failure = Failure("connect timeout", "check the network")

    with deadline.scope(), pytest.raises(ApiError) as caught:
        deadline.check()

    assert "(the last error was connect timeout)" in str(caught.value)
    assert caught.value.hint == "check the network"


def test_timeout_hint_without_failure() -> None:
    deadline = Deadline(0.0)

    with deadline.scope(), pytest.raises(ApiError) as caught:
        deadline.check()

    assert "subscriptions scope" in str(caught.value.hint)


def test_cli_refused_exit_two(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "loopback-client-id")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "loopback-client-secret")
    url = f"http://127.0.0.1:{free_port()}"

    code = run(["check", str(MANIFESTS), "--org-url", url])
    err = capsys.readouterr().err

    assert code == 2
    assert "[WARNING] checker.live.transport: retrying POST /oauth/token" in err
    assert f"the connection to {url} was refused" in err
    assert "loopback-client-secret" not in err


def test_cli_url_without_scheme(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "loopback-client-id")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "loopback-client-secret")

    code = run(["check", str(MANIFESTS), "--org-url", "127.0.0.1:18080"])
    err = capsys.readouterr().err

    assert code == 2
    assert "invalid organization URL '127.0.0.1:18080': add the scheme" in err
    assert "TLS" not in err
