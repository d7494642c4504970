"""The benchmark steps: each runs its cases and adds a table to the report."""

from __future__ import annotations

import compileall
import json
import os
import re
from collections.abc import Callable
from typing import Any

from benchmarks import generate
from benchmarks.measure import (
    REPO,
    SLOW_RUN_SECONDS,
    Series,
    exit_code,
    json_line,
    python,
    qlik_drift,
    repeat_measured,
    run_measured,
    tool,
)
from benchmarks.report import Table, fmt_mib, fmt_ratio, fmt_seconds
from benchmarks.simulation import (
    SimulatorProcess,
    check_bound,
    minimum_requests,
    schedule_bound,
)
from benchmarks.suite import (
    CONCURRENCY,
    FORBIDDEN_ON_VALIDATE,
    LATENCY_MS,
    SCHEMA,
    SIMLOAD_SECONDS,
    SMALL_MANIFEST,
    Suite,
    shown_path,
    times,
)


def bench_validate(suite: Suite) -> None:
    cjs = tool("check-jsonschema")
    compile_bytecode()
    table = suite.report.table(
        "Validate: qlik-drift vs check-jsonschema",
        "Wall time of the whole command, start-up included, and peak RSS. "
        "check-jsonschema gets `--schemafile schemas/manifest.schema.json` on "
        "the same files. Ratios: time = check-jsonschema / qlik-drift; "
        "memory = qlik-drift / check-jsonschema. Both read their modules from "
        "bytecode caches, as after `pip install`: the suite compiles `checker/` "
        "first, because PYTHONDONTWRITEBYTECODE would otherwise make every run "
        "of an editable install compile it again.",
        [
            "case",
            "tool",
            "runs",
            "median",
            "min",
            "max",
            "peak RSS",
            "time ratio",
            "memory ratio",
        ],
    )
    cases: list[tuple[str, str, list[str]]] = [
        ("small file (emea.yaml)", "small", [str(SMALL_MANIFEST)])
    ]
    for size in suite.settings.sizes:
        data = suite.data[size]
        cases.append((f"{size}, one file", size, [str(data.manifest)]))
        files = [str(path) for path in data.subscription_files()]
        cases.append((f"{size}, {len(files)} files", f"{size}-files", files))

    for label, key, files in cases:
        ours, _ = repeat_measured(
            [*qlik_drift(), "validate", *files],
            suite.settings.repeat,
            timeout=600,
            expect=exit_code(0),
        )
        table.row(label, "qlik-drift", len(ours.values), *times(ours), "", "")
        suite.report.figures[f"validate:{key}:ours"] = ours
        if cjs is None:
            table.row(label, "check-jsonschema", 0, "not installed", "", "", "", "", "")
            continue
        theirs, _ = repeat_measured(
            [*cjs, "--schemafile", str(SCHEMA), *files],
            suite.settings.repeat,
            timeout=600,
            expect=exit_code(0),
        )
        suite.report.figures[f"validate:{key}:cjs"] = theirs
        table.row(
            label,
            "check-jsonschema",
            len(theirs.values),
            *times(theirs),
            fmt_ratio(theirs.median / ours.median),
            fmt_ratio(ours.peak_rss / theirs.peak_rss),
        )


def compile_bytecode() -> None:
    """Write the ``__pycache__`` files of ``checker/``, as ``pip install`` does."""
    compileall.compile_dir(REPO / "checker", quiet=1)


def bench_same_errors(suite: Suite) -> None:
    """Compare the schema errors both tools find with the injected ones."""
    data = suite.data[min(suite.settings.sizes, key=generate.parse_size)]
    expected = sorted(data.expected_data()["injectedErrors"])

    ours_sample = run_measured(
        [*qlik_drift(), "validate", "--format", "json", str(data.invalid_manifest)],
        timeout=300,
    )
    exit_code(1)(ours_sample)
    ours = sorted(
        d["jsonPath"]
        for d in json.loads(ours_sample.stdout)["diagnostics"]
        if str(d.get("ruleId", "")).startswith("schema/")
    )

    table = suite.report.table(
        "Same errors: injected schema errors",
        f"`{shown_path(data.invalid_manifest)}` has {len(expected)} schema errors "
        "injected, one per kind of rule. check-jsonschema reports a missing or unknown "
        "key at the object that contains it, so its path is extended with the key "
        "named in the message before the comparison.",
        ["tool", "errors", "JSON paths equal to the injected ones"],
    )
    table.row("qlik-drift", len(ours), "yes" if ours == expected else f"no: {ours}")
    suite.report.same_errors = {"expected": expected, "ours": ours}

    cjs = tool("check-jsonschema")
    if cjs is None:
        table.row("check-jsonschema", "not installed", "")
        return
    sample = run_measured(
        [*cjs, "-o", "json", "--schemafile", str(SCHEMA), str(data.invalid_manifest)],
        timeout=300,
    )
    exit_code(1)(sample)
    theirs = sorted(_cjs_paths(json.loads(sample.stdout)))
    suite.report.same_errors["cjs"] = theirs
    table.row(
        "check-jsonschema",
        len(theirs),
        "yes" if theirs == expected else f"no: {theirs}",
    )


def _cjs_paths(output: dict[str, Any]) -> list[str]:
    paths = []
    for error in output.get("errors", []):
        path, message = error["path"], error["message"]
        required = re.match(r"'([^']+)' is a required property", message)
        unexpected = re.search(r"\((.*) (?:was|were) unexpected\)", message)
        if required:
            paths.append(f"{path}.{required.group(1)}")
        elif unexpected:
            keys = re.findall(r"'([^']+)'", unexpected.group(1))
            paths.extend(f"{path}.{key}" for key in keys)
        else:
            paths.append(path)
    return paths


def bench_imports(suite: Suite) -> None:
    sample = run_measured(
        python("-X", "importtime", "-m", "checker", "validate", str(SMALL_MANIFEST)),
        timeout=120,
    )
    exit_code(0)(sample)
    modules = set()
    total_us = 0
    cumulative: list[tuple[int, str]] = []
    for line in sample.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        name = parts[-1].strip()
        modules.add(name.split(".")[0])
        if parts[0].split(":")[1].strip().isdigit():
            total_us += int(parts[0].split(":")[1])
            # Top-level entries only: their cumulative time includes their children.
            if not parts[-1].startswith("  "):
                cumulative.append((int(parts[1]), name))
    suite.report.import_times = sorted(cumulative, reverse=True)[:12]
    loaded = [name for name in FORBIDDEN_ON_VALIDATE if name in modules]
    suite.report.forbidden_imports = loaded
    table = suite.report.table(
        "Imports on the validate path",
        "`python -X importtime -m checker validate examples/manifests/emea.yaml`",
        [
            "modules imported",
            "import time (self, summed)",
            "of " + ", ".join(FORBIDDEN_ON_VALIDATE) + ", imported",
        ],
    )
    table.row(len(modules), fmt_seconds(total_us / 1e6), ", ".join(loaded) or "none")


# Diff


def bench_diff(suite: Suite) -> None:
    table = suite.report.table(
        "Diff: drift engine vs DeepDiff(ignore_order=True)",
        "`compute_drift` on the generated desired and live states, timed in-process "
        "(first call, which includes importing deepdiff for the pairs that differ), "
        "and `DeepDiff(live, declared, ignore_order=True)` on the same tenants, both "
        "sides reduced to the compared fields. Ratio = DeepDiff / drift engine.",
        [
            "tenants",
            "engine",
            "runs",
            "median",
            "min",
            "max",
            "peak RSS",
            "per 1k tenants",
            "ratio",
            "drift found = expected",
        ],
    )
    for size in suite.settings.sizes:
        count = generate.parse_size(size)
        expected = suite.data[size].expected_data()["drift"]["organization"]
        ours, samples = repeat_measured(
            python("-m", "benchmarks.cases", "diff", size),
            suite.settings.repeat,
            timeout=300,
            expect=exit_code(0),
            value=lambda sample: float(json_line(sample)["seconds"]),
        )
        found = json_line(samples[-1])["counts"]
        correct = all(found.get(kind, 0) == n for kind, n in expected.items())
        suite.report.figures[f"diff:{size}"] = ours
        table.row(
            size,
            "qlik-drift",
            len(ours.values),
            *times(ours),
            fmt_seconds(ours.median / count * 1000),
            "",
            "yes" if correct else f"no: {found}",
        )
        if not correct:
            suite.report.failures.append(
                f"diff {size}: found {found}, expected {expected}"
            )

        if suite.settings.quick and count > 1000:
            continue
        timeout = suite.settings.deepdiff_timeout
        theirs, _ = repeat_measured(
            python("-m", "benchmarks.cases", "deepdiff", size),
            1 if count >= 10_000 else suite.settings.repeat,
            timeout=timeout,
            expect=exit_code(0),
            value=lambda sample: float(json_line(sample)["seconds"]),
        )
        suite.report.figures[f"deepdiff:{size}"] = theirs
        if theirs.timed_out:
            table.row(
                size,
                "DeepDiff",
                0,
                f"> {timeout:.0f} s (killed)",
                "",
                "",
                fmt_mib(theirs.peak_rss),
                "",
                f"> {timeout / ours.median:.0f}x",
                "",
            )
            continue
        table.row(
            size,
            "DeepDiff",
            len(theirs.values),
            *times(theirs),
            fmt_seconds(theirs.median / count * 1000),
            fmt_ratio(theirs.median / ours.median),
            "",
        )


# Check against the simulator


def bench_check(suite: Suite) -> None:
    table = suite.report.table(
        f"Check against the simulator ({LATENCY_MS} ms latency per request)",
        "`qlik-drift check FILE --org-url URL --scope SCOPE --concurrency "
        f"{CONCURRENCY}` against a simulator in its own process "
        "(`python -m benchmarks.simserver`). *wall* is the whole command; *read* is "
        "the time in `read_live_state`. *bound* is the lower bound of the read: "
        "ceil(pages / concurrency) x latency in the subscriptions scope, plus "
        "ceil(reads by id / concurrency) x latency for the pinned tenants that no "
        "listing returned, and the counts plus one sequential cursor chain of "
        "pages x latency in the organization scope. Requests are shown as "
        "token+count+list+get. *schedule* is the read's time if every request took "
        "exactly the latency, given that each subscription's pages are one chain "
        "and the workers take turns on the chains, a page at a time. *CPU* columns are the CPU seconds of the check process "
        "during the read and of the simulator during the whole run. Requests are "
        "counted by the simulator.",
        [
            "tenants",
            "scope",
            "runs",
            "wall",
            "read (median)",
            "read min-max",
            "bound",
            "schedule",
            "read / bound",
            "requests",
            "minimum",
            "HTTP 429",
            "peak RSS",
            "check CPU (read)",
            "simulator CPU",
            "drift = expected",
        ],
    )
    for size in suite.settings.sizes:
        data = suite.data[size]
        expected = data.expected_data()
        with SimulatorProcess(data.state, latency_ms=LATENCY_MS) as simulator:
            for scope in ("subscriptions", "organization"):
                _check_case(suite, table, size, scope, simulator, expected)


def _check_case(
    suite: Suite,
    table: Table,
    size: str,
    scope: str,
    simulator: SimulatorProcess,
    expected: dict[str, Any],
) -> None:
    data = suite.data[size]
    command = python(
        "-m",
        "benchmarks.cases",
        "check",
        str(data.manifest),
        "--org-url",
        simulator.url,
        "--scope",
        scope,
        "--concurrency",
        str(CONCURRENCY),
        "--timeout",
        "600",
        "--progress",
        "never",
    )
    env = {**os.environ, **simulator.credentials_env()}
    reads: list[float] = []
    read_cpu: list[float] = []
    walls = Series()
    runs = 0
    stats_list = []
    result: dict[str, Any] = {}
    for _ in range(suite.settings.repeat):
        simulator.reset()
        cpu_before = simulator.stats()["cpu_seconds"]
        sample = run_measured(command, timeout=900, env=env)
        exit_code(0, 1)(sample)
        result = json_line(sample)
        stats = simulator.stats()
        stats["cpu_seconds"] -= cpu_before
        stats_list.append(stats)
        reads.append(result["phases"]["read_live_state"])
        read_cpu.append(result["phases"]["read_live_state_cpu"])
        walls.add(sample.wall, sample.peak_rss_mib)
        runs += 1
        if sample.wall > SLOW_RUN_SECONDS and runs >= 2:
            break

    read = Series()
    for seconds, rss in zip(reads, walls.peak_rss_mib, strict=True):
        read.add(seconds, rss)
    counts = stats_list[-1]["by_endpoint"]
    minimum = minimum_requests(expected, scope)
    bound = check_bound(minimum, scope, CONCURRENCY, LATENCY_MS / 1000)
    schedule = schedule_bound(expected, scope, CONCURRENCY, LATENCY_MS / 1000)
    found = result["report_summary"]["drift"]
    wanted = expected["drift"][scope]
    correct = all(found.get(kind, 0) == n for kind, n in wanted.items())
    throttled = sum(s["by_status"].get("429", 0) for s in stats_list)
    sim_cpu = max(s["cpu_seconds"] for s in stats_list)
    suite.report.checks[(size, scope)] = {
        "read": read,
        "wall": walls,
        "bound": bound,
        "schedule": schedule,
        "requests": counts,
        "read_cpu": read_cpu,
        "minimum": minimum,
        "throttled": throttled,
        "sim_cpu": sim_cpu,
        "correct": correct,
    }
    table.row(
        size,
        scope,
        runs,
        fmt_seconds(walls.median),
        fmt_seconds(read.median),
        f"{fmt_seconds(read.minimum)}-{fmt_seconds(read.maximum)}",
        fmt_seconds(bound),
        fmt_seconds(schedule),
        fmt_ratio(read.median / bound, "x"),
        _by_kind(sum(counts.values()), counts),
        _by_kind(minimum["total"], minimum),
        throttled,
        fmt_mib(walls.peak_rss),
        fmt_seconds(sorted(read_cpu)[len(read_cpu) // 2]),
        fmt_seconds(sim_cpu),
        "yes" if correct else f"no: {found}",
    )
    if not correct:
        suite.report.failures.append(
            f"check {size} {scope}: found {found}, expected {wanted}"
        )


def _by_kind(total: int, counts: dict[str, int]) -> str:
    kinds = "+".join(
        str(counts.get(kind, 0)) for kind in ("token", "count", "list", "get")
    )
    return f"{total} ({kinds})"


def bench_simulator(suite: Suite) -> None:
    size = suite.largest
    data = suite.data[size]
    with SimulatorProcess(data.state, latency_ms=0) as simulator:
        cpu_before = simulator.stats()["cpu_seconds"]
        sample = run_measured(
            python(
                "-m",
                "benchmarks.cases",
                "simload",
                simulator.url,
                str(data.expected),
                str(SIMLOAD_SECONDS),
                str(CONCURRENCY),
            ),
            timeout=120,
        )
        exit_code(0)(sample)
        load = json_line(sample)
        cpu = simulator.stats()["cpu_seconds"] - cpu_before
    suite.report.simulator = load
    check = suite.report.checks.get((size, "subscriptions"))
    needed = None
    if check:
        needed = sum(check["requests"].values()) / check["read"].median
    table = suite.report.table(
        "Simulator alone (no latency)",
        f"{CONCURRENCY} threads list the {size} organization's subscriptions page by "
        f"page (limit 100) for {SIMLOAD_SECONDS:g} s, over keep-alive http.client "
        "connections, from a process of their own. *Check rate* is the request "
        "rate the check above reached in the subscriptions scope.",
        [
            "tenants",
            "requests",
            "failed",
            "requests/s",
            "simulator CPU",
            "check rate",
            "headroom",
        ],
    )
    table.row(
        size,
        load["requests"],
        load["failed"],
        f"{load['per_second']:.0f}",
        fmt_seconds(cpu),
        f"{needed:.0f}/s" if needed else "n/a",
        fmt_ratio(load["per_second"] / needed) if needed else "n/a",
    )


STEPS: dict[str, Callable[[Suite], None]] = {
    "validate": bench_validate,
    "errors": bench_same_errors,
    "imports": bench_imports,
    "diff": bench_diff,
    "check": bench_check,
    "simulator": bench_simulator,
}
STEP_NAMES = tuple(STEPS)
