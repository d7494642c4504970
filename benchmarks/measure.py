"""Run one command in a fresh process and measure its wall time and peak memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Runs slower than this are repeated at most twice: the reference tools take
# half a minute at 100k tenants, and the whole suite should stay under 15 min.
SLOW_RUN_SECONDS = 10.0


class CaseError(RuntimeError):
    """A case could not run: a tool failed or printed something unexpected."""


@dataclass(slots=True)
class Sample:
    """One run: wall seconds, peak resident set size in MiB, exit code, output."""

    wall: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


@dataclass(slots=True)
class Series:
    """The samples of one case; ``values`` contains the figure that is summarised."""

    values: list[float] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)
    timed_out: bool = False

    def add(self, value: float, rss_mib: float) -> None:
        self.values.append(value)
        self.peak_rss_mib.append(rss_mib)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def minimum(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def maximum(self) -> float:
        return max(self.values) if self.values else float("nan")

    @property
    def peak_rss(self) -> float:
        return max(self.peak_rss_mib) if self.peak_rss_mib else float("nan")


def run_measured(
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
) -> Sample:
    """Run ``command`` and return its wall time and peak RSS.

    ``os.wait4`` returns the resource usage of this one child, so every run
    gets its own peak RSS (``ru_maxrss``, KiB on Linux), unlike
    ``RUSAGE_CHILDREN``, which keeps the maximum over all children so far.
    A run still going after ``timeout`` seconds is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
        killer = _Killer(process)
        timer = threading.Timer(timeout, killer.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            wall = time.perf_counter() - started
            killer.reaped()
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(
            wall=wall,
            peak_rss_mib=usage.ru_maxrss / 1024,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=killer.killed,
        )


class _Killer:
    """Kill a process on timeout, but never after it was reaped.

    A reaped process's pid may already belong to another process.
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lock = threading.Lock()
        self._alive = True
        self.killed = False

    def kill(self) -> None:
        with self._lock:
            if self._alive:
                os.kill(self._process.pid, 9)
                self.killed = True

    def reaped(self) -> None:
        with self._lock:
            self._alive = False


def tool(name: str) -> list[str] | None:
    """Return the command of a console script installed beside this Python."""
    path = Path(sys.executable).parent / name
    return [str(path)] if path.exists() else None


def qlik_drift() -> list[str]:
    """Return the ``qlik-drift`` console script, or ``python -m checker``."""
    return tool("qlik-drift") or [sys.executable, "-m", "checker"]


def repeat_measured(
    command: Sequence[str],
    runs: int,
    *,
    timeout: float,
    expect: Callable[[Sample], None],
    env: dict[str, str] | None = None,
    value: Callable[[Sample], float] = lambda sample: sample.wall,
) -> tuple[Series, list[Sample]]:
    """Run ``command`` ``runs`` times (at most twice when a run is slow)."""
    series = Series()
    samples: list[Sample] = []
    for number in range(runs):
        sample = run_measured(command, timeout=timeout, env=env)
        if sample.timed_out:
            series.timed_out = True
            series.peak_rss_mib.append(sample.peak_rss_mib)
            break
        expect(sample)
        series.add(value(sample), sample.peak_rss_mib)
        samples.append(sample)
        if sample.wall > SLOW_RUN_SECONDS and number >= 1:
            break
    return series, samples


def exit_code(*allowed: int) -> Callable[[Sample], None]:
    def check(sample: Sample) -> None:
        if sample.returncode not in allowed:
            raise CaseError(
                f"exit code {sample.returncode}, expected {allowed}: "
                f"{sample.stderr.strip()[-2000:]}"
            )

    return check


def json_line(sample: Sample) -> dict[str, Any]:
    try:
        result: dict[str, Any] = json.loads(sample.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise CaseError(
            f"no JSON result ({error}): {sample.stderr.strip()[-2000:]}"
        ) from error
    return result


def python(*arguments: str) -> list[str]:
    """Return the command that runs this Python with ``arguments``."""
    return [sys.executable, *arguments]
