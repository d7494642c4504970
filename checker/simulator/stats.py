"""Request counts of a simulator run."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from checker.simulator.api import TIERS

K = TypeVar("K")


class SimulatorStats:
    """Counts of responses by endpoint, rate tier and status; thread-safe.

    Endpoints are "token", "list", "get", "count", "filter" and "other";
    tiers are "tier1" and "tier2" (the token endpoint and unknown paths have
    none). A dropped connection counts with the status it started to send.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, int]] = Counter()

    def record(self, endpoint: str, status: int) -> None:
        with self._lock:
            self._counts[(endpoint, status)] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def count(
        self,
        endpoint: str | None = None,
        *,
        status: int | None = None,
        tier: str | None = None,
    ) -> int:
        """Return how many requests match every given criterion."""
        with self._lock:
            items = list(self._counts.items())
        return sum(
            n
            for (name, code), n in items
            if (endpoint is None or name == endpoint)
            and (status is None or code == status)
            and (tier is None or TIERS.get(name) == tier)
        )

    @property
    def total(self) -> int:
        return self.count()

    @property
    def by_endpoint(self) -> dict[str, int]:
        return self._group(lambda name, code: name)

    @property
    def by_tier(self) -> dict[str, int]:
        return self._group(lambda name, code: TIERS.get(name, "none"))

    @property
    def by_status(self) -> dict[int, int]:
        return self._group(lambda name, code: code)

    def _group(self, key: Callable[[str, int], K]) -> dict[K, int]:
        grouped: Counter[K] = Counter()
        with self._lock:
            for (name, code), n in self._counts.items():
                grouped[key(name, code)] += n
        return dict(grouped)

    def __repr__(self) -> str:
        return f"SimulatorStats(total={self.total}, by_endpoint={self.by_endpoint})"
