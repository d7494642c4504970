"""Property tests over random organizations, page sizes and fault schedules.

Each example starts its own simulator. A read either returns exactly the
simulator's tenants or raises ApiError: it never returns a partial state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from live_helpers import (
    FOREIGN,
    client_config,
    declared_ids,
    exception_texts,
    expected_tenants,
    leaked_secrets,
    org_state,
    secret_values,
    tenants_by_id,
)

from checker.errors import ApiError
from checker.live import read_live_state
from checker.simulator import Fault, FaultPlan, Quirks, Simulator

# Few examples with millisecond waits keep this module to a few seconds.
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, database=None)

RETRIED_STATUSES = (429, 502, 503, 504)


@dataclass(frozen=True)
class Scenario:
    sizes: list[int]
    page_limit: int
    scope: str
    declared: list[int]
    with_foreign: bool
    faults: tuple[Fault, ...]
    quirks: Quirks
    seed: int


def request_numbers() -> st.SearchStrategy[str]:
    single = st.integers(1, 12).map(str)
    ranged = st.tuples(st.integers(1, 12), st.integers(0, 3)).map(
        lambda pair: f"{pair[0]}-{pair[0] + pair[1]}"
    )
    return st.one_of(single, ranged)


def any_fault() -> st.SearchStrategy[Fault]:
    endpoint = st.sampled_from(["list", "count", "token", "api", "any"])
    selection = st.one_of(
        st.fixed_dictionaries({"requests": request_numbers()}),
        st.fixed_dictionaries({"every": st.integers(2, 6)}),
        st.fixed_dictionaries({"probability": st.floats(0.05, 0.5)}),
    )
    kind = st.sampled_from(
        ["status", "drop", "truncate", "html", "cursor-loop", "latency"]
    )
    status = st.sampled_from([*RETRIED_STATUSES, 500])
    return st.builds(
        lambda k, e, sel, s, b: Fault(
            k, endpoint=e, status=s, burst=b, latency_ms=3, **sel
        ),
        kind,
        endpoint,
        selection,
        status,
        st.integers(1, 3),
    )


def transient_fault() -> st.SearchStrategy[Fault]:
    """Faults that a client with 3 retries always gets past."""
    endpoint = st.sampled_from(["list", "count", "token", "api"])
    status = st.builds(
        lambda e, s, r, b: Fault("status", endpoint=e, status=s, requests=r, burst=b),
        endpoint,
        st.sampled_from(RETRIED_STATUSES),
        st.integers(1, 12).map(str),
        st.integers(1, 3),
    )
    drop = st.builds(
        lambda e, r: Fault("drop", endpoint=e, requests=r),
        endpoint,
        st.integers(1, 12).map(str),
    )
    latency = st.builds(
        lambda e, ms: Fault("latency", endpoint=e, latency_ms=ms, every=2),
        endpoint,
        st.integers(1, 5),
    )
    return st.one_of(status, drop, latency)


def quirks() -> st.SearchStrategy[Quirks]:
    return st.builds(
        Quirks,
        link_prefix=st.sampled_from([None, "https://api.qlikcloud.com/core"]),
        offset_cursor=st.booleans(),
        bare_tenant=st.booleans(),
        lowercase_token_type=st.booleans(),
        total_results_as_string=st.booleans(),
        extra_fields=st.booleans(),
    )


@st.composite
def scenarios(draw: Any, fault: st.SearchStrategy[Fault], foreign: bool) -> Scenario:
    sizes = draw(st.lists(st.integers(0, 9), min_size=1, max_size=4))
    declared = draw(
        st.lists(st.integers(0, len(sizes) - 1), max_size=len(sizes), unique=True)
    )
    return Scenario(
        sizes=sizes,
        page_limit=draw(st.sampled_from([1, 2, 3, 5, 7, 100])),
        scope=draw(st.sampled_from(["organization", "subscriptions"])),
        declared=declared,
        with_foreign=foreign and draw(st.booleans()),
        faults=tuple(draw(st.lists(fault, max_size=3))),
        quirks=draw(quirks()),
        seed=draw(st.integers(0, 1000)),
    )


@contextmanager
def all_logs() -> Iterator[list[str]]:
    """Collect every log record at DEBUG while the block runs."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run(scenario: Scenario) -> tuple[Simulator, Any, ApiError | None, list[str]]:
    state = org_state(scenario.sizes)
    plan = FaultPlan(faults=scenario.faults, quirks=scenario.quirks, seed=scenario.seed)
    all_ids = declared_ids(state)
    ids = [all_ids[i] for i in scenario.declared]
    if scenario.with_foreign:
        ids.append(FOREIGN)

    with Simulator(state, faults=plan) as sim, all_logs() as lines:
        config = client_config(sim, page_limit=scenario.page_limit)
        try:
            live = read_live_state(config, ids, scope=scenario.scope)  # type: ignore[arg-type]
        except ApiError as error:
            return sim, None, error, lines
        expected = expected_tenants(state, ids, scenario.scope)
        return sim, (live, expected), None, lines


@PROPERTY_SETTINGS
@given(scenarios(any_fault(), foreign=True))
def test_read_exact_or_fails_closed(scenario: Scenario) -> None:
    sim, result, error, lines = run(scenario)

    if error is None:
        live, expected = result
        assert tenants_by_id(live.tenants) == expected
        assert len(live.tenants) == len(expected)
        assert not scenario.with_foreign
    texts = lines + (exception_texts(error) if error else [])
    assert leaked_secrets(texts, secret_values(sim)) == []


@PROPERTY_SETTINGS
@given(scenarios(transient_fault(), foreign=False))
def test_read_survives_transient_faults(scenario: Scenario) -> None:
    sim, result, error, lines = run(scenario)

    assert error is None, str(error)
    live, expected = result
    assert tenants_by_id(live.tenants) == expected
    assert len(live.tenants) == len(expected)
    assert leaked_secrets(lines, secret_values(sim)) == []
