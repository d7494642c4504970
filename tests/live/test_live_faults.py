"""The fault matrix: each simulator fault alone and combined, over several pages
and subscriptions, in both scopes. A read returns exactly the simulator's
tenants or raises a specific ApiError, and no secret reaches logs or errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from live_helpers import (
    StartSim,
    client_config,
    declared_ids,
    exception_texts,
    expected_tenants,
    leaked_secrets,
    org_state,
    secret_values,
    tenants_by_id,
)

from checker.errors import (
    EXIT_NO_ANSWER,
    ApiError,
    AuthError,
    IncompleteReadError,
    PermissionDeniedError,
    RateLimitError,
)
from checker.live import read_live_state
from checker.simulator import Fault, FaultPlan, Quirks, SimulatorState

# Five, three and four tenants at two per page: several pages per subscription.
SIZES = [5, 3, 4]
EXACT = None


@dataclass(frozen=True)
class Outcome:
    error: type[ApiError]
    pattern: str


@dataclass(frozen=True)
class Case:
    plan: Callable[[SimulatorState], FaultPlan]
    organization: Outcome | None
    subscriptions: Outcome | None


def faults(*items: Fault, **changes: object) -> Callable[[SimulatorState], FaultPlan]:
    return lambda state: FaultPlan(faults=items, seed=7, **changes)  # type: ignore[arg-type]


def quirks(**values: object) -> Callable[[SimulatorState], FaultPlan]:
    return lambda state: FaultPlan(quirks=Quirks(**values))  # type: ignore[arg-type]


def first_client(field: str) -> Callable[[SimulatorState], FaultPlan]:
    return lambda state: FaultPlan(**{field: {state.clients[0].client_id}})  # type: ignore[arg-type]


def both(outcome: Outcome | None) -> dict[str, Outcome | None]:
    return {"organization": outcome, "subscriptions": outcome}


SERVER_500 = Outcome(
    ApiError,
    r"failed with HTTP 500: Internal Server Error \(HTTP-500\).*traceId [0-9a-f]{32}",
)
STILL_503 = Outcome(ApiError, r"failed with HTTP 503.*traceId [0-9a-f]{32}")
RATE_LIMITED = Outcome(RateLimitError, r"still rate limited after the allowed retries")
BROKE_OFF = Outcome(IncompleteReadError, r"connection broke off mid-response 4 times")
TRUNCATED = Outcome(IncompleteReadError, r"invalid JSON, truncated or damaged")
NOT_JSON = Outcome(IncompleteReadError, r"not JSON \(content type text/html")
LOOP = Outcome(
    IncompleteReadError, r"next link repeats an earlier cursor \(cursor loop\)"
)
# A loop on a first page (no cursor yet) returns that page again under a new
# cursor, so the repeated page gives it away.
LOOP_OR_REPEAT = Outcome(
    IncompleteReadError,
    r"repeats an earlier cursor \(cursor loop\)|returned page \d+ again \(cursor loop\)",
)
REJECTED = Outcome(
    AuthError,
    r"^the OAuth client was rejected: check QLIK_CLIENT_ID / QLIK_CLIENT_SECRET",
)
NO_PERMISSION = Outcome(
    PermissionDeniedError, r"lacks organization permission.*admin/oauth"
)
TOKEN_NOT_JSON = Outcome(
    AuthError, r"token endpoint returned a response that is not JSON"
)


CASES: dict[str, Case] = {
    "none": Case(faults(), EXACT, EXACT),
    "latency": Case(faults(Fault("latency", latency_ms=15, every=2)), EXACT, EXACT),
    "503-burst": Case(
        faults(Fault("status", endpoint="list", requests="2", burst=3, status=503)),
        EXACT,
        EXACT,
    ),
    "502-once": Case(
        faults(Fault("status", endpoint="list", requests="3", status=502)), EXACT, EXACT
    ),
    "504-every-4th": Case(
        faults(Fault("status", endpoint="api", every=4, status=504)), EXACT, EXACT
    ),
    "429-retry-after": Case(
        faults(
            Fault("status", endpoint="list", requests="2-3", status=429, retry_after=1)
        ),
        EXACT,
        EXACT,
    ),
    "token-503": Case(
        faults(Fault("status", endpoint="token", requests="1", status=503)),
        EXACT,
        EXACT,
    ),
    "drop-once": Case(
        faults(Fault("drop", endpoint="list", requests="2")), EXACT, EXACT
    ),
    "drop-count": Case(
        faults(Fault("drop", endpoint="count", requests="1")), EXACT, EXACT
    ),
    "latency+503+drop": Case(
        faults(
            Fault("latency", endpoint="list", latency_ms=10, every=3),
            Fault("status", endpoint="list", requests="4", status=503),
            Fault("drop", endpoint="list", requests="6"),
        ),
        EXACT,
        EXACT,
    ),
    "500": Case(
        faults(Fault("status", endpoint="list", requests="2", status=500)),
        SERVER_500,
        SERVER_500,
    ),
    "500-count": Case(
        faults(Fault("status", endpoint="count", requests="2", status=500)),
        SERVER_500,
        EXACT,
    ),
    "503-persistent": Case(
        faults(Fault("status", endpoint="list", requests="2-", status=503)),
        STILL_503,
        STILL_503,
    ),
    "429-persistent": Case(
        faults(
            Fault("status", endpoint="list", requests="2-", status=429, retry_after=1)
        ),
        RATE_LIMITED,
        RATE_LIMITED,
    ),
    "drop-persistent": Case(
        faults(Fault("drop", endpoint="list", requests="2-")), BROKE_OFF, BROKE_OFF
    ),
    "truncate": Case(
        faults(Fault("truncate", endpoint="list", requests="2")), TRUNCATED, TRUNCATED
    ),
    "truncate-count": Case(
        faults(Fault("truncate", endpoint="count", requests="3")), TRUNCATED, EXACT
    ),
    "html": Case(
        faults(Fault("html", endpoint="list", requests="3")), NOT_JSON, NOT_JSON
    ),
    "html-token": Case(
        faults(Fault("html", endpoint="token")), TOKEN_NOT_JSON, TOKEN_NOT_JSON
    ),
    "cursor-loop": Case(
        faults(Fault("cursor-loop", endpoint="list", requests="2")),
        LOOP,
        LOOP_OR_REPEAT,
    ),
    "short-token": Case(
        faults(Fault("latency", endpoint="api", latency_ms=120), token_lifetime=1),
        EXACT,
        EXACT,
    ),
    "drop-token": Case(
        faults(Fault("drop", endpoint="token", requests="1")), EXACT, EXACT
    ),
    "revoked": Case(first_client("revoked_clients"), REJECTED, REJECTED),
    "no-permission": Case(
        first_client("clients_without_permission"), NO_PERMISSION, NO_PERMISSION
    ),
    "link-other-host": Case(
        quirks(link_prefix="https://api.qlikcloud.com/core"), EXACT, EXACT
    ),
    "offset-cursor": Case(quirks(offset_cursor=True), EXACT, EXACT),
    "lowercase-bearer": Case(quirks(lowercase_token_type=True), EXACT, EXACT),
    "total-as-string": Case(quirks(total_results_as_string=True), EXACT, EXACT),
    "unknown-fields": Case(
        quirks(extra_fields=True, unknown_status="archived"), EXACT, EXACT
    ),
    "quirks+503": Case(
        lambda state: FaultPlan(
            faults=(Fault("status", endpoint="list", requests="3", status=503),),
            quirks=Quirks(
                link_prefix="https://api.qlikcloud.com/core",
                offset_cursor=True,
                total_results_as_string=True,
            ),
        ),
        EXACT,
        EXACT,
    ),
}


@pytest.mark.parametrize("scope", ["organization", "subscriptions"])
@pytest.mark.parametrize("name", list(CASES))
def test_fault_matrix(
    start_sim: StartSim,
    debug_logs: pytest.LogCaptureFixture,
    name: str,
    scope: str,
) -> None:
    case = CASES[name]
    state = org_state(SIZES)
    sim = start_sim(state, case.plan(state))
    ids = declared_ids(state)
    expected = case.organization if scope == "organization" else case.subscriptions

    error: ApiError | None = None
    try:
        live = read_live_state(client_config(sim), ids, scope=scope)  # type: ignore[arg-type]
    except ApiError as caught:
        error = caught

    if expected is None:
        assert error is None, str(error)
        assert tenants_by_id(live.tenants) == expected_tenants(state, ids, scope)
        assert len(live.tenants) == len(expected_tenants(state, ids, scope))
    else:
        assert type(error) is expected.error, repr(error)
        assert re.search(expected.pattern, str(error)), str(error)
        assert error.exit_code == EXIT_NO_ANSWER
    texts = [debug_logs.text] + (exception_texts(error) if error else [])
    assert leaked_secrets(texts, secret_values(sim)) == []
