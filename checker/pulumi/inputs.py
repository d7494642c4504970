"""Validate and normalize the inputs of the ``OrganizationTenants`` resource.

The provider's ``check`` calls ``check_inputs``. ``diff`` compares the
normalized values, so an input written in another order or with duplicates
never shows up as a change.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from checker.errors import QlikDriftError
from checker.live.config import DEFAULT_ORG_URL, validate_org_url
from checker.manifest import collect_manifest_files, load_manifests
from checker.policy import load_policy
from checker.regions import REGION_CODES

# Inputs the resource stores, in the order they appear in state.
INPUT_NAMES = (
    "org_url",
    "subscription_ids",
    "region_codes",
    "manifests",
    "policy",
    "files_sha256",
    "fail_on_drift",
)

# At most this many manifest diagnostics become check failures; more are counted.
MAX_MANIFEST_FAILURES = 20

Failure = tuple[str, str]


class _Unknown:
    """Marker for a value that Pulumi does not know yet during a preview."""


def is_unknown(value: Any, unknown: object) -> bool:
    """Return whether ``value`` or one of its list items is Pulumi's unknown marker."""
    if isinstance(value, list):
        return any(item == unknown for item in value)
    return bool(value == unknown)


def check_inputs(
    news: Mapping[str, Any],
    unknown: object = _Unknown,
    *,
    load_files: bool = True,
) -> tuple[dict[str, Any], list[Failure]]:
    """Return the normalized inputs and a ``(property, reason)`` per problem.

    Values equal to ``unknown`` (Pulumi's marker for values not known during
    a preview) are passed through unchecked. ``load_files=False`` skips
    loading the manifest and policy files, for callers that load them later.
    """
    inputs: dict[str, Any] = {}
    failures: list[Failure] = []
    for name in INPUT_NAMES:
        value = news.get(name)
        if is_unknown(value, unknown):
            inputs[name] = value
            continue
        normalized, problems = _CHECKS[name](value)
        inputs[name] = normalized
        failures.extend((name, reason) for reason in problems)

    for name in ("policy", "fail_on_drift"):
        if inputs[name] and not inputs["manifests"]:
            failures.append(
                (name, f"{name} needs manifests to compare against: pass `manifests`")
            )
    if load_files:
        failed = {name for name, _ in failures}
        for name, load in _FILE_CHECKS.items():
            value = inputs[name]
            if value and name not in failed and not is_unknown(value, unknown):
                failures.extend((name, reason) for reason in load(value))
    return inputs, failures


def _check_org_url(value: Any) -> tuple[Any, list[str]]:
    if value is None:
        return DEFAULT_ORG_URL, []
    if not isinstance(value, str):
        return value, [
            f"org_url must be a string URL, got the {type(value).__name__} {value!r}: "
            f"use for example `{DEFAULT_ORG_URL}`"
        ]
    try:
        return validate_org_url(value), []
    except QlikDriftError as exc:
        return value, [str(exc)]


def _check_strings(
    name: str, value: Any, check_item: Callable[[str, str], str | None]
) -> tuple[Any, list[str]]:
    """Check a list of strings; an absent or empty list normalizes to None."""
    if value is None:
        return None, []
    if isinstance(value, str) or not isinstance(value, Sequence):
        kind = type(value).__name__
        return value, [f"{name} must be a list of strings, got the {kind} {value!r}"]
    problems = []
    for index, item in enumerate(value):
        label = f"{name}[{index}]"
        if not isinstance(item, str):
            problems.append(_not_a_string(label, item))
            continue
        problem = check_item(label, item)
        if problem:
            problems.append(problem)
    if problems:
        return value, problems
    return (sorted(set(value)) or None), []


def _not_a_string(label: str, item: Any) -> str:
    return (
        f"{label} is the {type(item).__name__} {item!r}, not a string: quote it, "
        f'for example "1234567890123456" (a number loses leading zeros and digits)'
    )


def _check_subscription_id(label: str, item: str) -> str | None:
    if item.isascii() and item.isdigit():
        return None
    return (
        f"{label} {item!r} is not a subscription id: a subscription id is the "
        "license number, digits only"
    )


def _check_region_code(label: str, item: str) -> str | None:
    if item in REGION_CODES:
        return None
    close = difflib.get_close_matches(item, REGION_CODES, n=1)
    suggestion = f"did you mean `{close[0]}`? " if close else ""
    return (
        f"{label} {item!r} is not a Qlik Cloud region code: {suggestion}"
        f"known codes are {', '.join(sorted(REGION_CODES))}"
    )


def _check_subscription_ids(value: Any) -> tuple[Any, list[str]]:
    return _check_strings("subscription_ids", value, _check_subscription_id)


def _check_region_codes(value: Any) -> tuple[Any, list[str]]:
    return _check_strings("region_codes", value, _check_region_code)


def _check_manifests(value: Any) -> tuple[Any, list[str]]:
    paths, problems = _check_strings("manifests", value, lambda label, item: None)
    if problems or paths is None:
        return paths, problems
    # Keep the order given, without repeats: it is the order of files in messages.
    return list(dict.fromkeys(value)), []


def manifest_problems(paths: list[str]) -> list[str]:
    """Load the manifests and return their errors as ``file:line:col`` messages."""
    try:
        result = load_manifests(paths)
    except QlikDriftError as exc:
        return [str(exc)]
    errors = [str(d) for d in result.diagnostics if d.level == "error"]
    if len(errors) > MAX_MANIFEST_FAILURES:
        hidden = len(errors) - MAX_MANIFEST_FAILURES
        errors = errors[:MAX_MANIFEST_FAILURES]
        errors.append(
            f"... and {hidden} more: run `qlik-drift validate` on the manifests"
        )
    return errors


def _check_policy(value: Any) -> tuple[Any, list[str]]:
    if value is None or (isinstance(value, str) and value):
        return value, []
    return value, [f"policy must be the path of a policy file, got {value!r}"]


def policy_problems(path: str) -> list[str]:
    """Load the policy file and return its problem, if any, as one message."""
    try:
        load_policy(path)
    except QlikDriftError as exc:
        return [str(exc)]
    return []


def _check_digest(value: Any) -> tuple[Any, list[str]]:
    if value is None or isinstance(value, str):
        return value, []
    return value, [f"files_sha256 must be a string, got {type(value).__name__}"]


def _check_flag(value: Any) -> tuple[Any, list[str]]:
    if value is None:
        return False, []
    if isinstance(value, bool):
        return value, []
    return value, [f"fail_on_drift must be true or false, got {value!r}"]


_CHECKS: dict[str, Callable[[Any], tuple[Any, list[str]]]] = {
    "org_url": _check_org_url,
    "subscription_ids": _check_subscription_ids,
    "region_codes": _check_region_codes,
    "manifests": _check_manifests,
    "policy": _check_policy,
    "files_sha256": _check_digest,
    "fail_on_drift": _check_flag,
}
# Checks that read files, run after the value checks above pass.
_FILE_CHECKS: dict[str, Callable[[Any], list[str]]] = {
    "manifests": manifest_problems,
    "policy": policy_problems,
}


def files_digest(manifests: Sequence[str] | None, policy: str | None) -> str | None:
    """Return a SHA-256 over the names and contents of the manifest and policy files.

    The resource stores it as an input, so editing one of these files changes
    an input and the next ``pulumi up`` reads the organization again. Folders
    are expanded the way ``load_manifests`` expands them. A path that cannot be
    read gets a marker instead of content, and ``check`` reports it.
    """
    if not manifests and not policy:
        return None
    digest = hashlib.sha256()
    try:
        files = collect_manifest_files(list(manifests or ()))
    except QlikDriftError:
        digest.update(b"unreadable:" + "\0".join(manifests or ()).encode())
        files = []
    if policy:
        files.append(Path(policy))
    for path in files:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
        digest.update(b"\0")
    return digest.hexdigest()
