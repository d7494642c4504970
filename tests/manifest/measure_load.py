"""Print how long ``load_manifests`` takes on the given files, and its peak memory.

Usage: ``python tests/manifest/measure_load.py FILE [FILE...] [--repeat N]``.
Each run happens in a fresh subprocess, so the figures include neither a
warm cache nor a previous run's memory. The median, minimum and maximum of
wall time, CPU time and peak resident memory are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_CHILD = """
import json, resource, sys, time
start = time.perf_counter()
cpu = time.process_time()
from checker.manifest import load_manifests
result = load_manifests(sys.argv[1:])
print(json.dumps({
    "wall": time.perf_counter() - start,
    "cpu": time.process_time() - cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "tenants": len(result.desired.tenants),
    "diagnostics": len(result.diagnostics),
}))
"""


def measure(files: list[str], repeat: int) -> list[dict[str, float]]:
    runs = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, "-c", _CHILD, *files],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(output))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    runs = measure(arguments.files, arguments.repeat)
    print(
        f"tenants loaded: {runs[0]['tenants']}, diagnostics: {runs[0]['diagnostics']}"
    )
    for name, unit in (("wall", "s"), ("cpu", "s"), ("peak_mb", "MB")):
        values = [run[name] for run in runs]
        print(
            f"{name:8} median {statistics.median(values):8.3f} {unit}"
            f"  min {min(values):8.3f}  max {max(values):8.3f}"
        )


if __name__ == "__main__":
    main()
