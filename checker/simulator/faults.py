"""Faults, rate limits and documented quirks that a simulator run can switch on.

A ``Fault`` targets an endpoint and a set of request numbers on it, counted
from 1 per endpoint (``requests="3"``, ``"4-6"``, ``"2,5-"``), every k-th
request (``every=5``) or a seeded probability. With ``burst=n`` each selected
request also selects the next n-1 requests. Selection depends only on the
request number and the plan's seed, so a run is reproducible even when
requests arrive concurrently.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

FaultKind = Literal["latency", "status", "drop", "truncate", "html", "cursor-loop"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

# Endpoint names as counted by faults and statistics. "api" covers the four
# tenant endpoints and "any" every request, the token endpoint included.
Endpoint = Literal["token", "list", "get", "count", "filter", "other"]
ENDPOINTS: tuple[Endpoint, ...] = get_args(Endpoint)
API_ENDPOINTS: frozenset[str] = frozenset({"list", "get", "count", "filter"})
FaultTarget = Literal["token", "list", "get", "count", "filter", "api", "any"]
FAULT_TARGETS: tuple[FaultTarget, ...] = get_args(FaultTarget)

UnknownSubscription = Literal["empty", "forbidden"]
DEFAULT_TOKEN_LIFETIME = 21600
DEFAULT_LINK_PREFIX = "https://api.qlikcloud.com/core"
DEFAULT_UNKNOWN_STATUS = "archived"

_RANGE = re.compile(r"^(\d+)(?:-(\d*))?$")


class FaultSpecError(ValueError):
    """An invalid fault description; the message names the invalid part."""


@functools.lru_cache(maxsize=256)
def parse_request_numbers(text: str) -> tuple[tuple[int, int | None], ...]:
    """Parse ``"3"``, ``"4-6"``, ``"2,5-"`` into inclusive ranges (None = open end)."""
    ranges: list[tuple[int, int | None]] = []
    for part in text.replace(" ", "").split(","):
        match = _RANGE.match(part)
        if not match:
            raise FaultSpecError(
                f'invalid request numbers "{text}": use N, N-M or N- '
                'separated by commas, e.g. "3" or "4-6,9-"'
            )
        start = int(match.group(1))
        end_text = match.group(2)
        end = None if end_text == "" else int(end_text or start)
        if start < 1 or (end is not None and end < start):
            raise FaultSpecError(
                f'invalid request numbers "{text}": requests count from 1 '
                "and a range must not end before it starts"
            )
        ranges.append((start, end))
    return tuple(ranges)


@dataclass(frozen=True)
class Fault:
    """One fault: what happens (``kind``), where and on which requests.

    Kinds:

    - ``latency``: wait ``latency_ms`` before responding.
    - ``status``: respond ``status`` with a Qlik error envelope.
    - ``drop``: send the headers and half the body, then close the connection.
    - ``truncate``: respond 200 with the JSON body cut in half.
    - ``html``: respond 200 with an HTML error page.
    - ``cursor-loop``: give a list page a next link that leads back to it.
    """

    kind: FaultKind
    endpoint: FaultTarget = "api"
    requests: str | None = None
    every: int | None = None
    probability: float | None = None
    burst: int = 1
    status: int = 503
    latency_ms: int = 0
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultSpecError(
                f'unknown fault kind "{self.kind}"; use one of {", ".join(FAULT_KINDS)}'
            )
        if self.endpoint not in FAULT_TARGETS:
            raise FaultSpecError(
                f'unknown endpoint "{self.endpoint}"; use one of '
                + ", ".join(FAULT_TARGETS)
            )
        chosen = [
            x for x in (self.requests, self.every, self.probability) if x is not None
        ]
        if len(chosen) > 1:
            raise FaultSpecError("give at most one of requests, every and probability")
        if self.requests is not None:
            parse_request_numbers(self.requests)
        if self.every is not None and self.every < 1:
            raise FaultSpecError(f"every must be 1 or more, not {self.every}")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise FaultSpecError(
                f"probability must be between 0 and 1, not {self.probability}"
            )
        if self.burst < 1:
            raise FaultSpecError(f"burst must be 1 or more, not {self.burst}")
        if not 400 <= self.status <= 599:
            raise FaultSpecError(
                f"status must be an HTTP error status, not {self.status}"
            )
        if self.latency_ms < 0:
            raise FaultSpecError(f"latency must not be negative, not {self.latency_ms}")
        if self.retry_after is not None and self.retry_after < 0:
            raise FaultSpecError("retry_after must not be negative")

    def covers(self, endpoint: str) -> bool:
        """Return whether requests to ``endpoint`` are counted by this fault."""
        if self.endpoint == "any":
            return True
        if self.endpoint == "api":
            return endpoint in API_ENDPOINTS
        return self.endpoint == endpoint

    def selects(self, number: int, seed: int, index: int) -> bool:
        """Return whether the fault applies to request ``number`` of its endpoint.

        ``index`` is the fault's position in its plan, so two probability
        faults with the same seed draw independently.
        """
        first = max(1, number - self.burst + 1)
        return any(self._triggers(n, seed, index) for n in range(first, number + 1))

    def _triggers(self, number: int, seed: int, index: int) -> bool:
        if self.requests is not None:
            return any(
                start <= number and (end is None or number <= end)
                for start, end in parse_request_numbers(self.requests)
            )
        if self.every is not None:
            return number % self.every == 0
        if self.probability is not None:
            return _draw(seed, index, number) < self.probability
        return True

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Build a fault from its command-line form.

        ``KIND[:ARG] [key=value ...]``, where ARG is the status code for
        ``status`` and milliseconds for ``latency``, and keys are endpoint,
        requests, every, probability, burst and retry-after. Example:
        ``"status:503 endpoint=list requests=2-3"``.
        """
        words = spec.split()
        if not words:
            raise FaultSpecError("fault description is empty")
        kind, _, argument = words[0].partition(":")
        values: dict[str, object] = {"kind": kind}
        if argument:
            values.update(_positional_argument(kind, argument))
        for word in words[1:]:
            key, equals, value = word.partition("=")
            if not equals or not value:
                raise FaultSpecError(f'expected key=value, found "{word}" in "{spec}"')
            values.update(_keyword_argument(key, value))
        try:
            return cls(**values)  # type: ignore[arg-type]
        except TypeError as error:
            raise FaultSpecError(f'invalid fault "{spec}": {error}') from error


def _positional_argument(kind: str, argument: str) -> dict[str, object]:
    if kind == "status":
        return {"status": _integer("status", argument)}
    if kind == "latency":
        return {"latency_ms": _integer("latency", argument)}
    raise FaultSpecError(f'fault kind "{kind}" takes no ":" argument')


def _keyword_argument(key: str, value: str) -> dict[str, object]:
    if key == "endpoint":
        return {"endpoint": value}
    if key == "requests":
        return {"requests": value}
    if key in ("every", "burst", "status"):
        return {key: _integer(key, value)}
    if key in ("latency", "latency-ms"):
        return {"latency_ms": _integer(key, value)}
    if key == "retry-after":
        return {"retry_after": _integer(key, value)}
    if key == "probability":
        try:
            return {"probability": float(value)}
        except ValueError:
            raise FaultSpecError(
                f'probability must be a number, not "{value}"'
            ) from None
    raise FaultSpecError(
        f'unknown fault key "{key}"; use endpoint, requests, every, '
        "probability, burst, status, latency or retry-after"
    )


def _integer(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise FaultSpecError(f'{name} must be an integer, not "{text}"') from None


def _draw(seed: int, index: int, number: int) -> float:
    """Return a number in [0, 1) fixed by seed, fault index and request number."""
    digest = hashlib.sha256(f"{seed}:{index}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class RateLimits:
    """Request budgets per access token and tier.

    Qlik documents 1000 requests per minute for Tier 1 and 100 for Tier 2,
    evaluated over a 5-minute window, so a token may send up to
    ``per_minute * window_seconds / 60`` requests of a tier in any window.
    """

    tier1_per_minute: int = 1000
    tier2_per_minute: int = 100
    window_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.tier1_per_minute < 1 or self.tier2_per_minute < 1:
            raise FaultSpecError("rate limits must allow at least 1 request per minute")
        if self.window_seconds <= 0:
            raise FaultSpecError("the rate-limit window must be longer than 0 seconds")

    def budget(self, tier: Literal["tier1", "tier2"]) -> int:
        per_minute = self.tier1_per_minute if tier == "tier1" else self.tier2_per_minute
        return max(1, math.floor(per_minute * self.window_seconds / 60))


@dataclass(frozen=True)
class Quirks:
    """Documented inconsistencies of the API that clients must tolerate.

    ``link_prefix`` replaces ``<simulator URL>/api/core`` in every link (the
    reference example uses ``https://api.qlikcloud.com/core``); the simulator
    only writes that text and never serves on that host. ``offset_cursor``
    writes ``offset=`` in place of ``next=`` in next links. ``bare_tenant``
    returns the bare object from a single-tenant GET. ``unknown_status``
    replaces the status of the organization's first tenant, and
    ``extra_fields`` adds fields the reference does not list to every tenant.
    """

    link_prefix: str | None = None
    offset_cursor: bool = False
    bare_tenant: bool = False
    lowercase_token_type: bool = False
    total_results_as_string: bool = False
    extra_fields: bool = False
    unknown_status: str | None = None


@dataclass(frozen=True)
class FaultPlan:
    """Everything a simulator run changes from the documented behaviour.

    ``unknown_subscription`` decides the response to a filter naming a
    subscription id that exists nowhere: ``"empty"`` (200, no tenants) or
    ``"forbidden"`` (403, as for another organization's subscription).
    ``strict_filter`` rejects list filters without a ``subscriptionId eq``.
    """

    faults: tuple[Fault, ...] = ()
    seed: int = 0
    token_lifetime: float = DEFAULT_TOKEN_LIFETIME
    rate_limits: RateLimits = field(default_factory=RateLimits)
    quirks: Quirks = field(default_factory=Quirks)
    strict_filter: bool = False
    unknown_subscription: UnknownSubscription = "empty"
    revoked_clients: frozenset[str] = frozenset()
    clients_without_permission: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.token_lifetime <= 0:
            raise FaultSpecError("the token lifetime must be longer than 0 seconds")
        if self.unknown_subscription not in get_args(UnknownSubscription):
            raise FaultSpecError(
                'unknown_subscription must be "empty" or "forbidden", '
                f'not "{self.unknown_subscription}"'
            )
        # Accept lists and sets from callers; the plan stays hashable and frozen.
        object.__setattr__(self, "faults", tuple(self.faults))
        object.__setattr__(self, "revoked_clients", frozenset(self.revoked_clients))
        object.__setattr__(
            self,
            "clients_without_permission",
            frozenset(self.clients_without_permission),
        )

    def with_changes(self, **changes: object) -> FaultPlan:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def selected(self, endpoint: str, number_for: dict[str, int]) -> list[Fault]:
        """Return the faults that apply to a request.

        ``number_for`` maps each fault target ("list", "api", "any", ...) to
        the request's number on it.
        """
        return [
            fault
            for index, fault in enumerate(self.faults)
            if fault.covers(endpoint)
            and fault.selects(number_for[fault.endpoint], self.seed, index)
        ]
