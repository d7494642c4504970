"""Read the live state of an organization completely, or raise."""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from checker.collector import collection_paused
from checker.errors import (
    ApiError,
    ForeignSubscriptionError,
    IncompleteReadError,
    PermissionDeniedError,
    UsageError,
)
from checker.live.client import OrgApiClient, subscription_filter
from checker.live.config import ClientConfig
from checker.live.responses import CHANGED_HINT
from checker.live.shapes import duplicate_problem
from checker.live.transport import ReadCancelledError
from checker.model import LiveState, Location

logger = logging.getLogger(__name__)

Scope = Literal["organization", "subscriptions"]
# progress(tenants_read, total): total is None until the API has reported it.
ProgressCallback = Callable[[int, int | None], None]
SourceMap = Mapping[str, Location | Sequence[Location]]

T = TypeVar("T")

# Returned by next() when a chain has no more pages.
_END = object()


def read_live_state(
    config: ClientConfig,
    subscription_ids: Iterable[str],
    *,
    scope: Scope = "organization",
    subscription_sources: SourceMap | None = None,
    progress: ProgressCallback | None = None,
    pinned_ids: Iterable[str] = (),
) -> LiveState:
    """Read the tenants of the organization, or of the declared subscriptions.

    ``organization`` counts the tenants of each declared subscription (which
    also proves the subscription belongs to the organization), lists the
    whole organization once, and checks the listing against the counts.
    ``subscriptions`` lists only the declared subscriptions, each with a
    ``subscriptionId eq`` filter. Subscriptions are read concurrently, at most
    ``config.concurrency`` at a time. ``progress`` is called from worker
    threads, one call at a time.

    With ``subscriptions``, a tenant whose id the manifests pin but that is
    not in any declared subscription is read by id (``pinned_ids``), so a
    tenant moved out of the declared subscriptions shows as moved rather
    than missing.

    Raises an ``ApiError`` subclass when anything could not be read
    completely: a partial ``LiveState`` is never returned.
    """
    if scope not in ("organization", "subscriptions"):
        raise UsageError(f"unknown scope {scope!r}: use organization or subscriptions")
    ids = list(dict.fromkeys(subscription_ids))
    read_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    with (
        collection_paused(),
        OrgApiClient(config) as client,
        client.deadline.scope(),
    ):
        reader = _Reader(client, subscription_sources or {}, progress)
        try:
            if scope == "organization":
                tenants = reader.read_organization(ids)
            else:
                tenants = reader.read_subscriptions(ids)
                tenants.extend(reader.read_pinned_elsewhere(pinned_ids))
        except BaseException:
            client.deadline.cancel()  # wakes workers that still sleep
            raise

    # A tenant id or hostname on two tenants would show as false drift.
    duplicate = duplicate_problem(tenants)
    if duplicate is not None:
        raise IncompleteReadError(
            f"the Organization API returned an inconsistent tenant list: {duplicate}",
            hint=CHANGED_HINT,
        )
    logger.info("read %d tenants (%s scope)", len(tenants), scope)
    return LiveState(
        tenants=tenants,
        scope=scope,
        subscription_ids=frozenset(ids),
        org_url=config.org_url,
        read_at=read_at,
    )


class _Reader:
    def __init__(
        self,
        client: OrgApiClient,
        sources: SourceMap,
        progress: ProgressCallback | None,
    ) -> None:
        self._client = client
        self._sources = sources
        self._progress = progress
        self._lock = threading.Lock()
        self._read = 0
        self._totals: dict[str, int] = {}
        self._expected_totals = 0
        # The subscription that listed each tenant id, filled page by page.
        self._owners: dict[str, str] = {}
        # True once _claim saw two subscriptions list the same tenant.
        self._listed_twice = False

    def read_organization(self, ids: list[str]) -> list[dict[str, Any]]:
        counts = self._run_each(ids, self._count)
        tenants: list[dict[str, Any]] = []
        total: int | None = None
        for page in self._client.iter_pages(None, total=True):
            tenants.extend(page.tenants)
            if total is None:
                total = page.total_results
            self._report(len(page.tenants), total)
        _cross_check(ids, counts, tenants)
        return tenants

    def read_subscriptions(self, ids: list[str]) -> list[dict[str, Any]]:
        self._expected_totals = len(ids)
        per_subscription: dict[str, list[dict[str, Any]]] = {sid: [] for sid in ids}
        self._run_chains(
            ids, lambda sid: self._list_subscription(sid, per_subscription[sid])
        )
        if self._listed_twice:
            _check_owners(ids, per_subscription)
        return [tenant for sid in ids for tenant in per_subscription[sid]]

    def read_pinned_elsewhere(self, pinned_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Read by id the pinned tenants that no declared subscription listed.

        Call it after ``read_subscriptions``, which records the listed ids.
        """
        wanted = [
            tenant_id
            for tenant_id in dict.fromkeys(pinned_ids)
            if tenant_id not in self._owners
        ]
        found = self._run_each(wanted, self._client.get_tenant)
        return [tenant for tenant_id in wanted if (tenant := found[tenant_id]) is not None]

    def _count(self, subscription_id: str) -> int:
        try:
            return self._client.count(subscription_filter(subscription_id))
        except PermissionDeniedError as exc:
            raise self._forbidden(subscription_id, exc) from exc

    def _list_subscription(
        self, subscription_id: str, tenants: list[dict[str, Any]]
    ) -> Iterator[None]:
        """List one subscription into ``tenants``, yielding after each page."""
        action = f"listing subscription {subscription_id}"
        try:
            pages = self._client.iter_pages(
                subscription_filter(subscription_id), total=True
            )
            for page in pages:
                for tenant in page.tenants:
                    owner = tenant.get("subscriptionId")
                    if owner not in (None, subscription_id):
                        raise IncompleteReadError(
                            f"{action}: the API returned tenant {tenant['id']} of "
                            f"subscription {owner}, outside the filter",
                        )
                self._claim(subscription_id, page.tenants)
                tenants.extend(page.tenants)
                self._report(len(page.tenants), page.total_results, subscription_id)
                yield
        except PermissionDeniedError as exc:
            raise self._forbidden(subscription_id, exc) from exc

    def _claim(self, subscription_id: str, tenants: list[dict[str, Any]]) -> None:
        """Record which subscription listed each tenant, and note a tenant
        that two subscriptions listed.

        Workers call this as pages arrive, while other workers wait for the
        network, rather than in one pass over every tenant after the read.
        The error for such a tenant comes from ``_check_owners`` once every
        listing succeeded, in declared order, because pages arrive in any
        order and the error must not depend on which came first.
        """
        with self._lock:
            owners = self._owners
            for tenant in tenants:
                if owners.setdefault(tenant["id"], subscription_id) != subscription_id:
                    self._listed_twice = True

    def _forbidden(
        self, subscription_id: str, error: PermissionDeniedError
    ) -> ApiError:
        """Tell a foreign subscription from a client without org permission.

        Both get a 403 response, so one unfiltered request decides. It fails
        too when the client lacks organization permission.
        """
        try:
            self._client.check_access()
        except PermissionDeniedError as denied:
            return denied
        return ForeignSubscriptionError(
            f"subscription {subscription_id} does not belong to this organization",
            hint=self._foreign_hint(subscription_id),
            status=error.status,
            trace_id=error.trace_id,
        )

    def _foreign_hint(self, subscription_id: str) -> str:
        source = self._sources.get(subscription_id)
        if isinstance(source, Location):
            locations = [source]
        else:
            locations = list(source or [])
        fix = (
            "fix the subscription id, or check it with the OAuth client "
            "of its organization"
        )
        if not locations:
            return fix
        where = ", ".join(str(location) for location in locations)
        return f"declared at {where}: {fix}"

    def _report(
        self, tenants_read: int, total: int | None, subscription_id: str | None = None
    ) -> None:
        if self._progress is None:
            return
        with self._lock:
            self._read += tenants_read
            if subscription_id is None:
                shown_total = total
            else:
                if total is not None:
                    self._totals.setdefault(subscription_id, total)
                shown_total = None
                if len(self._totals) == self._expected_totals:
                    shown_total = sum(self._totals.values())
            self._progress(self._read, shown_total)

    def _run_each(self, ids: list[str], work: Callable[[str], T]) -> dict[str, T]:
        """Run ``work`` once for each id on the bounded pool of ``_run_chains``."""
        results: dict[str, T] = {}

        def one_step(sid: str) -> Iterator[None]:
            results[sid] = work(sid)
            # A generator that ends at its first step, so it is never queued again.
            yield from ()

        self._run_chains(ids, one_step)
        return {sid: results[sid] for sid in ids}

    def _run_chains(
        self, ids: list[str], start: Callable[[str], Iterator[None]]
    ) -> None:
        """Follow one cursor chain per id, a page at a time, on a bounded pool.

        Each chain yields once per page. A worker takes the chain that has
        waited longest, reads its next page and puts it back at the end of
        the queue, so all chains advance together and end at about the same
        time: no worker sits idle at the end while one long chain finishes.

        The first error stops every worker at its next request or wait. When
        several chains fail, the error of the first id in ``ids`` is raised,
        so that the message does not depend on thread timing.

        NOTE: a worker blocked in a socket read stops only when the read
        returns or hits ``read_timeout``, so an interrupt may wait that long
        for the worker threads to end.
        """
        if not ids:
            return
        queue = deque((sid, start(sid)) for sid in ids)
        errors: dict[str, BaseException] = {}
        # Chains whose next page a worker is reading. They return to the queue.
        busy = 0
        ready = threading.Condition()

        def work() -> None:
            nonlocal busy
            while True:
                with ready:
                    while not queue and busy and not errors:
                        ready.wait()
                    if errors or not queue:
                        return
                    sid, chain = queue.popleft()
                    busy += 1
                failed: BaseException | None = None
                try:
                    more = next(chain, _END) is not _END
                except BaseException as exc:  # re-raised by the caller
                    failed, more = exc, False
                with ready:
                    busy -= 1
                    if failed is not None:
                        errors[sid] = failed
                        self._client.deadline.cancel()
                    elif more:
                        queue.append((sid, chain))
                    ready.notify_all()

        workers = min(self._client.config.concurrency, len(ids))
        pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="qlik-drift-read"
        )
        try:
            wait([pool.submit(work) for _ in range(workers)])
        except BaseException:
            self._client.deadline.cancel()
            with ready:
                errors.setdefault("", ReadCancelledError("the read was cancelled"))
                ready.notify_all()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        _raise_first(ids, errors)


def _raise_first(ids: list[str], errors: Mapping[str, BaseException]) -> None:
    """Raise the error of the first id in ``ids`` that failed for a reason of
    its own; a cancellation only when nothing else failed."""
    cancelled: BaseException | None = None
    for sid in ids:
        error = errors.get(sid)
        if isinstance(error, ReadCancelledError):
            cancelled = cancelled or error
        elif error is not None:
            raise error
    if cancelled is not None or errors:
        raise cancelled or next(iter(errors.values()))


def _check_owners(
    ids: list[str], per_subscription: Mapping[str, list[dict[str, Any]]]
) -> None:
    """Raise for the first tenant, in declared order, that two subscriptions listed."""
    owners: dict[str, str] = {}
    for sid in ids:
        for tenant in per_subscription[sid]:
            other = owners.setdefault(tenant["id"], sid)
            if other != sid:
                raise IncompleteReadError(
                    f"tenant {tenant['id']} was listed under subscriptions "
                    f"{other} and {sid}",
                    hint=CHANGED_HINT,
                )


def _cross_check(
    ids: list[str], counts: Mapping[str, int], tenants: list[dict[str, Any]]
) -> None:
    listed = Counter(tenant.get("subscriptionId") for tenant in tenants)
    mismatches = [
        f"subscription {sid}: {listed[sid]} listed, {counts[sid]} counted"
        for sid in ids
        if listed[sid] != counts[sid]
    ]
    if mismatches:
        raise IncompleteReadError(
            "the organization listing does not match the tenant counts ("
            + "; ".join(mismatches)
            + ")",
            hint=CHANGED_HINT,
        )
