"""Sliding-window rate limiting per access token and tier."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

from checker.simulator.faults import RateLimits


class SlidingWindowLimiter:
    """Admit at most ``limits.budget(tier)`` requests per key in any window.

    Rejected requests do not use up budget, so a client that waits for
    ``Retry-After`` seconds is admitted again.
    """

    def __init__(
        self, limits: RateLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._admitted: dict[Hashable, deque[float]] = {}

    def acquire(self, token: str, tier: str) -> int | None:
        """Record a request; return None if admitted, else the seconds to wait."""
        budget = self._limits.budget("tier2" if tier == "tier2" else "tier1")
        window = self._limits.window_seconds
        now = self._clock()
        with self._lock:
            times = self._admitted.setdefault((token, tier), deque())
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) < budget:
                times.append(now)
                return None
            return max(1, math.ceil(times[0] + window - now))
