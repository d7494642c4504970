"""Benchmark cases that run inside a fresh process and print one JSON line.

``python -m benchmarks.cases diff 10k`` times ``compute_drift`` on the
generated organization; ``deepdiff 10k`` times ``DeepDiff(live, declared,
ignore_order=True)`` on the same tenants; ``check ...`` runs the real
``qlik-drift check`` command line and times its phases. The runner starts
each case in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from benchmarks.generate import (
    Organization,
    build_organization,
    declared_tenants,
    live_tenants,
    parse_size,
)
from checker.model import (
    DeclaredSubscription,
    DeclaredTenant,
    DesiredState,
    LiveState,
    Location,
)


def desired_state(org: Organization) -> DesiredState:
    """Return the desired state the generated manifest declares."""
    state = DesiredState(files=["manifest.yaml"])
    for number, subscription_id in enumerate(org.subscriptions):
        state.subscriptions[subscription_id] = DeclaredSubscription(
            subscription_id, sources=[Location("manifest.yaml", number + 5, 5)]
        )
    for line, tenant in enumerate(declared_tenants(org), start=8):
        state.subscriptions[tenant.subscription_id].tenants.append(
            DeclaredTenant(
                subscription_id=tenant.subscription_id,
                hostname=tenant.hostname,
                region_code=tenant.region_code,
                id=tenant.id if tenant.pin_id else None,
                name=tenant.name,
                status=tenant.status,
                aliases=tuple(tenant.aliases),
                source=Location("manifest.yaml", line, 9),
            )
        )
    return state


def _projected(
    subscription_id: str,
    hostnames: list[str],
    name: str | None,
    region_code: str,
    status: str,
) -> dict[str, Any]:
    return {
        "subscriptionId": subscription_id,
        "hostnames": sorted(h.lower() for h in hostnames),
        "name": name,
        "regionCode": region_code,
        "status": status,
    }


def deepdiff_inputs(
    org: Organization,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the live and declared tenant lists, both in one comparable shape.

    Both sides keep only the compared fields, so a tenant in sync is equal on
    both sides. The tenant id is left out because manifests pin it for only
    some tenants.
    """
    live = [
        _projected(
            t["subscriptionId"], t["hostnames"], t["name"], t["regionCode"], t["status"]
        )
        for t in live_tenants(org)
    ]
    declared = [
        _projected(
            t.subscription_id, [t.hostname, *t.aliases], t.name, t.region_code, t.status
        )
        for t in declared_tenants(org)
    ]
    return live, declared


def case_diff(size: int) -> dict[str, Any]:
    from checker.drift import compute_drift

    org = build_organization(size)
    desired = desired_state(org)
    live = LiveState(
        tenants=live_tenants(org),
        scope="organization",
        subscription_ids=frozenset(org.subscriptions),
    )
    gc.collect()
    started = time.perf_counter()
    items = compute_drift(desired, live)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "counts": dict(Counter(item.kind for item in items))}


def case_deepdiff(size: int) -> dict[str, Any]:
    from deepdiff import DeepDiff

    live, declared = deepdiff_inputs(build_organization(size))
    gc.collect()
    started = time.perf_counter()
    diff = DeepDiff(live, declared, ignore_order=True)
    seconds = time.perf_counter() - started
    reported = sum(len(changes) for changes in diff.values())
    return {"seconds": seconds, "reported": reported}


def _process_cpu() -> float:
    """Return the CPU seconds of this process so far, all threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def _timed(owner: Any, name: str, phases: dict[str, float]) -> Iterator[None]:
    """Time every call of ``owner.name`` into ``phases``, then restore it.

    ``phases[name]`` gets the wall time and ``phases[name + "_cpu"]`` the CPU
    time of the whole process during the calls.
    """
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        cpu_started = _process_cpu()
        try:
            return original(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
            cpu = _process_cpu() - cpu_started
            phases[f"{name}_cpu"] = phases.get(f"{name}_cpu", 0.0) + cpu

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def case_check(arguments: list[str]) -> dict[str, Any]:
    """Run ``qlik-drift check ARGUMENTS``; time manifest loading, the read and the diff.

    The report goes to a discarded stream, so its rendering is timed but not
    printed. The figures of the read phase cover ``read_live_state`` only.
    """
    import io

    import checker.live
    import checker.manifest
    from checker import cli, drift
    from checker.commands import check

    phases: dict[str, float] = {}
    sink = io.StringIO()
    started = time.perf_counter()
    with (
        # The command imports these by name when it runs, so patching the
        # module attributes times the calls it makes.
        _timed(checker.manifest, "load_manifests", phases),
        _timed(check, "read_live", phases),
        _timed(drift, "compute_drift", phases),
        _timed(checker.live, "read_live_state", phases),
        redirect_stdout(sink),
    ):
        code = cli.run(["check", *arguments, "--format", "json"])
    phases["total"] = time.perf_counter() - started
    report = json.loads(sink.getvalue() or "{}")
    return {"exit_code": code, "phases": phases, "report_summary": _summary(report)}


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    counts = Counter(
        item.get("kind") for item in report.get("drift", []) if isinstance(item, dict)
    )
    return {"drift": dict(counts), "tenants_read": report.get("tenantsRead")}


def case_simload(
    url: str, subscription_ids: list[str], seconds: float, threads: int
) -> dict[str, Any]:
    """List subscriptions from ``threads`` threads for ``seconds``; return requests/s.

    Each thread follows next links page by page like the client does, with
    one keep-alive connection. The threads use http.client, which takes less
    CPU per request than requests, so the figure measures the simulator's
    capacity for the requests a check sends rather than this process's.
    """
    import threading
    from http.client import HTTPConnection
    from urllib.parse import urlencode, urlsplit

    import requests

    from benchmarks.generate import CLIENT_ID, CLIENT_SECRET

    token = requests.post(
        f"{url}/oauth/token",
        json={
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "grant_type": "client_credentials",
        },
        timeout=30,
    ).json()["access_token"]
    server = urlsplit(url)
    headers = {"Authorization": f"Bearer {token}"}
    stop_at = time.perf_counter() + seconds
    counts: list[int] = []
    errors: list[int] = []

    def work(offset: int) -> None:
        connection = HTTPConnection(server.hostname or "", server.port, timeout=30)
        done = failed = 0
        position = offset
        while time.perf_counter() < stop_at:
            subscription_id = subscription_ids[position % len(subscription_ids)]
            position += threads
            query = {"filter": f'subscriptionId eq "{subscription_id}"', "limit": "100"}
            path = f"/api/core/tenants?{urlencode(query)}"
            while time.perf_counter() < stop_at:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                done += 1
                if response.status != 200:
                    failed += 1
                    break
                next_link = json.loads(body).get("links", {}).get("next")
                if not next_link:
                    break
                # Follow the link's path and query on the simulator's own URL.
                link = urlsplit(next_link["href"])
                path = f"{link.path}?{link.query}"
        connection.close()
        counts.append(done)
        errors.append(failed)

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": sum(counts),
        "failed": sum(errors),
        "seconds": elapsed,
        "per_second": sum(counts) / elapsed,
    }


def case_phases(path: str) -> dict[str, Any]:
    """Time each phase of validating the manifest at ``path``, in seconds.

    The phases are those of ``load_manifests`` run one after the other with
    the garbage collector paused, as the loader runs them, without a
    profiler's overhead: reading the file, parsing, the schema check,
    building the declared tenants, and lint.
    """
    from checker.manifest import build, lint, parse
    from checker.manifest.schema import ManifestValidator

    started = time.perf_counter()
    phases: dict[str, float] = {}
    gc.disable()

    def timed(name: str, step: Callable[[], Any]) -> Any:
        begin = time.perf_counter()
        value = step()
        phases[name] = time.perf_counter() - begin
        return value

    text = timed("read", lambda: Path(path).read_text(encoding="utf-8"))
    stream = timed("parse", lambda: parse.parse_text(text))
    document = stream.documents[0]
    validator = ManifestValidator()
    timed("schema", lambda: validator.errors(document.data))
    builder = build.DesiredBuilder()
    timed(
        "build",
        lambda: builder.add_document(document, path, build.Blocked.from_paths([])),
    )
    timed(
        "lint",
        lambda: lint.lint(builder.subscriptions, builder.tenants, builder.tenant_paths),
    )
    return {"phases": phases, "total": time.perf_counter() - started}


def case_profile(target: str, argument: str, rows: int = 12) -> dict[str, Any]:
    """Profile ``validate FILE`` or ``diff SIZE`` with cProfile; return the top rows.

    Rows are sorted by cumulative time and cover the work itself: reading
    the manifest for ``validate``, ``compute_drift`` for ``diff``.
    """
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    if target == "validate":
        from checker.manifest import load_manifests

        profiler.runcall(load_manifests, [argument])
    else:
        from checker.drift import compute_drift

        org = build_organization(parse_size(argument))
        live = LiveState(
            tenants=live_tenants(org), subscription_ids=frozenset(org.subscriptions)
        )
        profiler.runcall(compute_drift, desired_state(org), live)
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    entries = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][3],
        reverse=True,
    )
    top: list[dict[str, Any]] = []
    for (filename, line, name), (_, calls, own, cumulative, _) in entries:
        if filename.startswith("<frozen") or len(top) == rows:
            continue
        top.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "calls": calls,
                "own": own,
                "cumulative": cumulative,
            }
        )
    return {"total": total, "rows": top}


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/checker/", "/benchmarks/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return (
                tail if marker == "site-packages/" else marker.strip("/") + "/" + tail
            )
    return filename


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one benchmark case.")
    parser.add_argument(
        "case", choices=["diff", "deepdiff", "check", "simload", "profile", "phases"]
    )
    parser.add_argument("arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.case == "check":
        result = case_check(args.arguments)
    elif args.case == "profile":
        result = case_profile(*args.arguments)
    elif args.case == "phases":
        result = case_phases(args.arguments[0])
    elif args.case == "simload":
        url, subscriptions_file, seconds, threads = args.arguments
        subscriptions = json.loads(Path(subscriptions_file).read_text())[
            "subscriptions"
        ]
        result = case_simload(url, subscriptions, float(seconds), int(threads))
    else:
        size = parse_size(args.arguments[0])
        result = case_diff(size) if args.case == "diff" else case_deepdiff(size)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
