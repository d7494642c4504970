"""Run the benchmark suite and write the results table to ``benchmarks/RESULTS.md``.

    python -m benchmarks.run [--sizes 1k,10k,100k] [--repeat 5] [--quick]

Every case runs in a fresh process, several times; the tables show the
median, min and max, and the peak RSS of the largest run. The suite prints
figures and compares them with the targets in its first table. A missed
target does not change the exit code: it is 2 only when a case could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import sys
import time
from pathlib import Path

from benchmarks import generate
from benchmarks.measure import CaseError
from benchmarks.report import Report
from benchmarks.steps import STEP_NAMES, STEPS
from benchmarks.suite import DEEPDIFF_TIMEOUT, RESULTS, Settings, Suite
from benchmarks.targets import explain, targets


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("qlik-drift", "check-jsonschema", "deepdiff", "jsonschema"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing tool is shown as such
            versions[name] = "not installed"
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "system": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **versions,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Run the qlik-drift benchmarks and write benchmarks/RESULTS.md.",
    )
    parser.add_argument(
        "--sizes",
        default="1k,10k,100k",
        help="comma-separated organization sizes (default: 1k,10k,100k)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs per case; runs over 10 s stop after 2 (default: 5)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1k tenants, one run per case, DeepDiff at 1k only",
    )
    parser.add_argument(
        "--deepdiff-timeout",
        type=float,
        default=DEEPDIFF_TIMEOUT,
        help="seconds before a DeepDiff run is killed (default: 120)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated steps to run: " + ", ".join(STEP_NAMES),
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="Markdown file to write (default: benchmarks/RESULTS.md)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=generate.DATA_DIR,
        help="folder for the generated data (default: benchmarks/data)",
    )
    return parser


def parse_args(argv: list[str] | None) -> Settings:
    parser = build_parser()
    args = parser.parse_args(argv)

    sizes = (
        ["1k"]
        if args.quick
        else [s.strip() for s in args.sizes.split(",") if s.strip()]
    )
    for size in sizes:
        try:
            generate.parse_size(size)
        except ValueError as error:
            parser.error(str(error))
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(STEP_NAMES))
    if unknown:
        parser.error(f"unknown step {unknown[0]!r}: use {', '.join(STEP_NAMES)}")

    shown = [
        "python",
        "-m",
        "benchmarks.run",
        *(argv if argv is not None else sys.argv[1:]),
    ]
    return Settings(
        sizes=sizes,
        repeat=1 if args.quick else args.repeat,
        quick=args.quick,
        deepdiff_timeout=args.deepdiff_timeout,
        output=args.output,
        command=shlex.join(shown),
        only=only,
        data_dir=args.data_dir,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    started = time.perf_counter()
    suite = Suite(settings, Report(settings.command, machine()))
    for size in settings.sizes:
        print(f"preparing {size} ...", file=sys.stderr, flush=True)
        suite.data[size] = generate.ensure(size, settings.data_dir)
    for name, step in STEPS.items():
        if settings.only and name not in settings.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            step(suite)
        except CaseError as error:
            print(f"benchmark {name} could not run: {error}", file=sys.stderr)
            return 2
    suite.report.targets = targets(suite)
    explain(suite)
    suite.report.finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    suite.report.duration = time.perf_counter() - started
    suite.report.machine["load at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = suite.report.render()
    print(text)
    from checker.fsutil import atomic_write_text

    atomic_write_text(settings.output, text)
    print(f"wrote {settings.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
