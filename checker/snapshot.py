"""Live-state snapshots: the organization saved as JSON, checked later offline.

A scheduled job with credentials runs ``qlik-drift snapshot``; pull requests
from forks, which get no secrets, run ``qlik-drift check --live FILE``
against the saved file. A snapshot holds only what the Organization API
returned about tenants, never a client id, secret or token.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from checker import __version__
from checker.errors import UsageError
from checker.fsutil import atomic_write_text
from checker.live.shapes import (
    JsonNestingError,
    describe,
    duplicate_problem,
    loads_json,
    tenant_problem,
)
from checker.model import LiveState

logger = logging.getLogger(__name__)

# Minor versions only add keys; a reader rejects an unknown major version.
SNAPSHOT_FORMAT_VERSION = "1.0"
SUPPORTED_MAJOR = "1"

_CREATE_HINT = "create it with `qlik-drift snapshot -o FILE [MANIFESTS]`"

# The envelope is checked with jsonschema; tenants, which can number 100,000,
# are checked by a plain loop in ``_check_tenants``.
ENVELOPE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format_version", "scope", "subscriptionIds", "tenants"],
    "properties": {
        "format_version": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+$"},
        "tool": {"type": "object"},
        "orgUrl": {"type": ["string", "null"]},
        "readAt": {"type": ["string", "null"]},
        "scope": {"enum": ["organization", "subscriptions"]},
        "subscriptionIds": {"type": "array", "items": {"type": "string"}},
        "tenants": {"type": "array"},
    },
}


def snapshot_to_dict(live: LiveState) -> dict[str, Any]:
    """Return the JSON snapshot of a complete live read.

    ``subscriptionIds`` lists the subscriptions whose tenants were read in
    full: the declared ones for scope ``subscriptions``; for scope
    ``organization`` every subscription seen, since the whole organization
    was listed.
    """
    subscription_ids = set(live.subscription_ids)
    if live.scope == "organization":
        subscription_ids.update(
            str(t["subscriptionId"]) for t in live.tenants if t.get("subscriptionId")
        )
    read_at = live.read_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "tool": {"name": "qlik-drift", "version": __version__},
        "orgUrl": live.org_url,
        "readAt": read_at,
        "scope": live.scope,
        "subscriptionIds": sorted(subscription_ids),
        "tenants": live.tenants,
    }


def render_snapshot(live: LiveState) -> str:
    return json.dumps(snapshot_to_dict(live), indent=2, ensure_ascii=False) + "\n"


def write_snapshot(path: str | os.PathLike[str], live: LiveState) -> None:
    atomic_write_text(path, render_snapshot(live))


def load_snapshot(path: str | os.PathLike[str]) -> LiveState:
    """Read a snapshot file; raise ``UsageError`` (exit 2) naming the file when
    it is missing, not JSON, or not a snapshot."""
    data = _read_json(Path(path))
    _check_envelope(path, data)
    _check_tenants(path, data["tenants"])
    return LiveState(
        tenants=data["tenants"],
        scope=data["scope"],
        subscription_ids=frozenset(data["subscriptionIds"]),
        org_url=data.get("orgUrl"),
        read_at=data.get("readAt"),
    )


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"snapshot file {path} not found", hint=_CREATE_HINT) from None
    except IsADirectoryError:
        raise UsageError(f"snapshot {path} is a folder; give the snapshot's JSON file") from None
    except UnicodeDecodeError:
        raise UsageError(f"snapshot {path} is not UTF-8 text", hint=_CREATE_HINT) from None
    except OSError as error:
        raise UsageError(f"snapshot {path} could not be read: {error.strerror}") from None
    try:
        return loads_json(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{path}:{error.lineno}:{error.colno}: invalid JSON in snapshot: {error.msg}",
            hint=_CREATE_HINT,
        ) from None
    except JsonNestingError:
        raise UsageError(
            f"{path}: invalid JSON in snapshot: arrays or objects nested too deeply",
            hint=_CREATE_HINT,
        ) from None
    except ValueError:
        # Python rejects integers of more than 4,300 digits.
        raise UsageError(
            f"{path}: invalid JSON in snapshot: a number is too long to read",
            hint=_CREATE_HINT,
        ) from None


def _check_envelope(path: str | os.PathLike[str], data: Any) -> None:
    validator = jsonschema.Draft202012Validator(ENVELOPE_SCHEMA)
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    except RecursionError:
        # jsonschema's messages repr() the wrong value, which recurses.
        raise UsageError(
            f"{path}: not a qlik-drift snapshot: a value is nested too deeply",
            hint=_CREATE_HINT,
        ) from None
    if error is not None:
        raise UsageError(
            f"{path}: not a qlik-drift snapshot: {_schema_message(error)} "
            f"at {error.json_path}",
            hint=_CREATE_HINT,
        )
    major = data["format_version"].split(".")[0]
    if major != SUPPORTED_MAJOR:
        raise UsageError(
            f"{path}: snapshot format {data['format_version']} is not supported "
            f"by qlik-drift {__version__}, which reads format {SUPPORTED_MAJOR}.x",
            hint="take the snapshot and run the check with the same qlik-drift version",
        )


def _schema_message(error: jsonschema.ValidationError) -> str:
    """Return jsonschema's message, unless it would quote a long or nested value."""
    instance = error.instance
    if isinstance(instance, str) and len(instance) <= 80:
        return str(error.message)
    if instance is None or isinstance(instance, bool | int | float):
        return str(error.message)
    if error.validator == "type":
        return f"{describe(instance)} is not of type {error.validator_value!r}"
    if error.validator == "enum":
        return f"{describe(instance)} is not one of {error.validator_value!r}"
    return f"{describe(instance)} is invalid ({error.validator} check)"


def _check_tenants(path: str | os.PathLike[str], tenants: list[Any]) -> None:
    """Apply the tenant rules of the live read, so a damaged file is no drift."""
    for index, tenant in enumerate(tenants):
        problem = tenant_problem(tenant)
        if problem is not None:
            raise UsageError(
                f"{path}: not a qlik-drift snapshot: {problem} at $.tenants[{index}]",
                hint=_CREATE_HINT,
            )
    duplicate = duplicate_problem(tenants, "$.tenants")
    if duplicate is not None:
        raise UsageError(
            f"{path}: invalid snapshot: {duplicate}",
            hint="a live read lists each tenant once: take the snapshot again "
            "rather than editing it",
        )


def check_coverage(
    path: str | os.PathLike[str], live: LiveState, subscription_ids: Iterable[str]
) -> None:
    """Raise ``UsageError`` when the snapshot did not read a declared subscription.

    A snapshot of scope ``subscriptions`` holds only the subscriptions it was
    taken for; comparing any other would report all its tenants missing.
    """
    if live.scope == "organization":
        return
    uncovered = sorted(set(subscription_ids) - live.subscription_ids)
    if uncovered:
        raise UsageError(
            f"snapshot {path} does not cover subscription(s) {', '.join(uncovered)}: "
            "it was taken with --scope subscriptions for other manifests",
            hint="take the snapshot again with these manifests, or with "
            "`--scope organization`",
        )


def load_snapshot_for(
    path: str | os.PathLike[str], subscription_ids: Iterable[str]
) -> LiveState:
    """Load a snapshot and make sure it covers every declared subscription."""
    live = load_snapshot(path)
    check_coverage(path, live, subscription_ids)
    logger.info(
        "comparing with snapshot %s, read at %s from %s", path, live.read_at, live.org_url
    )
    return live
