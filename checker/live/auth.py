"""OAuth client-credentials authentication for the Organization API."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase

from checker.errors import ApiError, AuthError, SecretStr
from checker.live.credentials import ENV_CLIENT_ID, ENV_CLIENT_SECRET, Credentials
from checker.live.responses import error_from_response
from checker.live.shapes import JsonNestingError, loads_json

logger = logging.getLogger(__name__)

# Sends the token request body to the URL and returns the response; raises
# ApiError when no response arrives.
TokenPost = Callable[[str, dict[str, str]], requests.Response]

# Maximum token lifetime accepted, in seconds (10 years). A larger expires_in
# is a broken response, not a real token.
MAX_TOKEN_LIFETIME = 10 * 365 * 24 * 3600.0

REJECTED_MESSAGE = (
    f"the OAuth client was rejected: check {ENV_CLIENT_ID} / {ENV_CLIENT_SECRET}"
)


@dataclass(frozen=True)
class _Token:
    value: SecretStr
    # time.monotonic() after which the token is renewed before use; None: never.
    renew_at: float | None


class OrgTokenAuth(AuthBase):
    """Bearer authentication with an organization OAuth client.

    Fetches an access token with the client credentials grant, reuses it until
    ``skew`` seconds before it expires (at most half its lifetime early), and
    on a 401 from the API renews it once and resends the request. When the
    renewed token is rejected too, the 401 response goes back to the caller.
    Safe to share between threads: one thread fetches while the others wait.

    The Cloud Console documents a JSON body for ``POST /oauth/token``.
    requests-oauthlib (through oauthlib) sends the grant form-encoded, so this
    class posts the JSON itself.
    """

    def __init__(
        self,
        token_url: str,
        credentials: Credentials,
        post: TokenPost,
        *,
        skew: float = 60.0,
    ) -> None:
        self._token_url = token_url
        self._credentials = credentials
        self._post = post
        self._skew = skew
        self._token: _Token | None = None
        self._issued: list[SecretStr] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OrgTokenAuth(token_url={self._token_url!r})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("OrgTokenAuth cannot be pickled: it contains credentials")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header(self.token())
        request.hooks["response"].append(self._renew_on_401)
        return request

    def token(self) -> SecretStr:
        """Return a valid access token, fetching a new one when needed."""
        with self._lock:
            current = self._token
            if current is None or _expired(current):
                current = self._fetch()
                self._token = current
            return current.value

    def invalidate(self, rejected_header: str | None = None) -> None:
        """Forget the cached token, unless another thread already replaced the
        one in ``rejected_header``."""
        with self._lock:
            current = self._token
            if current is None:
                return
            if rejected_header is None or rejected_header == self._header(
                current.value
            ):
                self._token = None

    def redact(self, text: str) -> str:
        """Replace the client id, secret and every issued token in ``text``."""
        secrets = [self._credentials.client_id, self._credentials.client_secret]
        secrets.extend(self._issued)
        for secret in secrets:
            value = secret.reveal()
            if len(value) >= 4:
                text = text.replace(value, "[redacted]")
        return text

    @staticmethod
    def _header(token: SecretStr) -> str:
        return f"Bearer {token.reveal()}"

    def _renew_on_401(
        self, response: requests.Response, **send_kwargs: Any
    ) -> requests.Response:
        if response.status_code != 401 or response.connection is None:
            return response
        # Release the rejected response first: token() may raise. Its body is
        # not read, so a slow body cannot hold the request past the deadline.
        response.close()
        sent = response.request.headers.get("Authorization")
        self.invalidate(sent.decode("latin-1") if isinstance(sent, bytes) else sent)
        token = self.token()

        retry = response.request.copy()
        retry.headers["Authorization"] = self._header(token)
        path = urlsplit(retry.url or "").path
        logger.info(
            "access token rejected with HTTP 401, resending %s %s with a new token",
            retry.method,
            path,
        )
        renewed: requests.Response = response.connection.send(retry, **send_kwargs)
        renewed.history.append(response)
        renewed.request = retry
        return renewed

    def _fetch(self) -> _Token:
        body = {
            "client_id": self._credentials.client_id.reveal(),
            "client_secret": self._credentials.client_secret.reveal(),
            "grant_type": "client_credentials",
        }
        response = self._post(self._token_url, body)
        if response.status_code != 200:
            raise self._token_error(response)

        token = self._parse(response)
        self._issued.append(token.value)
        return token

    def _token_error(self, response: requests.Response) -> ApiError:
        error = error_from_response(response, "requesting an access token", self.redact)
        if response.status_code == 401:
            return AuthError(REJECTED_MESSAGE, status=401, trace_id=error.trace_id)
        if response.status_code in (400, 403):
            return AuthError(
                f"the token request was rejected with HTTP {response.status_code}: "
                f"{error.message}",
                hint=f"check {ENV_CLIENT_ID} / {ENV_CLIENT_SECRET} and that the client "
                "is an organization OAuth client from the Cloud Console",
                status=response.status_code,
            )
        return error

    def _parse(self, response: requests.Response) -> _Token:
        # The body contains the token, so no message below quotes it.
        try:
            data = loads_json(response.content)
        except ValueError as exc:
            shape = (
                "JSON nested too deeply to read"
                if isinstance(exc, JsonNestingError)
                else "a response that is not JSON"
            )
            raise AuthError(f"the token endpoint returned {shape}") from None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise AuthError("the token endpoint returned no access_token")
        token_type = data.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise AuthError(
                f"the token endpoint returned token type {token_type!r}, not Bearer"
            )

        lifetime = _lifetime(data)
        if lifetime is None:
            # Without an expiry the token is used until the API rejects it with 401.
            logger.debug("access token issued without expiry")
            return _Token(SecretStr(data["access_token"]), None)
        logger.debug("access token issued, valid for %.0f s", lifetime)
        early = min(self._skew, lifetime / 2)
        return _Token(
            SecretStr(data["access_token"]), time.monotonic() + lifetime - early
        )


def _expired(token: _Token) -> bool:
    return token.renew_at is not None and time.monotonic() >= token.renew_at


def _lifetime(data: dict[str, Any]) -> float | None:
    """Return the token lifetime in seconds from ``expires_in`` or ``expires_at``.

    Raises ``AuthError`` for an ``expires_in`` number that is not finite or
    longer than ``MAX_TOKEN_LIFETIME``. A string that is not a number counts
    as absent.
    """
    expires_in = data.get("expires_in")
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return _checked_lifetime(expires_in)
    if isinstance(expires_in, str) and len(expires_in) <= 40:
        try:
            seconds = float(expires_in)
        except ValueError:
            seconds = None
        if seconds is not None:
            return _checked_lifetime(seconds)
    expires_at = data.get("expires_at")
    if isinstance(expires_at, str):
        try:
            moment = datetime.fromisoformat(expires_at)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return max(0.0, (moment - datetime.now(UTC)).total_seconds())
        except (ValueError, OverflowError):
            return None
    return None


def _checked_lifetime(seconds: float) -> float:
    # float() of an integer above about 1e308 raises OverflowError.
    try:
        value = float(seconds)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value > MAX_TOKEN_LIFETIME:
        raise AuthError(
            "the token endpoint returned an invalid expires_in: expected a number "
            f"of seconds from 0 to {MAX_TOKEN_LIFETIME:.0f}",
            hint="a proxy or the token endpoint sent a broken response: run again",
        )
    return max(0.0, value)
