"""Turn today's drift into an ignore file (``qlik-drift baseline``)."""

from __future__ import annotations

import glob
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from checker.errors import UsageError
from checker.model import DriftItem


def expiry_date(today: date, expires_in: int | None) -> date | None:
    """Return the day ``expires_in`` days after ``today``, or None without a count.

    Raises UsageError when that day is past 9999-12-31, the last date that
    Python and an ignore file's YYYY-MM-DD can hold.
    """
    if expires_in is None:
        return None
    try:
        return today + timedelta(days=expires_in)
    except OverflowError:
        # timedelta() raises it past 999999999 days, the sum past 9999-12-31.
        last = date.max.isoformat()
        raise UsageError(
            f"--expires-in {expires_in}: the date {expires_in} days after "
            f"{today.isoformat()} is out of range (the last date is {last})",
            hint="pass a smaller number of days, or an earlier --today",
        ) from None


def baseline_entries(
    items: Sequence[DriftItem], *, today: date, expires_in: int | None = None
) -> list[dict[str, Any]]:
    """Return one ignore entry per drift item, matching exactly that item.

    A ``changed`` item gets a field entry for its changed fields only, so a
    later change to another field of the same tenant is still reported.
    Raises UsageError as ``expiry_date`` does.
    """
    expires = expiry_date(today, expires_in)
    return [_entry(item, today, expires) for item in items]


def _entry(item: DriftItem, today: date, expires: date | None) -> dict[str, Any]:
    from jsonpointer import JsonPointer

    # Values are escaped so that the globs match them literally.
    entry: dict[str, Any] = {"subscription": glob.escape(item.subscription_id)}
    if item.kind != "undeclared-subscription":
        if item.hostname:
            entry["hostname"] = glob.escape(item.hostname)
        if item.id:
            entry["id"] = glob.escape(item.id)
    entry["kinds"] = [item.kind]
    if item.kind == "changed" and item.changes:
        entry["fields"] = [JsonPointer.from_parts([c.path]).path for c in item.changes]
    entry["reason"] = f"baseline {today.isoformat()}"
    if expires is not None:
        # A date, not a string, so the file shows it unquoted.
        entry["expires"] = expires
    return entry


def render_ignore_file(
    entries: Sequence[dict[str, Any]], items: Sequence[DriftItem], *, header: str
) -> str:
    """Render an IgnoreList file with ``header`` and a comment per entry."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    ignore = CommentedSeq()
    for index, (entry, item) in enumerate(zip(entries, items, strict=True)):
        ignore.append(_commented(entry))
        ignore.yaml_set_comment_before_after_key(index, before=_describe(item), indent=2)
    document = CommentedMap(apiVersion="qlik-drift/v1", kind="IgnoreList")
    document["ignore"] = ignore
    document.yaml_set_start_comment(header)

    yaml = YAML(typ="rt")
    # Entries share one expiry date object; write it in full every time.
    yaml.representer.ignore_aliases = lambda data: True
    # Long hostnames and reasons stay on one line.
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _commented(entry: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    mapping = CommentedMap()
    for key, value in entry.items():
        if isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        mapping[key] = value
    return mapping


def _describe(item: DriftItem) -> str:
    name = item.hostname or item.id or f"subscription {item.subscription_id}"
    text = f"{item.kind}: {name}"
    if item.source is not None:
        text += f" ({item.source.file}:{item.source.line})"
    return text
