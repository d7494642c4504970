"""Plan ``check --fix``: write accepted drift back into the manifest files.

Changed fields take the live value. Unmanaged tenants join the block that
declares their subscription. Moved tenants move, with their comments, to
the block of their live subscription, and that block is created next to the
old one when no manifest declares it. Missing tenants go only when pruning.

Why line edits and not ruamel.yaml's emitter: the emitter stores a comment
or blank line above a list item on the item before it (or on the list,
after a flow-style value), so deleting or appending items through it drops
or moves comments. Here ruamel.yaml's round-trip tree locates every node
and renders new content, and the change is applied as line edits. Each
rewritten file is parsed again and must equal the planned data.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from checker.adopt.patch import (
    DELETE,
    Edit,
    FlowItemEditor,
    ItemEditor,
    apply_edits,
    reindent,
    rewrite_sequence,
    scalar_end,
)
from checker.adopt.plain import to_plain
from checker.adopt.render import (
    ListStyle,
    flow_list,
    manifest_tenant,
    reconcile_hostnames,
    render_item,
    render_value,
)
from checker.adopt.result import FileChange, FixAction, FixPlan, FixRequest, RewriteError
from checker.adopt.validation import check_fix_plan
from checker.adopt.yamltext import Block, ManifestText, gap_has_blank
from checker.errors import ManifestError
from checker.model import DeclaredTenant, DesiredState, DriftItem, LiveState, Location

logger = logging.getLogger(__name__)

_KIND_ORDER = {"changed": 0, "moved": 1, "unmanaged": 2, "missing": 3}


@dataclass(slots=True)
class _Entry:
    """A tenant appended to a list: new from live, or moved with its own lines."""

    data: dict[str, Any]
    fields: CommentedMap | None = None
    lines: list[str] | None = None
    dash_col: int = 0


@dataclass(slots=True)
class _ListPlan:
    """Planned changes to the ``tenants`` list of one subscription block."""

    file: ManifestText
    doc: int
    sub: int
    replaced: dict[int, list[str] | None] = field(default_factory=dict)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    appended: list[_Entry] = field(default_factory=list)


@dataclass(slots=True)
class _NewBlock:
    """A subscription block to create for a moved tenant's live subscription."""

    subscription_id: str
    file: ManifestText
    doc: int
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _TenantRef:
    file: ManifestText
    doc: int
    sub: int
    index: int
    node: CommentedMap


def plan_fix(
    files: Sequence[str],
    desired: DesiredState,
    live: LiveState,
    drift: Iterable[DriftItem],
    request: FixRequest,
) -> FixPlan:
    """Return the file changes that accept the ``drift`` items ``request`` selects.

    Raises UnwritableManifestError (exit 2) when a changed file would not
    pass validation, for example with a live status outside the manifest
    format.
    """
    planner = _Planner(files, desired, live, request)
    items = [item for item in drift if request.accepts(item.kind)]
    items.sort(key=lambda i: (_KIND_ORDER.get(i.kind, 9), i.subscription_id, i.hostname or ""))
    for item in items:
        planner.accept(item)
    planner.adopt_new_block_tenants()
    plan = planner.finish()
    check_fix_plan(plan, files)
    return plan


class _Planner:
    def __init__(
        self,
        files: Sequence[str],
        desired: DesiredState,
        live: LiveState,
        request: FixRequest,
    ) -> None:
        self.desired = desired
        self.live = live
        self.request = request
        self.paths = {os.path.realpath(path): path for path in files}
        self.texts: dict[str, ManifestText] = {}
        self.lists: dict[tuple[str, int, int], _ListPlan] = {}
        self.new_blocks: dict[str, _NewBlock] = {}
        self.actions: list[FixAction] = []
        self.moved_live: set[int] = set()
        self.tenant_indexes: dict[str, dict[tuple[str, Any], _TenantRef]] = {}
        self.block_cache: dict[tuple[str, int, int], list[Block]] = {}
        self.styles: dict[str, ListStyle] = {}

    # Accepting drift items -------------------------------------------------

    def accept(self, item: DriftItem) -> None:
        if item.kind == "unmanaged" and item.live is not None:
            self._add_unmanaged(item.subscription_id, item.live)
            return
        if item.declared is None:
            return
        ref = self._locate(item.declared)
        if item.kind == "missing":
            self._list(ref).replaced[ref.index] = None
            self._act(item, ref, "removed")
        elif item.kind == "changed" and item.live is not None:
            self._update(ref, item)
            fields = ", ".join(change.path for change in item.changes)
            self._act(item, ref, f"{fields} set to the live value")
        elif item.kind == "moved" and item.live is not None:
            self._move(ref, item)

    def _update(self, ref: _TenantRef, item: DriftItem) -> list[str]:
        """Plan the live values of ``item``'s changed fields; return the item's lines."""
        assert item.live is not None
        updates = field_updates(ref.node, item)
        plan = self._list(ref)
        block = self._blocks(ref)[ref.index]
        editor: ItemEditor | FlowItemEditor
        if ref.node.fa.flow_style():
            editor = FlowItemEditor(ref.file, ref.node, block)
        else:
            editor = ItemEditor(ref.file, ref.node, block)
        style = self._style(ref.file)
        for key, value in updates.items():
            if value is DELETE:
                editor.delete(key)
            else:
                editor.set(key, value, style)
        lines = editor.lines()
        plan.replaced[ref.index] = lines
        plan.updates[ref.index] = updates
        return lines

    def _move(self, ref: _TenantRef, item: DriftItem) -> None:
        assert item.live is not None
        block = self._blocks(ref)[ref.index]
        data = to_plain(ref.node)
        if item.changes and self.request.accepts("changed"):
            lines = self._update(ref, item)
            data = apply_updates(data, self._list(ref).updates[ref.index])
        else:
            lines = ref.file.lines[block.start : block.end]
        self._list(ref).replaced[ref.index] = None
        self.moved_live.add(id(item.live))
        target = item.live_subscription_id or ""
        entry = _Entry(data=data, lines=lines, dash_col=block.dash_col)
        destination = self._append(target, entry, fallback=ref)
        self._act(
            item,
            ref,
            f"moved from subscription {item.subscription_id} to {target} in {destination}",
        )

    def _add_unmanaged(self, subscription_id: str, live: dict[str, Any]) -> None:
        fields = manifest_tenant(live)
        entry = _Entry(data=to_plain(fields), fields=fields)
        destination = self._append(subscription_id, entry, fallback=None)
        hostname = fields.get("hostname") or live.get("id") or "?"
        change = f"added to subscription {subscription_id} in {destination}"
        self.actions.append(FixAction("unmanaged", str(hostname), change))

    def adopt_new_block_tenants(self) -> None:
        """Declare the other live tenants of each newly declared subscription.

        Declaring a subscription makes its remaining tenants unmanaged drift,
        so they are added too when unmanaged drift is accepted.
        """
        if not self.request.accepts("unmanaged"):
            return
        for subscription_id in sorted(self.new_blocks):
            for tenant in self.live.tenants:
                if str(tenant.get("subscriptionId") or "") != subscription_id:
                    continue
                if id(tenant) not in self.moved_live:
                    self._add_unmanaged(subscription_id, tenant)

    def _append(self, subscription_id: str, entry: _Entry, fallback: _TenantRef | None) -> str:
        """Append ``entry`` to the block of ``subscription_id``; return where it went."""
        block = self._declared_block(subscription_id)
        if block is not None:
            text, doc, sub = block
            self._list_at(text, doc, sub).appended.append(entry)
            return text.path
        new = self.new_blocks.get(subscription_id)
        if new is None:
            if fallback is None:
                raise ManifestError(f"subscription {subscription_id} is not declared")
            new = _NewBlock(subscription_id, fallback.file, fallback.doc)
            self.new_blocks[subscription_id] = new
        new.entries.append(entry)
        return f"{new.file.path} (new subscription block)"

    def _act(self, item: DriftItem, ref: _TenantRef, change: str) -> None:
        hostname = item.hostname or item.id or "?"
        self.actions.append(FixAction(item.kind, hostname, change, self._where(ref)))

    # Locating nodes --------------------------------------------------------

    def _text(self, path: str) -> ManifestText:
        real = os.path.realpath(path)
        text = self.texts.get(real)
        if text is None:
            text = ManifestText.read(self.paths.get(real, path))
            self.texts[real] = text
        return text

    def _locate(self, declared: DeclaredTenant) -> _TenantRef:
        if declared.source is None:
            raise ManifestError(f"tenant {declared.hostname} has no source location")
        text = self._text(declared.source.file)
        index = self._tenant_index(text)
        sub_id = declared.subscription_id
        ref = index.get((sub_id, declared.source.line))
        ref = ref or index.get((sub_id, declared.hostname.lower()))
        if ref is None:
            raise ManifestError(
                f"{declared.source}: tenant {declared.hostname} not found in the file",
                hint="the file may have changed since it was read: run again",
            )
        return ref

    def _tenant_index(self, text: ManifestText) -> dict[tuple[str, Any], _TenantRef]:
        """Index a file's tenants by (subscription, first line) and (subscription, hostname)."""
        index = self.tenant_indexes.get(text.path)
        if index is not None:
            return index
        index = {}
        for doc, sub, block in text.subscription_blocks():
            sub_id = str(block.get("subscriptionId"))
            tenants = block.get("tenants")
            for position, node in enumerate(tenants if isinstance(tenants, CommentedSeq) else ()):
                if not isinstance(node, CommentedMap):
                    continue
                ref = _TenantRef(text, doc, sub, position, node)
                index[(sub_id, node.lc.line + 1)] = ref
                index.setdefault((sub_id, str(node.get("hostname", "")).lower()), ref)
        self.tenant_indexes[text.path] = index
        return index

    def _declared_block(self, subscription_id: str) -> tuple[ManifestText, int, int] | None:
        subscription = self.desired.subscriptions.get(subscription_id)
        if subscription is None or not subscription.sources:
            return None
        source: Location = subscription.sources[0]
        text = self._text(source.file)
        first = None
        for doc, sub, block in text.subscription_blocks():
            if str(block.get("subscriptionId")) != subscription_id:
                continue
            if block.lc.line + 1 == source.line or block.lc.key("subscriptionId")[0] + 1 == (
                source.line
            ):
                return text, doc, sub
            first = first or (text, doc, sub)
        return first

    def _list(self, ref: _TenantRef) -> _ListPlan:
        return self._list_at(ref.file, ref.doc, ref.sub)

    def _list_at(self, text: ManifestText, doc: int, sub: int) -> _ListPlan:
        key = (text.path, doc, sub)
        plan = self.lists.get(key)
        if plan is None:
            plan = _ListPlan(text, doc, sub)
            self.lists[key] = plan
        return plan

    def _blocks(self, ref: _TenantRef) -> list[Block]:
        key = (ref.file.path, ref.doc, ref.sub)
        blocks = self.block_cache.get(key)
        if blocks is None:
            block = ref.file.subscriptions(ref.doc)[ref.sub]  # type: ignore[index]
            blocks = ref.file.blocks(block["tenants"])
            self.block_cache[key] = blocks
        return blocks

    def _where(self, ref: _TenantRef) -> str:
        return f"{ref.file.path}:{ref.node.lc.line + 1}"

    def _style(self, text: ManifestText) -> ListStyle:
        style = self.styles.get(text.path)
        if style is None:
            style = self.styles[text.path] = detect_style(text)
        return style

    # Producing the files ---------------------------------------------------

    def finish(self) -> FixPlan:
        edits: dict[str, list[Edit]] = {}
        expected: dict[str, list[Any]] = {}
        for listed in self.lists.values():
            data = expected.setdefault(listed.file.path, to_plain(listed.file.docs))
            style = self._style(listed.file)
            edits.setdefault(listed.file.path, []).extend(_list_edits(listed, data, style))
        for new in self.new_blocks.values():
            data = expected.setdefault(new.file.path, to_plain(new.file.docs))
            style = self._style(new.file)
            edits.setdefault(new.file.path, []).append(_new_block_edit(new, data, style))

        plan = FixPlan(actions=self.actions)
        for text in self.texts.values():
            if text.path not in edits:
                continue
            after = text.render(apply_edits(text.lines, edits[text.path]))
            _verify(text, after, expected[text.path])
            if after != text.original:
                plan.changes.append(FileChange(text.path, text.original, after))
        plan.changes.sort(key=lambda change: change.path)
        return plan


def field_updates(node: CommentedMap, item: DriftItem) -> dict[str, Any]:
    """Return the manifest keys to set (or DELETE) so ``node`` matches ``item.live``."""
    live = item.live or {}
    updates: dict[str, Any] = {}
    for change in item.changes:
        if change.path in ("name", "regionCode", "status"):
            value = live.get(change.path)
            if isinstance(value, str):
                updates[change.path] = value
        elif change.path == "hostnames":
            updates.update(_hostname_updates(node, live))
    return updates


def _hostname_updates(node: CommentedMap, live: dict[str, Any]) -> dict[str, Any]:
    live_hostnames = [str(h) for h in live.get("hostnames") or ()]
    if not live_hostnames:
        return {}
    old_aliases = [str(a) for a in node.get("aliases") or ()]
    hostname, aliases = reconcile_hostnames(str(node["hostname"]), old_aliases, live_hostnames)
    updates: dict[str, Any] = {}
    if hostname != str(node["hostname"]):
        updates["hostname"] = hostname
    if aliases != old_aliases:
        updates["aliases"] = flow_list(aliases) if aliases else DELETE
    return updates


def apply_updates(data: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    result = dict(data)
    for key, value in updates.items():
        if value is DELETE:
            result.pop(key, None)
        else:
            result[key] = to_plain(value)
    return result


def detect_style(text: ManifestText) -> ListStyle:
    """Return how the file lays out tenant lists, from its own lists."""
    offsets: list[int] = []
    indents: list[int] = []
    gaps: list[bool] = []
    for _, _, block in text.subscription_blocks():
        tenants = block.get("tenants")
        if not isinstance(tenants, CommentedSeq) or not tenants:
            continue
        try:
            blocks = text.blocks(tenants)
        except ManifestError:
            continue  # a flow-style list has no block layout to copy
        offsets.append(blocks[0].dash_col - block.lc.key("tenants")[1])
        first = tenants[0]
        if isinstance(first, CommentedMap):
            indents.append(first.lc.col - blocks[0].dash_col)
        gaps += gap_has_blank(text, blocks)
    blank = gaps.count(True) >= gaps.count(False)
    offset = offsets[0] if offsets else 2
    indent = indents[0] if indents and indents[0] > 0 else 2
    return ListStyle(offset=max(offset, 0), indent=indent, blank_lines=blank)


def _entry_lines(entry: _Entry, dash_col: int, style: ListStyle) -> list[str]:
    if entry.lines is not None:
        return reindent(entry.lines, dash_col - entry.dash_col)
    assert entry.fields is not None
    return render_item(entry.fields, dash_col, style)


def _list_edits(plan: _ListPlan, docs: list[Any], style: ListStyle) -> list[Edit]:
    text = plan.file
    block = text.subscriptions(plan.doc)[plan.sub]  # type: ignore[index]
    expected_block = docs[plan.doc]["subscriptions"][plan.sub]
    tenants = block.get("tenants")
    old = expected_block.get("tenants") or []
    kept = [
        apply_updates(data, plan.updates.get(index, {}))
        for index, data in enumerate(old)
        if not (index in plan.replaced and plan.replaced[index] is None)
    ]
    expected_block["tenants"] = kept + [entry.data for entry in plan.appended]

    if isinstance(tenants, CommentedSeq) and len(tenants):
        blocks = text.blocks(tenants)
        dash_col = blocks[0].dash_col
        appended = [_entry_lines(entry, dash_col, style) for entry in plan.appended]
        edit = rewrite_sequence(text, blocks, plan.replaced, appended, style)
        if kept or appended:
            return [edit]
        return [edit, _empty_list_edit(text, block)]
    return [_fill_empty_list_edit(text, plan, block, style)]


def _empty_list_edit(text: ManifestText, block: CommentedMap) -> Edit:
    """Turn ``tenants:`` into ``tenants: []`` once its last item is gone."""
    line, col = block.lc.key("tenants")
    source = text.lines[line]
    colon = source.find(":", col)
    if colon == -1:
        raise text.layout_error(line, "expected `tenants:` on this line")
    return Edit(line, line + 1, (source[: colon + 1] + " []" + source[colon + 1 :],))


def _fill_empty_list_edit(
    text: ManifestText, plan: _ListPlan, block: CommentedMap, style: ListStyle
) -> Edit:
    """Put the first items into an empty or absent ``tenants`` list."""
    if "tenants" in block:
        line, key_col = block.lc.key("tenants")
        value_line, value_col = block.lc.value("tenants")
        source = text.lines[line]
        if block["tenants"] is not None and value_line == line:
            end = scalar_end(source, value_col)
            if end is None:
                raise text.layout_error(line, "expected `tenants: []` on this line")
            source = source[:value_col].rstrip() + source[end:]
        dash_col = key_col + style.offset
        lines = _joined([_entry_lines(e, dash_col, style) for e in plan.appended], style)
        return Edit(line, line + 1, (source, *lines))
    subs = text.subscriptions(plan.doc)
    end = text.blocks(subs)[plan.sub].end  # type: ignore[arg-type]
    key_col = block.lc.col
    dash_col = key_col + style.offset
    lines = _joined([_entry_lines(e, dash_col, style) for e in plan.appended], style)
    return Edit(end, end, (" " * key_col + "tenants:", *lines))


def _new_block_edit(new: _NewBlock, docs: list[Any], style: ListStyle) -> Edit:
    text = new.file
    subs = text.subscriptions(new.doc)
    assert subs is not None and len(subs)
    blocks = text.blocks(subs)
    dash_col = blocks[0].dash_col
    key_col = subs[0].lc.col if isinstance(subs[0], CommentedMap) else dash_col + 2
    sub_id = render_value(DoubleQuotedScalarString(new.subscription_id))
    head = [
        " " * dash_col + "-" + " " * (key_col - dash_col - 1) + f"subscriptionId: {sub_id}",
        " " * key_col + "tenants:",
    ]
    tenant_dash = key_col + style.offset
    items = _joined([_entry_lines(e, tenant_dash, style) for e in new.entries], style)
    separator = [""] if style.blank_lines else []
    docs[new.doc]["subscriptions"].append(
        {"subscriptionId": new.subscription_id, "tenants": [e.data for e in new.entries]}
    )
    return Edit(blocks[-1].end, blocks[-1].end, (*separator, *head, *items))


def _joined(items: list[list[str]], style: ListStyle) -> list[str]:
    lines: list[str] = []
    for item in items:
        if lines and style.blank_lines:
            lines.append("")
        lines += item
    return lines


def _verify(text: ManifestText, after: str, expected: list[Any]) -> None:
    """Raise RewriteError unless ``after`` reads back as ``expected``."""
    try:
        # The C-based safe loader reads YAML 1.2 like the round-trip one, faster.
        actual = to_plain(list(YAML(typ="safe").load_all(after.lstrip("\ufeff"))))
    except Exception as error:  # any parse failure means the rewrite is wrong
        raise RewriteError(
            f"rewriting {text.path} produced invalid YAML ({error}); no file was changed",
            hint="apply the change to this file by hand",
        ) from error
    if actual != expected:
        raise RewriteError(
            f"rewriting {text.path} would change more than the accepted drift; "
            "no file was changed",
            hint="apply the change to this file by hand",
        )
