"""The simulator process of the check benchmark, and the figures a read can reach."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from benchmarks.generate import CLIENT_ID, CLIENT_SECRET
from benchmarks.measure import REPO

PAGE_LIMIT = 100


class SimulatorProcess:
    """``python -m benchmarks.simserver`` as a context manager.

    The simulator runs in a process of its own, so its CPU time and memory are
    not counted in the figures of the check under test.
    """

    def __init__(self, state: Path, *, latency_ms: int) -> None:
        self._command = [
            sys.executable,
            "-m",
            "benchmarks.simserver",
            str(state),
            "--latency-ms",
            str(latency_ms),
        ]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> SimulatorProcess:
        self._process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        hello = self._read()
        self.url = str(hello["url"])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise RuntimeError("the simulator process is not running")
        return process.stdin, process.stdout

    def _read(self) -> dict[str, Any]:
        _, stdout = self._pipes()
        line = stdout.readline()
        if not line:
            raise RuntimeError("the simulator process exited; see its output above")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _command_reply(self, command: str) -> dict[str, Any]:
        stdin, _ = self._pipes()
        stdin.write(command + "\n")
        stdin.flush()
        return self._read()

    def stats(self) -> dict[str, Any]:
        """Return request counts since the last reset and the CPU seconds so far."""
        return self._command_reply("stats")

    def reset(self) -> None:
        self._command_reply("reset")

    @staticmethod
    def credentials_env() -> dict[str, str]:
        """Return the environment that gives ``check`` the demo client credentials."""
        return {"QLIK_CLIENT_ID": CLIENT_ID, "QLIK_CLIENT_SECRET": CLIENT_SECRET}


def _pages(tenants: int) -> int:
    # An empty listing still takes one request.
    return max(1, math.ceil(tenants / PAGE_LIMIT))


def minimum_requests(expected: dict[str, Any], scope: str) -> dict[str, int]:
    """Return the fewest requests a complete read of ``scope`` can take, by kind.

    Subscriptions scope: one listing per declared subscription, then one read
    by id of each pinned tenant that no listing returned (it may have moved
    out of the declared subscriptions). Organization scope: one count per
    declared subscription, which proves that it belongs to the organization
    and cross-checks the listing, and one listing of the whole organization.
    Both need one token request.
    """
    by_subscription: dict[str, int] = expected["liveTenantsBySubscription"]
    declared = expected["subscriptions"]
    counts = gets = 0
    if scope == "subscriptions":
        pages = sum(_pages(by_subscription.get(s, 0)) for s in declared)
        gets = int(expected["pinnedNotListed"])
    else:
        counts = len(declared)
        pages = _pages(int(expected["liveTenants"]))
    return {
        "token": 1,
        "count": counts,
        "list": pages,
        "get": gets,
        "total": 1 + counts + pages + gets,
    }


def check_bound(
    minimum: dict[str, int], scope: str, concurrency: int, latency: float
) -> float:
    """Return the lower bound of the read's wall time in seconds.

    With ``subscriptions`` the pages are fetched ``concurrency`` at a time, so
    no read beats ``ceil(pages / concurrency) * latency``, plus the same for
    the reads by id, which can only start once every listing is done. With
    ``organization`` the listing is one cursor chain: each page needs the
    previous page's next link, so the pages are sequential, after the counts.
    """
    if scope == "subscriptions":
        pages = math.ceil(minimum["list"] / concurrency) * latency
        return pages + math.ceil(minimum["get"] / concurrency) * latency
    counts = math.ceil(minimum["count"] / concurrency) * latency
    return counts + minimum["list"] * latency


def schedule_bound(
    expected: dict[str, Any], scope: str, concurrency: int, latency: float
) -> float:
    """Return the read's wall time if every request took exactly ``latency``.

    Each subscription's pages form a cursor chain: a page can be requested
    only once the previous page has arrived. The reader queues the chains in
    declaration order (id order here). A free worker reads the next page of
    the chain at the head of the queue, which then goes back to the end.
    This is above ``check_bound`` only when fewer chains than workers are
    left at the end.
    """
    if scope != "subscriptions":
        return check_bound(
            minimum_requests(expected, scope), scope, concurrency, latency
        )
    by_subscription: dict[str, int] = expected["liveTenantsBySubscription"]
    queue = deque(
        _pages(by_subscription.get(s, 0)) for s in sorted(expected["subscriptions"])
    )
    steps = 0
    while queue:
        # One step of ``latency``: each worker reads one page of its own chain.
        reading = [queue.popleft() for _ in range(min(concurrency, len(queue)))]
        queue.extend(pages - 1 for pages in reading if pages > 1)
        steps += 1
    gets = math.ceil(int(expected["pinnedNotListed"]) / concurrency)
    return (steps + gets) * latency
