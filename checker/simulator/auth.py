"""The OAuth token endpoint, issued access tokens and bearer checks."""

from __future__ import annotations

import hmac
import json
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from checker.simulator.envelope import ApiResponse, fail
from checker.simulator.faults import FaultPlan
from checker.simulator.state import ClientSpec

SCOPE = "cloud-console.tenants:read"
GRANT_TYPE = "client_credentials"


@dataclass(frozen=True)
class IssuedToken:
    client_id: str
    expires_at: float

    def __repr__(self) -> str:
        return (
            f"IssuedToken(client_id={self.client_id!r}, expires_at={self.expires_at})"
        )


class TokenStore:
    """Access tokens issued by the simulator; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}
        self._issued: list[str] = []

    def issue(self, client_id: str, lifetime: float) -> tuple[str, float]:
        token = secrets.token_urlsafe(32)
        expires_at = self._clock() + lifetime
        with self._lock:
            self._tokens[token] = IssuedToken(client_id, expires_at)
            self._issued.append(token)
        return token, expires_at

    def lookup(self, token: str) -> IssuedToken | None:
        with self._lock:
            return self._tokens.get(token)

    def is_expired(self, issued: IssuedToken) -> bool:
        return self._clock() >= issued.expires_at

    def expire_all(self) -> None:
        """Make every token issued so far expired, as if its lifetime had run out."""
        now = self._clock()
        with self._lock:
            for token, issued in self._tokens.items():
                self._tokens[token] = IssuedToken(
                    issued.client_id, min(issued.expires_at, now)
                )

    @property
    def issued(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._issued)


class ClientRegistry:
    """The OAuth clients of the state, with revocations and permissions applied."""

    def __init__(self, clients: tuple[ClientSpec, ...], plan: FaultPlan) -> None:
        self._clients = {c.client_id: c for c in clients}
        self._lock = threading.Lock()
        self._revoked = {
            c.client_id for c in clients if c.revoked
        } | plan.revoked_clients
        self._denied = {
            c.client_id for c in clients if not c.org_permission
        } | plan.clients_without_permission

    def authenticate(self, client_id: str, client_secret: str) -> bool:
        client = self._clients.get(client_id)
        expected = client.client_secret.reveal() if client else secrets.token_hex(16)
        matched = hmac.compare_digest(expected.encode(), client_secret.encode())
        return client is not None and matched

    def is_revoked(self, client_id: str) -> bool:
        with self._lock:
            return client_id in self._revoked

    def has_permission(self, client_id: str) -> bool:
        with self._lock:
            return client_id not in self._denied

    def revoke(self, client_id: str) -> None:
        with self._lock:
            self._revoked.add(client_id)


def read_token_request(content_type: str, body: bytes) -> Mapping[str, Any]:
    """Read a token request body sent as JSON or as an HTML form; raise ApiFailure."""
    media_type = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    as_json = media_type == "application/json" or (
        media_type != "application/x-www-form-urlencoded"
        and text.lstrip().startswith("{")
    )
    if as_json:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise fail(400, f"request body is not valid JSON: {error.msg}") from error
        if not isinstance(values, dict):
            raise fail(400, "request body must be a JSON object")
        return values
    return {
        key: items[0] for key, items in parse_qs(text, keep_blank_values=True).items()
    }


def token_response(
    values: Mapping[str, Any],
    clients: ClientRegistry,
    store: TokenStore,
    plan: FaultPlan,
) -> ApiResponse:
    """Check a client_credentials request and issue a token."""
    for name in ("grant_type", "client_id", "client_secret"):
        if not isinstance(values.get(name), str) or not values[name]:
            raise fail(400, f"{name} is missing", pointer=f"/{name}")
    if values["grant_type"] != GRANT_TYPE:
        raise fail(
            400, f"unsupported grant_type; use {GRANT_TYPE}", pointer="/grant_type"
        )
    client_id = values["client_id"]
    if not clients.authenticate(client_id, values["client_secret"]):
        raise fail(401, "invalid client_id or client_secret")
    if clients.is_revoked(client_id):
        raise fail(401, "the OAuth client has been revoked")

    token, expires_at = store.issue(client_id, plan.token_lifetime)
    payload = {
        "access_token": token,
        "token_type": "bearer" if plan.quirks.lowercase_token_type else "Bearer",
        "scope": SCOPE,
        "expires_in": math.ceil(plan.token_lifetime),
        "expires_at": _iso(expires_at),
    }
    return ApiResponse(
        200, payload, {"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


def _iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def bearer_client(
    authorization: str | None, clients: ClientRegistry, store: TokenStore
) -> tuple[str, str]:
    """Return (token, client id) of a valid bearer token; raise ApiFailure (401)."""
    challenge = {"WWW-Authenticate": 'Bearer realm="qlik"'}
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise fail(
            401, "missing bearer token in the Authorization header", headers=challenge
        )
    issued = store.lookup(token)
    if issued is None:
        raise fail(401, "invalid access token", headers=challenge)
    if store.is_expired(issued):
        raise fail(401, "access token has expired", headers=challenge)
    if clients.is_revoked(issued.client_id):
        raise fail(401, "the OAuth client has been revoked", headers=challenge)
    return token, issued.client_id
