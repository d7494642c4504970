"""The ``settings`` block of a state file, turned into a ``FaultPlan``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.simulator.faults import (
    DEFAULT_LINK_PREFIX,
    DEFAULT_TOKEN_LIFETIME,
    DEFAULT_UNKNOWN_STATUS,
    Fault,
    FaultPlan,
    FaultSpecError,
    Quirks,
    RateLimits,
)

Path = tuple[str | int, ...]

# State-file key -> Fault field, for the mapping form of a fault.
_FAULT_KEYS = {
    "kind": "kind",
    "endpoint": "endpoint",
    "requests": "requests",
    "every": "every",
    "probability": "probability",
    "burst": "burst",
    "status": "status",
    "latencyMs": "latency_ms",
    "retryAfter": "retry_after",
}


class SettingError(ValueError):
    """An invalid setting; ``path`` leads from the settings block to the value."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def plan_from_settings(settings: Mapping[str, Any]) -> FaultPlan:
    """Build the plan described by a schema-valid ``settings`` mapping."""
    rate = settings.get("rateLimits", {})
    defaults = RateLimits()
    try:
        rate_limits = RateLimits(
            tier1_per_minute=rate.get("tier1PerMinute", defaults.tier1_per_minute),
            tier2_per_minute=rate.get("tier2PerMinute", defaults.tier2_per_minute),
            window_seconds=float(rate.get("windowSeconds", defaults.window_seconds)),
        )
    except FaultSpecError as error:
        raise SettingError(("rateLimits",), str(error)) from error
    return FaultPlan(
        faults=tuple(_faults(settings.get("faults", []))),
        seed=settings.get("seed", 0),
        token_lifetime=settings.get("tokenLifetime", DEFAULT_TOKEN_LIFETIME),
        rate_limits=rate_limits,
        quirks=_quirks(settings.get("quirks", {})),
        strict_filter=settings.get("strictFilter", False),
        unknown_subscription=settings.get("unknownSubscription", "empty"),
    )


def _faults(items: list[Any]) -> list[Fault]:
    faults = []
    for index, item in enumerate(items):
        try:
            if isinstance(item, str):
                faults.append(Fault.parse(item))
            else:
                values = {_FAULT_KEYS[key]: value for key, value in item.items()}
                if "requests" in values:
                    values["requests"] = str(values["requests"])
                faults.append(Fault(**values))
        except FaultSpecError as error:
            raise SettingError(("faults", index), str(error)) from error
    return faults


def _quirks(values: Mapping[str, Any]) -> Quirks:
    return Quirks(
        link_prefix=_text_or_default(values.get("linkPrefix"), DEFAULT_LINK_PREFIX),
        offset_cursor=values.get("offsetCursor", False),
        bare_tenant=values.get("bareTenant", False),
        lowercase_token_type=values.get("lowercaseTokenType", False),
        total_results_as_string=values.get("totalResultsAsString", False),
        extra_fields=values.get("extraFields", False),
        unknown_status=_text_or_default(
            values.get("unknownStatus"), DEFAULT_UNKNOWN_STATUS
        ),
    )


def _text_or_default(value: bool | str | None, default: str) -> str | None:
    """Read a quirk that is either ``true`` (use the default) or its own text."""
    if value is True:
        return default
    if value is False or value is None or value == "":
        return None
    return str(value)
