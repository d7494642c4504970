"""Validation of the manifests ``import`` and ``check --fix`` are about to write.

A live value need not fit the manifest format: a status outside the
documented list (``archived``), a region newer than the schema's list, a
hostname with an underscore, a tenant without hostnames. Writing it would
produce a file that ``check`` then rejects. So the planned text of every
file goes through the manifest loader first (schema and lint), and any error
stops the command before it writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from checker.adopt.result import FixPlan
from checker.controlchars import escape_control_chars
from checker.errors import ManifestError, QlikDriftError
from checker.model import Diagnostic

# The message lists this many errors and counts the rest.
MAX_LISTED = 10

_TENANT_PATH = re.compile(r"^\$\.subscriptions\[(\d+)\](?:\.tenants\[(\d+)\])?")


class UnwritableManifestError(QlikDriftError):
    """Planned manifests that would fail validation, so nothing was written (exit 2)."""


def check_planned(texts: Mapping[str, str], *, failure: str, hint: str) -> None:
    """Raise UnwritableManifestError when the loader finds an error in ``texts``.

    ``texts`` maps each file name to its planned content. It must contain
    every manifest checked together, because lint rules such as duplicate
    tenants span files. ``failure`` is the message's first sentence, for
    example "import would write invalid manifests, so nothing was written".
    """
    from checker.manifest.loader import load_manifest_texts

    result = load_manifest_texts(texts)
    errors = [d for d in result.diagnostics if d.level == "error"]
    if not errors:
        return
    lines = [describe_error(d, texts.get(d.location.file, "")) for d in errors[:MAX_LISTED]]
    if len(errors) > MAX_LISTED:
        lines.append(f"and {len(errors) - MAX_LISTED} more error(s)")
    listed = "\n".join(f"  {line}" for line in lines)
    raise UnwritableManifestError(
        f"{failure}. These live values have no valid manifest form:\n{listed}",
        hint=hint,
    )


def check_fix_plan(plan: FixPlan, files: Sequence[str]) -> None:
    """Raise UnwritableManifestError when ``plan`` would leave an invalid manifest.

    ``files`` are all the manifests the check read; those the plan leaves
    alone are read again, for the lint rules that span files.
    """
    if not plan.changes:
        return
    planned = {change.path: change.after for change in plan.changes}
    texts = {path: planned[path] if path in planned else _read(path) for path in files}
    check_planned(
        texts,
        failure="check --fix would write invalid manifests, so no file was changed",
        hint="accept only other drift kinds with --accept, or edit the manifests by hand",
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"cannot read {path}: {error}") from error


def describe_error(diagnostic: Diagnostic, text: str) -> str:
    """Format a diagnostic of planned text as one line naming its tenant or subscription.

    Line numbers of planned text point nowhere the user can look, so the
    tenant's hostname and id, or the subscription id, locate the problem.
    """
    place = _owner(diagnostic, text)
    if place is None:
        where = diagnostic.location
        place = f"{where.file}:{where.line}:{where.col}"
    message = f"{place}: {diagnostic.message} ({diagnostic.rule_id})"
    return escape_control_chars(message)


def _owner(diagnostic: Diagnostic, text: str) -> str | None:
    match = _TENANT_PATH.match(diagnostic.json_path or "")
    if match is None:
        return None
    document = _document_at(text, diagnostic.location.line)
    try:
        block = document["subscriptions"][int(match[1])]
        subscription = f"subscription {block['subscriptionId']}"
        if match[2] is None:
            return f"{diagnostic.location.file}: {subscription}"
        tenant = block["tenants"][int(match[2])]
    except (KeyError, IndexError, TypeError):
        return None
    return f"{diagnostic.location.file}: tenant {_tenant_label(tenant)} in {subscription}"


def _tenant_label(tenant: Any) -> str:
    if not isinstance(tenant, dict):
        return "(not a mapping)"
    hostname, tenant_id = tenant.get("hostname"), tenant.get("id")
    if hostname is not None and tenant_id is not None:
        return f"{hostname} (id {tenant_id})"
    if hostname is not None or tenant_id is not None:
        return str(hostname if hostname is not None else tenant_id)
    return "(no hostname and no id)"


def _document_at(text: str, line: int) -> Any:
    """Return the data of the YAML document that contains 1-based ``line``, or None.

    The keys read from it are strings under YAML 1.1 and 1.2 alike, so
    libyaml's YAML 1.1 reading is enough here.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        nodes = list(yaml.compose_all(text, Loader=loader))
        data = list(yaml.load_all(text, Loader=loader))
    except yaml.YAMLError:
        return None
    found: Any = None
    for node, document in zip(nodes, data):
        if node is not None and node.start_mark.line < line:
            found = document
    return found
