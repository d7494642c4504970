from __future__ import annotations

import threading
import time

import pytest
from urllib3.response import HTTPResponse

from checker.errors import ApiError
from checker.live.transport import (
    Deadline,
    OrgRetry,
    RateLimiter,
    ReadCancelledError,
    rate_tier,
)


@pytest.mark.parametrize(
    ("method", "path", "tier"),
    [
        ("GET", "/api/core/tenants", 1),
        ("GET", "/api/core/tenants/abc", 1),
        ("GET", "/api/core/tenants/actions/count", 1),
        ("POST", "/api/core/tenants/actions/filter", 2),
        ("POST", "/oauth/token", None),
    ],
)
def test_rate_tier(method: str, path: str, tier: int | None) -> None:
    assert rate_tier(method, path) == tier


def test_limiter_budget_from_rate() -> None:
    limiter = RateLimiter({1: 1000, 2: 100}, window=300)

    assert limiter.limits == {1: 5000, 2: 500}


def test_limiter_waits_for_window() -> None:
    # 120 per minute over a 0.5 s window: 1 request per window.
    limiter = RateLimiter({1: 120}, window=0.5)
    deadline = Deadline(10)

    with deadline.scope():
        limiter.acquire(1, deadline)
        limiter.release_held()
        answered = time.monotonic()
        limiter.acquire(1, deadline)
        admitted = time.monotonic()
        limiter.release_held()

    assert admitted - answered >= 0.45


def test_limiter_counts_in_flight_requests() -> None:
    limiter = RateLimiter({1: 240}, window=0.5)  # 2 per window
    deadline = Deadline(10)
    admitted = threading.Event()

    def third_request() -> None:
        limiter.acquire(1, deadline)
        admitted.set()
        limiter.release_held()

    with deadline.scope():
        limiter.acquire(1, deadline)
        limiter.acquire(1, deadline)
        worker = threading.Thread(target=third_request)
        worker.start()
        # Both slots are still in flight: the third request must wait for them.
        assert not admitted.wait(0.7)
        limiter.release_held()
        worker.join(5)

    assert admitted.is_set()



def test_limiter_frees_slot_behind_in_flight() -> None:
    # 2 per window. The oldest request is still in flight, and the second got
    # its response more than a window ago. That slot is free again although
    # the older one is still at the head of the queue.
    limiter = RateLimiter({1: 240}, window=0.5)
    deadline = Deadline(10)
    second_answered = threading.Event()

    def second_request() -> None:
        limiter.acquire(1, deadline)
        limiter.release_held()
        second_answered.set()

    with deadline.scope():
        limiter.acquire(1, deadline)  # in flight until release_held below
        worker = threading.Thread(target=second_request)
        worker.start()
        assert second_answered.wait(5)
        worker.join(5)
        time.sleep(0.6)
        started = time.monotonic()
        limiter.acquire(1, deadline)
        waited = time.monotonic() - started
        limiter.release_held()

    assert waited < 0.2

def test_limiter_tiers_independent() -> None:
    limiter = RateLimiter({1: 120, 2: 120}, window=0.5)  # 1 per window
    deadline = Deadline(0.2)

    with deadline.scope():
        limiter.acquire(1, deadline)
        limiter.acquire(2, deadline)
        limiter.release_held()
        with pytest.raises(ApiError) as caught:
            limiter.acquire(1, deadline)

    assert "Tier 1 rate budget" in str(caught.value)


def test_deadline_sleep_past_limit() -> None:
    deadline = Deadline(0.5)

    with deadline.scope():
        started = time.monotonic()
        with pytest.raises(ApiError) as caught:
            deadline.sleep(5, "a retry after HTTP 503")
        elapsed = time.monotonic() - started

    assert "did not finish within 0.5 s" in str(caught.value)
    assert "a retry after HTTP 503" in str(caught.value)
    assert elapsed < 0.5


def test_deadline_nested_scope_shares_limit() -> None:
    deadline = Deadline(0.2)

    with deadline.scope():
        time.sleep(0.25)
        with deadline.scope(), pytest.raises(ApiError):
            deadline.check()


def test_deadline_unlimited_outside_scope() -> None:
    deadline = Deadline(0.01)

    time.sleep(0.02)

    deadline.check()
    assert deadline.remaining() == float("inf")


def test_deadline_cancel_wakes_sleep() -> None:
    deadline = Deadline(60)
    threading.Timer(0.1, deadline.cancel).start()

    with deadline.scope(), pytest.raises(ReadCancelledError):
        deadline.sleep(30, "test")


def response(status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(body=b"", status=status, headers=headers or {})


def retry_policy(**changes: object) -> OrgRetry:
    values: dict[str, object] = {
        "total": 5,
        "status_forcelist": {429, 503},
        "backoff_factor": 0.5,
        "backoff_jitter": 0.0,
        "backoff_max": 3.0,
        "retry_after_default": 1.0,
        "retry_after_cap": 10.0,
    }
    values.update(changes)
    return OrgRetry(**values)  # type: ignore[arg-type]


def failed(policy: OrgRetry, times: int, status: int = 503) -> OrgRetry:
    for _ in range(times):
        policy = policy.increment("GET", "/api/core/tenants", response=response(status))
    return policy


def test_retry_backoff_doubles() -> None:
    policy = retry_policy()

    delays = [failed(policy, n).get_backoff_time() for n in range(1, 6)]

    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_retry_backoff_jitter_bounded() -> None:
    policy = failed(retry_policy(backoff_jitter=0.25), 1)

    delays = {policy.get_backoff_time() for _ in range(50)}

    assert min(delays) >= 0.5
    assert max(delays) <= 0.75
    assert len(delays) > 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "3600"}, 10.0),
        ({}, 1.0),
        ({"Retry-After": "soon"}, 1.0),
    ],
    ids=["honoured", "capped", "missing", "invalid"],
)
def test_retry_after_429(headers: dict[str, str], expected: float) -> None:
    policy = failed(retry_policy(), 1, status=429)

    assert policy._delay(response(429, headers)) == expected


def test_retry_after_ignored_for_backoff_status() -> None:
    policy = failed(retry_policy(), 2)

    assert policy._delay(response(503)) == 1.0
    assert policy._delay(response(503, {"Retry-After": "2"})) == 2.0


def test_retry_keeps_settings_across_increment() -> None:
    limiter = RateLimiter({1: 60}, window=60)
    deadline = Deadline(5)
    policy = retry_policy(limiter=limiter, deadline=deadline)

    later = failed(policy, 2)

    assert later.limiter is limiter
    assert later.deadline is deadline
    assert later.retry_after_cap == 10.0
    assert later.total == 3
