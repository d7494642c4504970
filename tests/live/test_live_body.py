"""Response bodies: the deadline and size limit while a body arrives, and
bodies whose JSON is too deep or whose numbers are out of range.

The simulator sends every body at once and only well-formed numbers, so a
small loopback server sends each of these bodies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from live_helpers import (
    LoopbackServer,
    api_tenant,
    credentials_for_tests,
    exception_texts,
    json_response,
    loopback_server,
    token_payload,
)

from checker.errors import ApiError, AuthError, IncompleteReadError
from checker.live import ClientConfig, OrgApiClient

PAGE = json.dumps({"data": [api_tenant(f"t{i}") for i in range(5)]}).encode()


@dataclass
class Drip:
    """A body sent in ``pieces`` writes, ``interval`` seconds apart."""

    body: bytes
    pieces: int
    interval: float
    chunked: bool = False
    # When set, only the first GET drips, with this status; later GETs get
    # status 200 and the body at once.
    first_status: int | None = None
    # Set when the server wrote the whole dripped body.
    finished: threading.Event = field(default_factory=threading.Event)
    gets: int = 0


def _drip_handler(drip: Drip) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(token_payload()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            drip.gets += 1
            if drip.first_status is not None and drip.gets > 1:
                self.send_response(200)
                self.send_header("Content-Length", str(len(drip.body)))
                self.end_headers()
                self.wfile.write(drip.body)
                return
            self.send_response(drip.first_status or 200)
            self.send_header("Content-Type", "application/json")
            if drip.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(drip.body)))
            self.end_headers()
            step = -(-len(drip.body) // drip.pieces)
            try:
                for start in range(0, len(drip.body), step):
                    piece = drip.body[start : start + step]
                    if drip.chunked:
                        piece = b"%x\r\n%s\r\n" % (len(piece), piece)
                    self.wfile.write(piece)
                    self.wfile.flush()
                    time.sleep(drip.interval)
                if drip.chunked:
                    self.wfile.write(b"0\r\n\r\n")
                drip.finished.set()
            except OSError:
                self.close_connection = True  # the client went away

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def drip_server(drip: Drip) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _drip_handler(drip))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def config_for(url: str, **changes: Any) -> ClientConfig:
    values: dict[str, Any] = {"max_retries": 0, **changes}
    return ClientConfig(org_url=url, credentials=credentials_for_tests(), **values)


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_slow_body_deadline(chunked: bool) -> None:
    # 25 pieces, 0.2 s apart: 5 s in all, each gap far below the read timeout.
    drip = Drip(PAGE, pieces=25, interval=0.2, chunked=chunked)
    with drip_server(drip) as url:
        with OrgApiClient(config_for(url, timeout=1.0)) as client:
            with pytest.raises(ApiError) as caught:
                list(client.iter_tenants())
        finished = drip.finished.is_set()

    assert "timed out: it did not finish within 1 s" in str(caught.value)
    assert not finished


def test_slow_retried_body_dropped() -> None:
    # urllib3 reads a retried response to the end unless the client drops it.
    drip = Drip(PAGE, pieces=25, interval=0.2, first_status=503)
    with drip_server(drip) as url:
        config = config_for(url, timeout=2.0, max_retries=1, backoff_factor=0.01)
        with OrgApiClient(config) as client:
            tenants = list(client.iter_tenants())
        finished = drip.finished.is_set()

    assert [tenant["id"] for tenant in tenants] == [f"t{i}" for i in range(5)]
    assert drip.gets == 2
    assert not finished


def test_slow_body_within_deadline() -> None:
    drip = Drip(PAGE, pieces=5, interval=0.05)
    with drip_server(drip) as url:
        with OrgApiClient(config_for(url, timeout=10.0)) as client:
            tenants = list(client.iter_tenants())

    assert [tenant["id"] for tenant in tenants] == [f"t{i}" for i in range(5)]


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_body_size_limit(chunked: bool) -> None:
    drip = Drip(PAGE, pieces=4, interval=0.0, chunked=chunked)
    with drip_server(drip) as url:
        with OrgApiClient(config_for(url, max_body_bytes=200)) as client:
            with pytest.raises(ApiError) as caught:
                list(client.iter_tenants())

    assert "listing all tenants (page 1) failed" in str(caught.value)
    assert "larger than 200 bytes" in str(caught.value)


def serve_raw(body: bytes, token: bytes | None = None, status: int = 200) -> Any:
    def respond(
        method: str, path: str, server: LoopbackServer
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json"}
        if path == "/oauth/token":
            if token is not None:
                return 200, headers, token
            return json_response(200, token_payload())
        return status, headers, body

    return respond


DEEP_LIST = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "body",
    [DEEP_LIST, b'{"data": [' + DEEP_LIST + b"]}"],
    ids=["list", "in-envelope"],
)
def test_deep_body_rejected(body: bytes) -> None:
    with loopback_server(serve_raw(body)) as server:
        with OrgApiClient(config_for(server.url)) as client:
            with pytest.raises(IncompleteReadError) as caught:
                list(client.iter_tenants())

    assert "listing all tenants (page 1): HTTP 200 response carried JSON nested" in str(
        caught.value
    )


def test_deep_error_body() -> None:
    with loopback_server(serve_raw(DEEP_LIST, status=500)) as server:
        with OrgApiClient(config_for(server.url)) as client:
            with pytest.raises(ApiError) as caught:
                list(client.iter_tenants())

    assert "listing all tenants (page 1) failed with HTTP 500" in str(caught.value)


@pytest.mark.parametrize(
    "total",
    ['"\\u00b2"', '"' + "9" * 5000 + '"', "1" + "0" * 400, "-3", "1.5", "true"],
    ids=[
        "superscript",
        "5000-digits",
        "huge-number",
        "negative",
        "fraction",
        "boolean",
    ],
)
def test_count_malformed(total: str) -> None:
    body = b'{"total": ' + total.encode() + b"}"
    with loopback_server(serve_raw(body)) as server:
        with OrgApiClient(config_for(server.url)) as client:
            with pytest.raises(IncompleteReadError) as caught:
                client.count('subscriptionId eq "1"')

    assert "counting tenants with filter" in str(caught.value)
    assert "malformed response envelope, total is not a count" in str(caught.value)


@pytest.mark.parametrize(
    ("expires_in", "message"),
    [
        ("1" + "0" * 400, "invalid expires_in"),
        ("1e400", "invalid expires_in"),
        ("NaN", "invalid expires_in"),
        ('"1e400"', "invalid expires_in"),
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ],
    ids=["huge-integer", "infinite", "nan", "infinite-string", "deep"],
)
def test_token_expiry_malformed(expires_in: str, message: str) -> None:
    token = (
        '{"access_token": "tok-body-5be1c7", "token_type": "Bearer", '
        f'"expires_in": {expires_in}}}'
    ).encode()
    with loopback_server(serve_raw(b"{}", token=token)) as server:
        with OrgApiClient(config_for(server.url)) as client:
            with pytest.raises(AuthError) as caught:
                client.count('subscriptionId eq "1"')

    assert message in str(caught.value)
    assert "tok-body-5be1c7" not in "".join(exception_texts(caught.value))
    assert [request.path for request in server.requests] == ["/oauth/token"]
