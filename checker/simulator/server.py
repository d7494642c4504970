"""The simulator's HTTP server on a loopback socket, with transport faults."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import socketserver
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from checker.errors import UsageError
from checker.simulator.api import ApiRequest, OrgApi, route
from checker.simulator.envelope import (
    ApiResponse,
    encode_payload,
    error_response,
    rate_limited,
)
from checker.simulator.faults import API_ENDPOINTS, Fault, FaultPlan
from checker.simulator.options import resolve_plan
from checker.simulator.state import SimulatorState
from checker.simulator.stats import SimulatorStats

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
# Idle keep-alive connections are closed after this many seconds, so handler
# threads do not pile up behind clients that never close their sessions.
IDLE_TIMEOUT_SECONDS = 30
_OUTPUT_FAULTS = ("drop", "truncate", "html")
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server is unavailable.</p>"
    b"</body></html>\n"
)


class Simulator:
    """A simulated Organization API serving one state on a local socket.

    The socket is bound when the object is created, so ``url`` is known at
    once. ``start`` serves in a daemon thread, ``serve_forever`` in the
    calling thread. When given, ``faults`` replaces the plan of the state
    file's ``settings`` block. A plan from ``fault_plan_from_options``
    without a base is the exception: it is applied over that block.
    """

    def __init__(
        self,
        state: SimulatorState,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.state = state
        self.faults = resolve_plan(faults, state.settings)
        self.api = OrgApi(state, self.faults)
        self.stats = SimulatorStats()
        self._numbers: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._server = _bind(host, port, self)
        if not _is_loopback(host):
            logger.warning(
                "simulator listens on %s, which is reachable from other hosts", host
            )

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def client_id(self) -> str:
        """The first client of the state: a demo value, not a real credential."""
        return self.state.clients[0].client_id

    @property
    def client_secret(self) -> str:
        """The first client's secret: a demo value, not a real credential."""
        return self.state.clients[0].client_secret.reveal()

    @property
    def issued_tokens(self) -> tuple[str, ...]:
        """Every access token issued so far, oldest first."""
        return self.api.tokens.issued

    def expire_tokens(self) -> None:
        """Expire every token issued so far; later API calls with them get 401."""
        self.api.tokens.expire_all()

    def revoke_client(self, client_id: str) -> None:
        """Revoke a client now: its tokens and token requests get 401 from here on."""
        self.api.clients.revoke(client_id)

    def start(self) -> Self:
        """Serve in a daemon thread and return at once."""
        if self._thread is not None or self._closed:
            raise RuntimeError("a simulator can be started once")
        # Without this, the first listing of each tenant costs a serialization,
        # so a first read would be slower than the ones after it.
        self.api.catalog.serialize_views(self.api.link_base_for(self.url))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("simulator for %s serving on %s", self.state.organization, self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and release the port; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.close_connections()
        self._server.server_close()
        logger.info("simulator on %s stopped", self.url)

    def serve_forever(self) -> None:
        """Serve until interrupted, then stop; Ctrl-C stops it and re-raises.

        After ``start`` this waits for the serving thread instead of serving
        a second time.
        """
        try:
            if self._thread is None:
                logger.info(
                    "simulator for %s serving on %s", self.state.organization, self.url
                )
                self._server.serve_forever(poll_interval=0.2)
            else:
                while self._thread.is_alive():
                    self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Simulator(url={self.url!r}, state={self.state!r})"

    def select_faults(self, endpoint: str) -> list[Fault]:
        """Count the request on each fault target; return the faults that apply."""
        with self._lock:
            targets = [endpoint, "any"] + (["api"] if endpoint in API_ENDPOINTS else [])
            for target in targets:
                self._numbers[target] += 1
            numbers = dict(self._numbers)
        return self.faults.selected(endpoint, numbers)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: Simulator

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name through DNS; skip that.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (a timeout, a dropped-connection test)
        # is normal here; anything else is a simulator bug worth a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("connection from %s closed early: %s", client_address, error)
        else:
            logger.exception(
                "simulator failed to respond to a request from %s", client_address
            )

    def add_connection(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def remove_connection(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _bind(host: str, port: int, simulator: Simulator) -> _Server:
    try:
        return _Server((host, port), simulator)
    except OSError as error:
        reason = (
            "address already in use"
            if error.errno == errno.EADDRINUSE
            else error.strerror
        )
        raise UsageError(
            f"cannot listen on {host}:{port}: {reason}",
            hint="choose another `--port`, or 0 for any free port",
        ) from error


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "qlik-drift-simulator"
    timeout = IDLE_TIMEOUT_SECONDS
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY the
        # second waits for the client's delayed ACK (about 40 ms on Linux).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.add_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.remove_connection(self.connection)

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        # The request line has the path and query only, never a credential.
        logger.debug("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        simulator = self.server.simulator
        split = urlsplit(self.path)
        endpoint, _ = route(split.path)
        faults = simulator.select_faults(endpoint)
        body, problem = self._read_body()

        delay = sum(f.latency_ms for f in faults if f.kind == "latency")
        if delay:
            time.sleep(delay / 1000)
        status_fault = next((f for f in faults if f.kind == "status"), None)
        if problem is not None:
            response = problem
        elif status_fault is not None:
            response = _status_fault_response(status_fault)
        else:
            cursor_loop = any(f.kind == "cursor-loop" for f in faults)
            response = self._api_response(split.path, split.query, body, cursor_loop)

        output = next((f.kind for f in faults if f.kind in _OUTPUT_FAULTS), None)
        status = 200 if output in ("truncate", "html") else response.status
        simulator.stats.record(endpoint, status)
        self._send(response, output)

    def _api_response(
        self, path: str, query: str, body: bytes, cursor_loop: bool
    ) -> ApiResponse:
        request = ApiRequest(
            method=self.command,
            path=path,
            query=parse_qs(query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            base_url=self._base_url(),
        )
        try:
            return self.server.simulator.api.handle(request, cursor_loop=cursor_loop)
        except Exception:
            # A simulator bug: respond like a failing server and keep serving.
            logger.exception("simulator failed on %s %s", self.command, path)
            return error_response(500, "internal error in the simulator")

    def _read_body(self) -> tuple[bytes, ApiResponse | None]:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return b"", error_response(
                411, "send the body with a Content-Length header"
            )
        text = self.headers.get("Content-Length", "0").strip() or "0"
        if not text.isdigit():
            self.close_connection = True
            return b"", error_response(400, f"invalid Content-Length {text!r}")
        length = int(text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return b"", error_response(
                413, f"request body is larger than {MAX_BODY_BYTES} bytes"
            )
        return self.rfile.read(length), None

    def _base_url(self) -> str:
        host = self.headers.get("Host")
        return f"http://{host}" if host else self.server.simulator.url

    def _send(self, response: ApiResponse, output: str | None) -> None:
        body = encode_payload(response.payload)
        status, content_type = response.status, "application/json; charset=utf-8"
        if output == "truncate":
            status, body = 200, body[: len(body) // 2]
        elif output == "html":
            status, body, content_type = 200, _HTML_PAGE, "text/html; charset=utf-8"

        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if output == "drop":
            self._drop(body)
            return
        self.wfile.write(body)

    def _drop(self, body: bytes) -> None:
        """Send half the body, then close the socket without finishing the response."""
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _status_fault_response(fault: Fault) -> ApiResponse:
    if fault.status == 429:
        return rate_limited(fault.retry_after if fault.retry_after is not None else 1)
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    detail = f"injected fault: HTTP {fault.status}"
    return error_response(fault.status, detail, headers=headers)
