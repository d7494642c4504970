"""Build ``Policy`` and ``IgnoreRule`` objects from validated files."""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any, cast

from checker.datafiles import data_file
from checker.model import DriftKind, Location
from checker.policy.model import (
    LIVE_RULES,
    POLICY_RULES,
    IgnoreRule,
    Policy,
    Severity,
    TenantRules,
    manifest_rule_levels,
)
from checker.policy.yamlfile import (
    PolicyFileError,
    Problem,
    YamlDocument,
    read_yaml,
    read_yaml_fast,
    schema_problems,
)

logger = logging.getLogger(__name__)

POLICY_HINT = "fix the policy file; docs/policy.md describes its format"
IGNORE_HINT = "fix the ignore file; docs/policy.md describes its format"
DEFAULT_POLICY_RESOURCE = "policy_default.yaml"

# Tenant fields that drift compares, and so the fields an ignore may name.
IGNORABLE_FIELDS = ("name", "regionCode", "status", "hostnames")



def load_policy(path: str | None = None) -> Policy:
    """Load a policy file over the built-in defaults; ``None`` gives the defaults.

    Raises ``PolicyFileError`` (exit 2) listing every problem as file:line:col.
    """
    default = load_default_policy()
    if path is None:
        return default
    document = _load(path, "Policy", POLICY_HINT)
    return _build_policy(document, base=default)


def load_ignore_file(path: str) -> tuple[IgnoreRule, ...]:
    """Load the entries of an ignore file (``kind: IgnoreList``)."""
    document = _load(path, "IgnoreList", IGNORE_HINT)
    return tuple(_ignore_rules(document))


@lru_cache(maxsize=1)
def load_default_policy() -> Policy:
    """Load the built-in policy: the wheel's copy, else the repository's file."""
    path = str(data_file(DEFAULT_POLICY_RESOURCE, "policy/default.yaml"))
    document = _load(path, "Policy", "reinstall qlik-drift", fast=True)
    return _build_policy(document, base=Policy(source="(empty)"))


def _load(path: str, kind: str, hint: str, *, fast: bool = False) -> YamlDocument:
    reader = read_yaml_fast if fast else read_yaml
    document, problems = reader(path, hint=hint)
    problems.extend(schema_problems(document))
    if isinstance(document.data, dict):
        problems.extend(_kind_problems(document, kind))
        problems.extend(_semantic_problems(document))
    if problems:
        noun = "policy file" if kind == "Policy" else "ignore file"
        problems.sort(key=lambda p: (p.location.line, p.location.col, p.message))
        raise PolicyFileError(f"invalid {noun} {path}:", problems, hint=hint)
    return document


def _mapping(value: Any) -> dict[str, Any]:
    """Return ``value`` if it is a mapping, else an empty one.

    Semantic checks run beside the schema's, on a document that may be
    invalid, so they skip what has the wrong shape: the schema reports it.
    """
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _kind_problems(document: YamlDocument, kind: str) -> list[Problem]:
    actual = document.data.get("kind")
    if actual == kind or actual not in ("Policy", "IgnoreList"):
        return []
    option = "--policy" if actual == "Policy" else "--ignore-file"
    message = f"expected kind {kind}, found {actual}; pass this file with {option}"
    return [Problem(document.location(["kind"]), message)]


def _semantic_problems(document: YamlDocument) -> Iterator[Problem]:
    """Check what the schema cannot: regular expressions, pointers, rule ids."""
    data = document.data
    blocks: list[tuple[list[str | int], dict[str, Any]]] = [([], data)]
    for sub_id, rules in _mapping(data.get("subscriptions")).items():
        blocks.append((["subscriptions", sub_id], _mapping(rules)))
    for path, block in blocks:
        yield from _pattern_problems(document, path, block)
        yield from _region_problems(document, path, block)
    for rule_id in _mapping(_mapping(data.get("severity")).get("rules")):
        yield from _rule_id_problems(document, rule_id)
    for index, entry in enumerate(_list(data.get("ignore"))):
        for position, pointer in enumerate(_list(_mapping(entry).get("fields"))):
            # The schema reports pointers without a leading slash.
            valid_form = isinstance(pointer, str) and pointer.startswith("/")
            message = _pointer_problem(pointer) if valid_form else None
            if message:
                location = document.location(["ignore", index, "fields", position])
                yield Problem(location, message)


def _pattern_problems(
    document: YamlDocument, path: list[str | int], block: dict[str, Any]
) -> Iterator[Problem]:
    for key in ("hostnamePattern", "namePattern"):
        if not isinstance(block.get(key), str):
            continue
        message = _regex_problem(block[key])
        if message is not None:
            yield Problem(document.location([*path, key]), message)


def _regex_problem(pattern: str) -> str | None:
    """Return why ``pattern`` does not compile, or None if it does."""
    try:
        re.compile(pattern)
    except re.error as error:
        return f"invalid regular expression: {error}"
    except OverflowError as error:
        # A repeat count such as {4294967296} is past what re supports.
        return f"invalid regular expression: {error}"
    except RecursionError:
        # re's parser recurses once per group, so thousands of nested
        # groups exhaust the stack.
        return "invalid regular expression: groups are nested too deeply"
    return None


def _region_problems(
    document: YamlDocument, path: list[str | int], block: dict[str, Any]
) -> Iterator[Problem]:
    known = _known_regions()
    if known is None:
        return
    for index, code in enumerate(_list(block.get("allowedRegions"))):
        if not isinstance(code, str) or code in known:
            continue
        close = difflib.get_close_matches(code, sorted(known), n=1)
        suggestion = f"; did you mean '{close[0]}'?" if close else ""
        location = document.location([*path, "allowedRegions", index])
        yield Problem(location, f"unknown region code '{code}'{suggestion}")


def _known_regions() -> frozenset[str] | None:
    try:
        from checker.regions import REGION_CODES
    except ImportError:
        return None
    return frozenset(REGION_CODES)


def _rule_id_problems(document: YamlDocument, rule_id: str) -> Iterator[Problem]:
    if any(ch in rule_id for ch in "*?["):
        return
    known = {**POLICY_RULES, **LIVE_RULES, **manifest_rule_levels()}
    if rule_id not in known:
        close = difflib.get_close_matches(rule_id, sorted(known), n=1)
        suggestion = f"; did you mean '{close[0]}'?" if close else ""
        yield Problem(
            _rule_id_location(document, rule_id),
            f"unknown rule id '{rule_id}'{suggestion}",
        )
        return
    severity = document.data["severity"]["rules"][rule_id]
    lowered = known[rule_id] == "error" and severity != "error"
    if lowered and rule_id in manifest_rule_levels():
        yield Problem(
            _rule_id_location(document, rule_id),
            f"the severity of '{rule_id}' cannot be lowered: the manifest loader "
            "leaves a tenant or file with this error out of the desired state, "
            "so check would report false drift",
        )


def _rule_id_location(document: YamlDocument, rule_id: str) -> Location:
    # Only for a problem: a position may cost a second, round-trip parse.
    return document.location(["severity", "rules", rule_id], key=True)


def _pointer_problem(pointer: str) -> str | None:
    from jsonpointer import JsonPointer, JsonPointerException

    fields = ", ".join(f"/{name}" for name in IGNORABLE_FIELDS)
    try:
        parts = JsonPointer(pointer).parts
    except JsonPointerException as error:
        return f"invalid JSON Pointer {pointer!r}: {error}"
    if len(parts) != 1 or parts[0] not in IGNORABLE_FIELDS:
        return (
            f"{pointer!r} is not a field that drift compares; "
            f"use one of {fields} (fields are compared as whole values)"
        )
    return None


def _build_policy(document: YamlDocument, *, base: Policy) -> Policy:
    data = document.data
    subscriptions = dict(base.subscriptions)
    for sub_id, block in (data.get("subscriptions") or {}).items():
        subscriptions[sub_id] = _tenant_rules(block, max_key="maxTenants")
    severity = data.get("severity") or {}
    drift = {**base.drift_severity, **(severity.get("drift") or {})}
    layers = tuple(
        layer for layer in (severity.get("rules") or {}, *base.rule_severity) if layer
    )
    return Policy(
        source=document.path,
        rules=_tenant_rules(data, max_key="maxTenantsPerSubscription").over(base.rules),
        subscriptions=subscriptions,
        drift_severity=cast(dict[DriftKind, Severity], drift),
        rule_severity=cast(tuple[dict[str, Severity], ...], layers),
        license_warning_days=data.get("licenseExpiryWarningDays", base.license_warning_days),
        ignores=(*base.ignores, *_ignore_rules(document)),
    )


def _tenant_rules(block: dict[str, Any], *, max_key: str) -> TenantRules:
    regions = block.get("allowedRegions")
    required = block.get("requiredFields")
    return TenantRules(
        allowed_regions=frozenset(regions) if regions is not None else None,
        hostname_pattern=_compile(block.get("hostnamePattern")),
        name_pattern=_compile(block.get("namePattern")),
        max_tenants=block.get(max_key),
        required_fields=tuple(required) if required is not None else None,
    )


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern is not None else None


def _ignore_rules(document: YamlDocument) -> Iterator[IgnoreRule]:
    for index, entry in enumerate(document.data.get("ignore") or []):
        kinds = entry.get("kinds")
        expires = entry.get("expires")
        yield IgnoreRule(
            reason=entry["reason"].strip(),
            location=document.location(["ignore", index]),
            subscription=entry.get("subscription"),
            hostname=entry.get("hostname"),
            id=entry.get("id"),
            kinds=frozenset(kinds) if kinds else None,
            fields=tuple(_field_name(p) for p in entry.get("fields") or ()),
            expires=date.fromisoformat(expires) if expires else None,
            json_path=f"$.ignore[{index}]",
        )


def _field_name(pointer: str) -> str:
    from jsonpointer import JsonPointer

    return str(JsonPointer(pointer).parts[0])
