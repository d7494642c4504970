"""Builders shared by the policy tests: files, desired states and drift items."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.model import (
    DeclaredSubscription,
    DeclaredTenant,
    DesiredState,
    DriftItem,
    FieldChange,
    Location,
)

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "examples" / "manifests"
STATE = ROOT / "examples" / "live" / "acme.yaml"



@dataclass(frozen=True)
class Result:
    """Exit code and output of one in-process qlik-drift run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]

SUB_A = "1111111111111111"
SUB_B = "2222222222222222"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def policy_text(body: str) -> str:
    return "apiVersion: qlik-drift/v1\nkind: Policy\n" + textwrap.dedent(body).lstrip("\n")


def ignore_text(body: str) -> str:
    return "apiVersion: qlik-drift/v1\nkind: IgnoreList\n" + textwrap.dedent(body).lstrip(
        "\n"
    )


def tenant(
    hostname: str,
    subscription_id: str = SUB_A,
    *,
    line: int = 10,
    fields: tuple[str, ...] = ("hostname", "regionCode"),
    **values: Any,
) -> DeclaredTenant:
    """Declare a tenant at ``m.yaml:line``; each named field one line lower."""
    values.setdefault("region_code", "eu-west-1")
    sources = {name: Location("m.yaml", line + i, 15) for i, name in enumerate(fields)}
    return DeclaredTenant(
        subscription_id=subscription_id,
        hostname=hostname,
        source=Location("m.yaml", line, 9),
        field_sources=sources,
        **values,
    )


def desired_of(*tenants: DeclaredTenant) -> DesiredState:
    state = DesiredState(files=["m.yaml"])
    for declared in tenants:
        line = 4 if declared.subscription_id == SUB_A else 40
        subscription = state.subscriptions.setdefault(
            declared.subscription_id,
            DeclaredSubscription(
                declared.subscription_id, sources=[Location("m.yaml", line, 5)]
            ),
        )
        subscription.tenants.append(declared)
    return state


def drift(
    kind: str,
    hostname: str | None = "a.eu.qlikcloud.com",
    subscription_id: str = SUB_A,
    **values: Any,
) -> DriftItem:
    changes = [FieldChange(path, "x", "y") for path in values.pop("changed", ())]
    return DriftItem(
        kind=kind,  # type: ignore[arg-type]
        subscription_id=subscription_id,
        hostname=hostname,
        changes=changes,
        **values,
    )
