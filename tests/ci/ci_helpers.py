"""Paths and types shared by the tests of the CI formats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from checker.model import Diagnostic, DriftItem, FieldChange, Location

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "examples" / "manifests"
STATE = ROOT / "examples" / "live" / "acme.yaml"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


CliRunner = Callable[..., Result]


def diagnostic(
    message: str = "unknown key 'regoinCode'; did you mean 'regionCode'?",
    *,
    file: str = "manifests/emea.yaml",
    line: int = 12,
    col: int = 9,
    level: str = "error",
    rule_id: str = "schema/unknown-key",
    json_path: str = "$.subscriptions[0].tenants[0].regoinCode",
) -> Diagnostic:
    return Diagnostic(Location(file, line, col), level, message, rule_id, json_path)  # type: ignore[arg-type]


def changed(
    hostname: str = "acme-prod.eu.qlikcloud.com",
    *,
    name: tuple[str, str] = ("Acme Production", "Acme Prod (legacy)"),
    file: str = "manifests/emea.yaml",
    line: int = 15,
    level: str = "error",
) -> DriftItem:
    return DriftItem(
        kind="changed",
        subscription_id="9876543210987654",
        hostname=hostname,
        source=Location(file, line, 9),
        changes=[FieldChange("name", name[0], name[1])],
        level=level,  # type: ignore[arg-type]
    )
