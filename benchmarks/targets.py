"""The targets of the suite, and the profiles that explain the ones not met."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.measure import Series, exit_code, json_line, python, run_measured
from benchmarks.report import Target, fmt_mib, fmt_ratio, fmt_seconds
from benchmarks.suite import (
    FORBIDDEN_ON_VALIDATE,
    LATENCY_MS,
    Suite,
    shown_path,
)


def targets(suite: Suite) -> list[Target]:
    report, sizes = suite.report, suite.settings.sizes
    figures = report.figures
    result: list[Target] = []

    def series(key: str) -> Series | None:
        return figures.get(key)

    big = "100k" if "100k" in sizes else None
    ours, theirs = series(f"validate:{big}:ours"), series(f"validate:{big}:cjs")
    if big and ours and theirs:
        result.append(
            Target(
                "validate 100k: >= 20x faster than check-jsonschema",
                fmt_ratio(theirs.median / ours.median),
                theirs.median / ours.median >= 20,
                "validate",
            )
        )
        result.append(
            Target(
                "validate 100k: <= 1/2 of check-jsonschema's peak memory",
                fmt_ratio(ours.peak_rss / theirs.peak_rss),
                ours.peak_rss / theirs.peak_rss <= 0.5,
                "validate",
            )
        )
    else:
        result.append(Target("validate 100k vs check-jsonschema", "not run", None))
    same = report.same_errors
    if "cjs" in same:
        equal = same["ours"] == same["cjs"] == same["expected"]
        result.append(
            Target(
                "same schema errors found (count and JSON paths)",
                f"{len(same['ours'])} vs {len(same['cjs'])}",
                equal,
            )
        )
    ours, theirs = series("validate:small:ours"), series("validate:small:cjs")
    if ours and theirs:
        result.append(
            Target(
                "validate one small file: <= 1/2 of check-jsonschema's time",
                fmt_ratio(ours.median / theirs.median),
                ours.median / theirs.median <= 0.5,
                "imports",
            )
        )
    result.append(
        Target(
            "no " + ", ".join(FORBIDDEN_ON_VALIDATE) + " on the validate path",
            ", ".join(report.forbidden_imports) or "none imported",
            not report.forbidden_imports,
        )
    )

    diff_big = series("diff:100k")
    if diff_big:
        result.append(
            Target(
                "diff 100k vs 100k: < 1 s",
                fmt_seconds(diff_big.median),
                diff_big.median < 1.0,
                "diff",
            )
        )
    ours, theirs = series("diff:10k"), series("deepdiff:10k")
    if ours and theirs and theirs.values:
        ratio = theirs.median / ours.median
        result.append(
            Target(
                "diff 10k: >= 50x faster than DeepDiff(ignore_order=True)",
                fmt_ratio(ratio),
                ratio >= 50,
            )
        )
    small, diff_big = series("diff:1k"), series("diff:100k")
    if small and diff_big:
        growth = diff_big.median / small.median
        result.append(
            Target(
                "diff time grows linearly, 1k to 100k (<= 100x for 100x tenants)",
                fmt_ratio(growth),
                growth <= 100 * 1.2,
            )
        )

    check = report.checks.get(("100k", "subscriptions"))
    if check:
        ratio = check["read"].median / check["bound"]
        result.append(
            Target(
                "check 100k (subscriptions scope): read <= 1.25x the lower bound",
                fmt_ratio(ratio, "x"),
                ratio <= 1.25,
                "read",
            )
        )
        result.append(
            Target(
                "check 100k: peak RSS < 400 MB",
                fmt_mib(check["wall"].peak_rss),
                check["wall"].peak_rss < 400,
            )
        )
    for (size, scope), figures_ in sorted(report.checks.items()):
        total = sum(figures_["requests"].values())
        minimum = figures_["minimum"]["total"]
        result.append(
            Target(
                f"check {size} ({scope}): no wasted requests",
                f"{total} sent, minimum {minimum}",
                total == minimum,
            )
        )
        within = (
            total <= 5000
            and figures_["wall"].maximum < 300
            and not figures_["throttled"]
        )
        result.append(
            Target(
                f"check {size} ({scope}): inside Tier 1 (5000 per 5 min)",
                f"{total} in {fmt_seconds(figures_['wall'].maximum)}, "
                f"{figures_['throttled']} x 429",
                within,
            )
        )
    if report.simulator and check:
        rate = sum(check["requests"].values()) / check["read"].median
        headroom = report.simulator["per_second"] / rate
        result.append(
            Target(
                "simulator not the bottleneck (>= 2x the check's request rate)",
                fmt_ratio(headroom),
                headroom >= 2,
            )
        )
    return result


def explain(suite: Suite) -> None:
    """Add a section with the profile behind each target that was not met."""
    done: set[str] = set()
    for target in suite.report.targets:
        if target.met is not False or target.profile is None or target.profile in done:
            continue
        done.add(target.profile)
        print(f"profiling {target.profile} ...", file=sys.stderr, flush=True)
        suite.report.explanations.append(EXPLAINERS[target.profile](suite))


def _profile_table(title: str, note: str, arguments: list[str]) -> str:
    sample = run_measured(
        python("-m", "benchmarks.cases", "profile", *arguments), timeout=600
    )
    exit_code(0)(sample)
    profile = json_line(sample)
    shown = " ".join(shown_path(Path(a)) if "/" in a else a for a in arguments)
    lines = [
        f"## Why: {title}",
        "",
        note,
        "",
        f"`python -m benchmarks.cases profile {shown}` (cProfile, "
        f"{fmt_seconds(profile['total'])} in total with the profiler's overhead):",
        "",
        "| function | calls | own time | cumulative |",
        "|---|---|---|---|",
    ]
    for row in profile["rows"]:
        lines.append(
            f"| `{row['function']}` | {row['calls']} | "
            f"{fmt_seconds(row['own'])} | {fmt_seconds(row['cumulative'])} |"
        )
    return "\n".join(lines) + "\n"


def _explain_validate(suite: Suite) -> str:
    data = suite.data["100k"]
    return _profile_table(
        "validating 100k tenants",
        "Where `load_manifests` spends its time on the 100k-tenant file.",
        ["validate", str(data.manifest)],
    )


def _explain_diff(suite: Suite) -> str:
    return _profile_table(
        "the 100k diff",
        "Where `compute_drift` spends its time at 100k tenants.",
        ["diff", "100k"],
    )


def _explain_imports(suite: Suite) -> str:
    lines = [
        "## Why: validating one small file",
        "",
        "Start-up dominates a small file: the modules below, by cumulative import "
        "time (`python -X importtime -m checker validate "
        "examples/manifests/emea.yaml`, top-level imports only).",
        "",
        "| module | cumulative import time |",
        "|---|---|",
    ]
    for micros, name in suite.report.import_times:
        lines.append(f"| `{name}` | {fmt_seconds(micros / 1e6)} |")
    return "\n".join(lines) + "\n"


def _explain_read(suite: Suite) -> str:
    check = suite.report.checks[("100k", "subscriptions")]
    requests = sum(check["requests"].values())
    read = check["read"].median
    client_cpu = sorted(check["read_cpu"])[len(check["read_cpu"]) // 2]
    lines = [
        "## Why: the 100k read in the subscriptions scope",
        "",
        f"The read took {fmt_seconds(read)} against a bound of "
        f"{fmt_seconds(check['bound'])}.",
        "",
        f"- Chains: each subscription's pages form one cursor chain. The workers "
        f"take turns on the chains, a page at a time, so with every request at "
        f"exactly {LATENCY_MS} ms the read would take "
        f"{fmt_seconds(check['schedule'])} "
        f"({fmt_ratio(check['schedule'] / check['bound'], 'x')} the bound).",
        f"- CPU: the check process used {fmt_seconds(client_cpu)} of CPU during the "
        f"read, {client_cpu / requests * 1000:.1f} ms per request for "
        f"{requests} requests, and the simulator {fmt_seconds(check['sim_cpu'])} "
        "in its own process. Python runs the client's threads one at a time (the "
        "GIL), so a response that arrives while another thread parses a page "
        "waits. The "
        f"machine has {suite.report.machine.get('cores')} cores for the client, the "
        "simulator and anything else running (load average "
        f"{suite.report.machine.get('load')} at the start).",
        "",
        "What the client spends per request, from cProfile of one worker with no "
        "latency: most of it in requests, urllib3 and http.client (preparing the "
        "request, reading the status line and headers), then `json.loads` of the "
        "100-tenant page, then the tenant shape checks. The proxy and CA settings "
        "of the environment are read once per client, not per request. The first "
        "run against a fresh simulator is slower than the others because the "
        "simulator serializes each tenant the first time it serves it.",
    ]
    return "\n".join(lines) + "\n"


EXPLAINERS: dict[str, Callable[[Suite], str]] = {
    "validate": _explain_validate,
    "diff": _explain_diff,
    "imports": _explain_imports,
    "read": _explain_read,
}
