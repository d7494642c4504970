"""Run the Organization API simulator in its own process for the benchmarks.

The check under test runs in another process, so the simulator's CPU time
and memory are not counted in the check's figures. The launcher prints one
JSON line with the URL, then reads commands from standard input, one per
line, and replies to each with one JSON line:

- ``stats``: the request counts since the last reset, by endpoint and status,
  and the simulator's CPU seconds so far;
- ``reset``: set the request counts to zero;
- ``stop`` or end of input: stop the server and exit.

``python -m benchmarks.simserver STATE --latency-ms 20``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from typing import Any

from checker.simulator import Fault, FaultPlan, Simulator, load_state


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stats(simulator: Simulator) -> dict[str, Any]:
    stats = simulator.stats
    return {
        "total": stats.total,
        "by_endpoint": stats.by_endpoint,
        "by_status": {str(code): n for code, n in stats.by_status.items()},
        "cpu_seconds": _cpu_seconds(),
    }


def _reply(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Serve a simulator for the benchmarks."
    )
    parser.add_argument("state", help="simulator state file (JSON or YAML)")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="delay added to every request, the token request included, in ms",
    )
    args = parser.parse_args(argv)

    faults: tuple[Fault, ...] = ()
    if args.latency_ms:
        faults = (Fault(kind="latency", endpoint="any", latency_ms=args.latency_ms),)
    state = load_state(args.state)
    simulator = Simulator(state, faults=FaultPlan(faults=faults))
    simulator.start()
    try:
        _reply({"url": simulator.url, "tenants": len(state.tenants)})
        # Bounded by the runner: it closes standard input when it is done.
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                _reply(_stats(simulator))
            elif command == "reset":
                simulator.stats.reset()
                _reply({"reset": True})
            elif command == "stop":
                break
            else:
                _reply(
                    {"error": f"unknown command {command!r}: use stats, reset or stop"}
                )
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
