"""Request plumbing for the Organization API: an overall deadline, a shared
rate limiter, retries with backoff, and one DEBUG log line per call."""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from checker.errors import ApiError
from checker.live.config import is_loopback
from checker.live.failures import (
    SLOW_READ_HINT,
    Failure,
    attempt_failure,
    is_refused,
    is_unresolved,
)

logger = logging.getLogger(__name__)

# A refused connection or a host name that does not resolve, before the server
# ever responded, means a wrong org URL, which retries rarely fix: one quick
# retry only.
FIRST_CONTACT_RETRIES = 1
FIRST_CONTACT_RETRY_DELAY = 0.2


class ReadCancelledError(ApiError):
    """The read was stopped because another part of it failed or was interrupted."""


class Deadline:
    """The overall time limit of one read, shared by all its threads.

    Nested ``scope()`` calls share the outermost limit. ``cancel()`` wakes
    every ``sleep()`` so that worker threads stop promptly. ``last_failure``
    is the latest failed attempt of the read, cleared by a good response, so
    a timeout names the cause that made the read wait.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._depth = 0
        self._expires_at: float | None = None
        self._cancelled = threading.Event()
        self.last_failure: Failure | None = None

    @contextmanager
    def scope(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._expires_at = time.monotonic() + self.timeout
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._expires_at = None

    def cancel(self) -> None:
        self._cancelled.set()

    def remaining(self) -> float:
        """Return the seconds left, ``inf`` outside a scope."""
        expires_at = self._expires_at
        if expires_at is None:
            return math.inf
        return expires_at - time.monotonic()

    def check(self) -> None:
        """Raise when the read was cancelled or its time is up."""
        if self._cancelled.is_set():
            raise ReadCancelledError("the read was cancelled")
        if self.remaining() <= 0:
            raise self.timed_out(cause=self.last_failure)

    def sleep(self, seconds: float, reason: str, cause: Failure | None = None) -> None:
        """Sleep ``seconds``, or raise at once if that would pass the deadline."""
        if seconds > self.remaining():
            raise self.timed_out(reason, seconds, cause)
        if self._cancelled.wait(seconds):
            raise ReadCancelledError("the read was cancelled")

    def timed_out(
        self, reason: str | None = None, wait: float = 0.0, cause: Failure | None = None
    ) -> ApiError:
        """Build the error for a read that ran out of time.

        The hint follows ``cause``, the failure that made the read wait. Without
        one, the read was simply too slow for the timeout.
        """
        if reason:
            detail = f" ({reason} required {wait:.1f} s more)"
        elif cause is not None:
            detail = f" (the last error was {cause.cause})"
        else:
            detail = ""
        return ApiError(
            f"the Organization API read timed out: it did not finish within "
            f"{self.timeout:g} s{detail}",
            hint=cause.hint if cause is not None else SLOW_READ_HINT,
        )


def rate_tier(method: str, path: str) -> int | None:
    """Return the Qlik rate-limit tier of a request, ``None`` outside ``/api/``."""
    if not path.startswith("/api/"):
        return None
    if method.upper() == "POST" and path.endswith("/actions/filter"):
        return 2
    return 1


class RateLimiter:
    """A sliding-window request budget per rate tier, safe to share between threads.

    Every window of ``window`` seconds contains at most ``per_minute * window / 60``
    requests of a tier. A request counts from when it is sent until ``window``
    seconds after its response arrived. The server received it before then, so
    the budget holds under the server's clock even when network delays vary.
    It also holds against a token bucket of the same capacity and rate.
    """

    def __init__(self, per_minute: Mapping[int, float], window: float) -> None:
        self.window = window
        self.limits = {
            tier: max(1, math.floor(rate * window / 60.0))
            for tier, rate in per_minute.items()
        }
        # Per tier, the completion time of each counted request; inf while in flight.
        self._slots: dict[int, deque[list[float]]] = {
            tier: deque() for tier in per_minute
        }
        self._condition = threading.Condition()
        self._thread_local = threading.local()

    def acquire(self, tier: int, deadline: Deadline) -> None:
        """Block until a request of ``tier`` fits the budget, then count it.

        The calling thread holds the slot until ``release_held()``.
        """
        limit = self.limits.get(tier)
        if limit is None:
            return
        logged = False
        with self._condition:
            while True:
                deadline.check()
                slots = self._slots[tier]
                now = time.monotonic()
                # Slots are in send order, so the oldest come first. Dropping
                # only the expired ones at the front is enough while the count
                # stays under the limit. At the limit every slot is checked.
                while slots and slots[0][0] <= now - self.window:
                    slots.popleft()
                if len(slots) >= limit:
                    live = [slot for slot in slots if slot[0] > now - self.window]
                    slots.clear()
                    slots.extend(live)
                if len(slots) < limit:
                    slot = [math.inf]
                    slots.append(slot)
                    self._held_slots().append(slot)
                    return
                # While every counted request is still in flight, the wait
                # lasts until one is answered (release_held notifies).
                wait = min(slot[0] for slot in slots) + self.window - now
                if math.isfinite(wait) and wait > deadline.remaining():
                    raise deadline.timed_out(f"the Tier {tier} rate budget", wait)
                if not logged:
                    logger.debug(
                        "waiting %.2f s for the Tier %d rate budget", wait, tier
                    )
                    logged = True
                # Short waits, so that cancellation and deadlines take effect.
                self._condition.wait(min(wait, 0.25))

    def release_held(self) -> None:
        """Mark the requests of the calling thread as answered."""
        thread_slots = self._held_slots()
        if not thread_slots:
            return
        with self._condition:
            now = time.monotonic()
            for slot in thread_slots:
                slot[0] = now
            thread_slots.clear()
            self._condition.notify_all()

    def _held_slots(self) -> list[list[float]]:
        thread_slots: list[list[float]] | None = getattr(
            self._thread_local, "slots", None
        )
        if thread_slots is None:
            thread_slots = []
            self._thread_local.slots = thread_slots
        return thread_slots


class OrgRetry(Retry):
    """urllib3 ``Retry`` that respects the read's deadline and rate budget.

    A 429 without ``Retry-After`` waits ``retry_after_default`` seconds, a
    ``Retry-After`` is capped at ``retry_after_cap``, and other retries back
    off exponentially from the first retry, with jitter. Each retry is logged
    at WARNING and takes a slot from the shared rate limiter before it is sent.

    ``reached`` is set once the server has sent any response. Before that, a
    refused connection or a host name that does not resolve gets
    ``FIRST_CONTACT_RETRIES`` quick retries only; later in the read they get
    the full backoff.
    """

    def __init__(
        self,
        *args: Any,
        limiter: RateLimiter | None = None,
        deadline: Deadline | None = None,
        retry_after_default: float = 1.0,
        retry_after_cap: float = 120.0,
        reached: threading.Event | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = limiter
        self.deadline = deadline
        self.retry_after_default = retry_after_default
        self.retry_after_cap = retry_after_cap
        self.reached = reached if reached is not None else threading.Event()

    def new(self, **kw: Any) -> OrgRetry:
        kw.setdefault("limiter", self.limiter)
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("reached", self.reached)
        kw.setdefault("retry_after_default", self.retry_after_default)
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> OrgRetry:
        if response is not None:
            self.reached.set()
        elif self._unreachable_before_contact(error):
            earlier = sum(1 for item in self.history if _unreachable(item.error))
            if earlier >= FIRST_CONTACT_RETRIES:
                assert error is not None  # checked by _unreachable_before_contact
                reason: Any = error
                raise MaxRetryError(_pool, url, reason) from error
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if response is not None:
            # The response will be retried. urllib3 would read its body to the
            # end first (drain_conn), which the deadline cannot stop, so the
            # connection is closed instead. Headers such as Retry-After stay.
            response.close()
        return retry

    def _unreachable_before_contact(self, error: BaseException | None) -> bool:
        return not self.reached.is_set() and _unreachable(error)

    def get_backoff_time(self) -> float:
        retries = len(self.history)
        if retries == 0 or self.backoff_factor <= 0:
            return 0.0
        backoff = float(self.backoff_factor) * 2.0 ** (retries - 1)
        jitter = float(self.backoff_jitter) * random.random()
        return min(float(self.backoff_max), backoff) + jitter

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        delay = self._delay(response)
        last = self.history[-1] if self.history else None
        method = (last.method if last else None) or "GET"
        path = urlsplit(last.url or "").path if last else ""
        failure = attempt_failure(last.status, last.error) if last else None
        cause = failure.cause if failure else "an error"
        logger.warning(
            "retrying %s %s after %s in %.1f s (retry %d)",
            method,
            path,
            cause,
            delay,
            len(self.history),
        )
        deadline = self.deadline or Deadline(math.inf)
        deadline.last_failure = failure
        tier = rate_tier(method, path)
        if self.limiter is not None:
            self.limiter.release_held()  # the failed attempt has been answered
        deadline.sleep(delay, f"a retry after {cause}", failure)
        if self.limiter is not None and tier is not None:
            self.limiter.acquire(tier, deadline)

    def _delay(self, response: BaseHTTPResponse | None) -> float:
        if response is not None and self.respect_retry_after_header:
            header = response.headers.get("Retry-After")
            if header is not None:
                try:
                    return min(self.parse_retry_after(header), self.retry_after_cap)
                except InvalidHeader:
                    logger.debug("ignoring invalid Retry-After header %r", header)
            if response.status == 429:
                return self.retry_after_default
        last = self.history[-1] if self.history else None
        if last is not None and self._unreachable_before_contact(last.error):
            return min(self.get_backoff_time(), FIRST_CONTACT_RETRY_DELAY)
        return self.get_backoff_time()


def _unreachable(error: BaseException | None) -> bool:
    """Return whether ``error`` means that no server could be reached at all."""
    return is_refused(error) or is_unresolved(error)


class OrgAdapter(HTTPAdapter):
    """HTTP adapter that applies the deadline and rate limiter to every send and
    logs one DEBUG line per call: method, path, status and milliseconds.

    A request to a loopback host never goes through a proxy, whatever
    ``HTTP_PROXY``, ``HTTPS_PROXY`` or ``ALL_PROXY`` contain. Plain http is
    allowed only for loopback hosts, and a proxy would receive the client
    secret and the bearer token in clear text. Other hosts keep the proxy
    settings that requests reads from the environment, where ``HTTPS_PROXY``
    opens a ``CONNECT`` tunnel and TLS stays end to end.
    """

    def __init__(
        self,
        *,
        limiter: RateLimiter,
        deadline: Deadline,
        retry: OrgRetry,
        pool_maxsize: int,
    ) -> None:
        super().__init__(max_retries=retry, pool_maxsize=pool_maxsize)
        self.limiter = limiter
        self.deadline = deadline
        self.reached = retry.reached

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        method = request.method or "GET"
        url = urlsplit(request.url or "")
        path = url.path
        if is_loopback(url.hostname or ""):
            kwargs["proxies"] = {}
        self.deadline.check()
        tier = rate_tier(method, path)
        if tier is not None:
            self.limiter.acquire(tier, self.deadline)

        started = time.monotonic()
        try:
            response = super().send(request, **kwargs)
        except requests.RequestException as exc:
            elapsed = (time.monotonic() - started) * 1000
            logger.debug(
                "%s %s failed (%s) after %.0f ms",
                method,
                path,
                type(exc).__name__,
                elapsed,
            )
            raise
        finally:
            self.limiter.release_held()
        elapsed = (time.monotonic() - started) * 1000
        logger.debug("%s %s %s %.0f ms", method, path, response.status_code, elapsed)
        self.reached.set()
        if response.status_code < 500 and response.status_code != 429:
            self.deadline.last_failure = None
        return response

