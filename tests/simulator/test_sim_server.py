"""The server's life cycle and HTTP details: ports, stop, Ctrl-C, bodies."""

from __future__ import annotations

import http.client
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from checker.errors import UsageError
from checker.simulator import Simulator, SimulatorState

from .sim_helpers import ACME, ROOT, Api, StartSim, error_of


def test_url_and_demo_client(acme_state: SimulatorState) -> None:
    with Simulator(acme_state) as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}"
        assert sim.client_id == "demo-client-id"
        assert sim.client_secret == "demo-client-secret"
        assert "demo-client-secret" not in repr(sim)


def test_port_in_use_usage_error(acme_state: SimulatorState) -> None:
    with Simulator(acme_state) as first, pytest.raises(UsageError) as caught:
        Simulator(acme_state, port=first.port)
    assert "address already in use" in caught.value.message
    assert caught.value.hint is not None
    assert "--port" in caught.value.hint


def test_stop_releases_port(acme_state: SimulatorState) -> None:
    sim = Simulator(acme_state).start()
    port = sim.port
    sim.stop()
    sim.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_stop_closes_idle_connections(acme_state: SimulatorState) -> None:
    sim = Simulator(acme_state).start()
    api = Api(sim)
    assert api.get("/api/core/tenants").status_code == 200
    sim.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/api/core/tenants")


def test_start_twice_rejected(acme_state: SimulatorState) -> None:
    with Simulator(acme_state) as sim, pytest.raises(RuntimeError):
        sim.start()


def test_keep_alive_reuses_connection(sim: Simulator) -> None:
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("GET", "/api/core/tenants")
            response = connection.getresponse()
            response.read()
            assert response.status == 401
        assert connection.sock is not None
    finally:
        connection.close()


def raw_request(sim: Simulator, data: bytes) -> bytes:
    with socket.create_connection((sim.host, sim.port), timeout=10) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_chunked_body_411(sim: Simulator) -> None:
    reply = raw_request(
        sim,
        b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 411 ")


def test_oversized_body_413(sim: Simulator) -> None:
    reply = raw_request(
        sim, b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
    )
    assert reply.startswith(b"HTTP/1.1 413 ")


def test_invalid_content_length_400(sim: Simulator) -> None:
    reply = raw_request(
        sim, b"POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"
    )
    assert reply.startswith(b"HTTP/1.1 400 ")


def test_links_follow_host_header(
    start_sim: StartSim, org_state: SimulatorState
) -> None:
    api = Api(start_sim(org_state))
    response = api.get("/api/core/tenants", limit=1)
    localhost = api.request(
        "GET", f"http://localhost:{api.sim.port}/api/core/tenants", params={"limit": 1}
    )
    assert response.json()["links"]["next"]["href"].startswith(api.sim.url)
    assert localhost.json()["links"]["next"]["href"].startswith(
        f"http://localhost:{api.sim.port}/"
    )


def test_head_request(sim: Simulator) -> None:
    response = requests.head(f"{sim.url}/api/core/tenants", timeout=10)
    assert response.status_code == 405
    assert response.content == b""


def test_concurrent_requests(sim: Simulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api = Api(sim)
    api.fetch_token()

    def fetch(limit: int) -> int:
        return len(api.list_all(limit=limit))

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(fetch, [1, 2, 3, 5, 8, 13, 21, 34]))
    assert counts == [45] * 8
    assert error_of(requests.get(f"{sim.url}/x", timeout=10))["status"] == "404"


@contextmanager
def running(command: list[str]) -> Iterator[subprocess.Popen[str]]:
    """Run a command with its stderr piped; kill it if the test leaves it running."""
    with subprocess.Popen(
        command, cwd=ROOT, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def wait_for_line(process: subprocess.Popen[str], needle: str) -> str:
    assert process.stderr is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if needle in line:
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line with {needle!r} from the simulator process")


def test_serve_forever_ctrl_c() -> None:
    script = (
        "import sys\n"
        "from checker.simulator import Simulator, load_state\n"
        "sim = Simulator(load_state(sys.argv[1]))\n"
        "print('url', sim.url, file=sys.stderr, flush=True)\n"
        "try:\n"
        "    sim.serve_forever()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', file=sys.stderr, flush=True)\n"
    )
    with running([sys.executable, "-c", script, str(ACME)]) as process:
        url = wait_for_line(process, "url ").split()[1]
        assert requests.get(f"{url}/api/core/tenants", timeout=10).status_code == 401
        process.send_signal(signal.SIGINT)
        wait_for_line(process, "interrupted")
        assert process.wait(timeout=10) == 0
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{url}/api/core/tenants", timeout=5)


def test_simulate_command() -> None:
    # Runs the documented command line, with one fault from an option.
    command = [
        sys.executable,
        "-m",
        "checker",
        "simulate",
        "--state",
        str(ACME),
        "--port",
        "0",
        "--fault",
        "status:503 endpoint=token requests=1",
    ]
    with running(command) as process:
        line = wait_for_line(process, "http://127.0.0.1:")
        url = "http://" + line.split("http://")[1].split()[0]
        body = {
            "client_id": "demo-client-id",
            "client_secret": "demo-client-secret",
            "grant_type": "client_credentials",
        }
        first = requests.post(f"{url}/oauth/token", json=body, timeout=10)
        second = requests.post(f"{url}/oauth/token", json=body, timeout=10)
        assert first.status_code == 503
        assert second.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130


def test_internal_error_500(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # A handler that raises replaces a simulator bug, which no input triggers.
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    api = Api(sim)
    api.fetch_token()
    monkeypatch.setattr(sim.api, "handle", broken)
    response = api.get("/api/core/tenants")
    assert response.status_code == 500
    assert error_of(response)["status"] == "500"
    monkeypatch.undo()
    assert api.get("/api/core/tenants").status_code == 200


def test_logs_contain_no_secret(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="checker.simulator")
    api = Api(sim)
    api.get("/api/core/tenants", filter='subscriptionId eq "1"')
    api.get("/api/core/tenants", limit=500)
    requests.post(f"{sim.url}/oauth/token", json={"client_id": "x"}, timeout=10)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/api/core/tenants" in text
    assert api.secret not in text
    for token in sim.issued_tokens:
        assert token not in text
