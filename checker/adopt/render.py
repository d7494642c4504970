"""Manifest text for tenants read from the Organization API.

Both ``import`` and ``check --fix`` render through here, so a tenant looks
the same whichever command wrote it: ruamel.yaml picks the quoting, lines
never wrap, and aliases are a one-line flow list.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml as pyyaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from checker.adopt.yamltext import make_yaml

# Manifest fields in the order ``import`` writes them.
TENANT_FIELDS = ("hostname", "id", "name", "regionCode", "status", "aliases")
_STR_TAG = "tag:yaml.org,2002:str"
# PyYAML's resolver applies the YAML 1.1 rules for plain scalars.
_YAML11 = pyyaml.resolver.Resolver()


@dataclass(frozen=True, slots=True)
class ListStyle:
    """The layout of block lists of mappings in a file.

    ``offset`` is the dash column minus the column of the key that owns the
    list, ``indent`` the column of the item's keys minus the dash column.
    """

    offset: int = 2
    indent: int = 2
    blank_lines: bool = True


def manifest_tenant(live: Mapping[str, Any]) -> CommentedMap:
    """Return the manifest fields of a live tenant object, in manifest order.

    The first hostname is the tenant's hostname and the others its aliases;
    ``status`` appears only when it is not ``active``, its default.
    """
    hostnames = unique_hostnames(live.get("hostnames") or ())
    fields = CommentedMap()
    if hostnames:
        fields["hostname"] = hostnames[0]
    for key in ("id", "name", "regionCode"):
        value = live.get(key)
        if isinstance(value, str) and value:
            fields[key] = value
    status = live.get("status")
    if isinstance(status, str) and status and status != "active":
        fields["status"] = status
    if len(hostnames) > 1:
        fields["aliases"] = flow_list(hostnames[1:])
    return fields


def unique_hostnames(hostnames: Iterable[Any]) -> list[str]:
    """Return the hostnames in order, without case-insensitive repeats."""
    seen: set[str] = set()
    result = []
    for hostname in hostnames:
        text = str(hostname)
        if text.lower() not in seen:
            seen.add(text.lower())
            result.append(text)
    return result


def reconcile_hostnames(
    hostname: str, aliases: Sequence[str], live_hostnames: Sequence[str]
) -> tuple[str, list[str]]:
    """Return the hostname and aliases that match ``live_hostnames``, changing little.

    The declared hostname stays when it is still live; otherwise the live
    display hostname (the first) replaces it. Declared aliases that are still
    live keep their order and spelling, and new live hostnames follow them.
    """
    live = unique_hostnames(live_hostnames)
    live_keys = {h.lower() for h in live}
    main = hostname if hostname.lower() in live_keys else live[0]
    kept = [a for a in unique_hostnames(aliases) if a.lower() in live_keys]
    kept = [a for a in kept if a.lower() != main.lower()]
    covered = {main.lower(), *(a.lower() for a in kept)}
    added = [h for h in live if h.lower() not in covered]
    return main, kept + added


def flow_list(values: Iterable[str]) -> CommentedSeq:
    seq = CommentedSeq(plain_safe(v) for v in values)
    seq.fa.set_flow_style()
    return seq


def plain_safe(value: Any) -> Any:
    """Quote a string that a YAML 1.1 reader would not read back as that string.

    ruamel.yaml writes YAML 1.2, where ``yes`` or ``on`` are strings; PyYAML
    and other 1.1 readers would turn them into booleans.
    """
    if not isinstance(value, str) or isinstance(value, ScalarString):
        return value
    tag = _YAML11.resolve(pyyaml.ScalarNode, value, (True, False))
    return DoubleQuotedScalarString(value) if tag != _STR_TAG else value


def like(value: str, old: Any) -> Any:
    """Return ``value`` in the quoting style of ``old``, when ``old`` was quoted."""
    if isinstance(old, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(value)
    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(value)
    return plain_safe(value)


def dump(data: Any, style: ListStyle | None = None) -> list[str]:
    """Dump ``data`` with ruamel.yaml and return its lines."""
    yaml = make_yaml()
    if style is not None:
        yaml.indent(mapping=2, sequence=style.indent, offset=0)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue().rstrip("\n").split("\n")


def render_item(fields: Mapping[str, Any], dash_col: int, style: ListStyle) -> list[str]:
    """Return the lines of a block list item holding ``fields``, dash at ``dash_col``."""
    return render_items([fields], dash_col, style)[0]


def render_items(
    items: Sequence[Mapping[str, Any]], dash_col: int, style: ListStyle
) -> list[list[str]]:
    """Return the lines of each block list item, dash at ``dash_col``, in one dump."""
    if not items:
        return []
    data = [CommentedMap((k, plain_safe(v)) for k, v in fields.items()) for fields in items]
    pad = " " * dash_col
    rendered: list[list[str]] = []
    for line in dump(data, style):
        # With offset 0 every item's dash is in column 0 and nothing else is.
        if line.startswith("-"):
            rendered.append([])
        rendered[-1].append(pad + line)
    return rendered


def render_entry(key: str, value: Any, col: int, style: ListStyle) -> list[str]:
    """Return the lines of ``key: value`` as a mapping entry at column ``col``."""
    pad = " " * col
    return [pad + line for line in dump(CommentedMap([(key, value)]), style)]


def render_value(value: Any) -> str | None:
    """Return ``value`` as it would follow ``key: `` on one line, or None."""
    lines = dump(CommentedMap([("k", value)]))
    if len(lines) != 1 or not lines[0].startswith("k: "):
        return None
    return lines[0][3:]
