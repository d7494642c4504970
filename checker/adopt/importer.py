"""Write manifests that declare what the live organization has (``import``)."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from checker import __version__
from checker.adopt.plain import to_plain
from checker.adopt.render import ListStyle, manifest_tenant, render_items, render_value
from checker.adopt.result import RewriteError
from checker.errors import UsageError
from checker.fsutil import atomic_write_text

logger = logging.getLogger(__name__)

API_VERSION = "qlik-drift/v1"
KIND = "TenantManifest"
SINGLE_FILE_NAME = "tenants.yaml"

# Layout of written files: subscriptions at column 2, tenants at column 6,
# one blank line between list items, as in the example manifests.
STYLE = ListStyle(offset=2, indent=2, blank_lines=True)

# A subscription id becomes a file name only when it is made of these
# characters and does not start with a dot, so it can never name a path
# outside the output folder. The schema allows only digits anyway.
_SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True, slots=True)
class ImportFilter:
    """The selection of live tenants to import; empty tuples select everything."""

    subscriptions: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def selects(self, tenant: Mapping[str, Any]) -> bool:
        subscription = str(tenant.get("subscriptionId") or "")
        if self.subscriptions and subscription not in self.subscriptions:
            return False
        return not self.regions or str(tenant.get("regionCode") or "") in self.regions


@dataclass(frozen=True, slots=True)
class ManifestFile:
    """One file to write: ``name`` is relative to the output folder."""

    name: str
    text: str
    subscription_ids: tuple[str, ...]
    tenant_count: int


def group_tenants(
    tenants: Iterable[Mapping[str, Any]], selection: ImportFilter
) -> dict[str, list[Mapping[str, Any]]]:
    """Return the selected tenants by subscription id, both sorted.

    Tenants sort by their first hostname, case-insensitively, then by id.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for tenant in tenants:
        subscription = str(tenant.get("subscriptionId") or "")
        if not subscription:
            logger.warning("skipped tenant %s: it has no subscriptionId", tenant.get("id"))
        elif selection.selects(tenant):
            groups.setdefault(subscription, []).append(tenant)
    for members in groups.values():
        members.sort(key=_tenant_sort_key)
    return dict(sorted(groups.items()))


def _tenant_sort_key(tenant: Mapping[str, Any]) -> tuple[str, str]:
    hostnames = tenant.get("hostnames") or [""]
    return str(hostnames[0]).lower(), str(tenant.get("id") or "")


def build_manifests(
    groups: Mapping[str, Sequence[Mapping[str, Any]]],
    header: Sequence[str],
    single_file: bool,
) -> list[ManifestFile]:
    """Render one manifest per subscription, or one for all when ``single_file``."""
    if single_file:
        return [_manifest(SINGLE_FILE_NAME, groups, header)]
    names = {subscription: manifest_file_name(subscription) for subscription in groups}
    return [
        _manifest(names[subscription], {subscription: tenants}, header)
        for subscription, tenants in groups.items()
    ]


def manifest_file_name(subscription_id: str) -> str:
    """Return ``<subscriptionId>.yaml``, or raise UsageError for an unsafe id.

    The id comes from live data, so it could hold ``../`` or start with
    ``/``. Only ids of up to 64 letters, digits, ``.``, ``_`` and ``-``
    that do not start with a dot are used.
    """
    if not _SAFE_FILE_STEM.fullmatch(subscription_id):
        raise UsageError(
            f"cannot import subscription {subscription_id!r}: its id is not safe as a "
            "file name (allowed: up to 64 letters, digits, '.', '_' and '-', not "
            "starting with a dot); nothing was written",
            hint="import the other subscriptions with `--subscription ID`",
        )
    return f"{subscription_id}.yaml"


def _manifest(
    name: str, groups: Mapping[str, Sequence[Mapping[str, Any]]], header: Sequence[str]
) -> ManifestFile:
    lines = [f"# {line}" if line else "#" for line in header]
    lines += [f"apiVersion: {API_VERSION}", f"kind: {KIND}", "subscriptions:"]
    expected_blocks = []
    for position, (subscription, tenants) in enumerate(groups.items()):
        if position:
            lines.append("")
        lines += _subscription_lines(subscription, tenants)
        expected_blocks.append(
            {
                "subscriptionId": subscription,
                "tenants": [to_plain(manifest_tenant(t)) for t in tenants],
            }
        )
    text = "\n".join(lines) + "\n"
    expected = {"apiVersion": API_VERSION, "kind": KIND, "subscriptions": expected_blocks}
    _verify(name, text, expected)
    count = sum(len(tenants) for tenants in groups.values())
    return ManifestFile(name, text, tuple(groups), count)


def _subscription_lines(subscription: str, tenants: Sequence[Mapping[str, Any]]) -> list[str]:
    quoted = render_value(DoubleQuotedScalarString(subscription))
    lines = [f"  - subscriptionId: {quoted}", "    tenants:"]
    items = render_items([manifest_tenant(tenant) for tenant in tenants], 6, STYLE)
    for position, item in enumerate(items):
        if position:
            lines.append("")
        lines += item
    return lines


def _verify(name: str, text: str, expected: Any) -> None:
    """Raise RewriteError unless ``text`` reads back as ``expected``."""
    if to_plain(YAML(typ="safe").load(text)) != expected:
        raise RewriteError(f"the manifest rendered for {name} does not read back as written")


def header_lines(source: str, read_at: str | None) -> list[str]:
    """Return the comment lines that open every imported file.

    ``source`` names where the tenants came from, for example the org URL.
    It must never contain credentials.
    """
    when = f" at {read_at}" if read_at else ""
    return [
        f"Imported by qlik-drift {__version__}{when}",
        f"from {source}.",
        "Review before committing: every tenant listed here becomes desired state.",
    ]


def existing_targets(files: Sequence[ManifestFile], directory: Path) -> list[Path]:
    return [directory / f.name for f in files if (directory / f.name).exists()]


def write_manifests(files: Sequence[ManifestFile], directory: Path, force: bool) -> list[Path]:
    """Write ``files`` into ``directory``, each atomically; return their paths.

    Raises UsageError before writing anything when a file exists and
    ``force`` is false.
    """
    if directory.exists() and not directory.is_dir():
        raise UsageError(
            f"output {directory} exists and is not a folder",
            hint="pass a folder to `-o`, or use `--single-file -o FILE`",
        )
    for manifest in files:
        _check_inside(directory, manifest.name)
    clashes = [] if force else existing_targets(files, directory)
    if clashes:
        names = ", ".join(str(path) for path in clashes)
        raise UsageError(
            f"not overwriting existing file(s): {names}",
            hint="add `--force` to replace them, or choose another folder with `-o`",
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for manifest in files:
        path = directory / manifest.name
        atomic_write_text(path, manifest.text)
        logger.info("wrote %s (%d tenants)", path, manifest.tenant_count)
        written.append(path)
    return written


def _check_inside(directory: Path, name: str) -> None:
    """Raise UsageError unless ``name`` is a file directly inside ``directory``."""
    target = os.path.normpath(directory / name)
    if (os.path.dirname(target) or os.curdir) != os.path.normpath(directory):
        raise UsageError(
            f"cannot write {name!r}: it would land outside the output folder "
            f"{directory}; nothing was written",
            hint="import the other subscriptions with `--subscription ID`",
        )


def write_single(manifest: ManifestFile, path: Path, force: bool) -> None:
    """Write one manifest to ``path`` atomically, refusing to overwrite without ``force``."""
    if path.is_dir():
        raise UsageError(
            f"output {path} is a folder, but --single-file writes one file",
            hint=f"pass a file name, for example `-o {os.path.join(path, SINGLE_FILE_NAME)}`",
        )
    if path.exists() and not force:
        raise UsageError(
            f"not overwriting existing file {path}",
            hint="add `--force` to replace it, or choose another path with `-o`",
        )
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, manifest.text)
