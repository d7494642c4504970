"""Ignore rules applied to drift, and the warnings for expired rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from checker.model import Diagnostic, DriftItem, FieldChange
from checker.policy.model import POLICY_RULES, IgnoreRule


@dataclass(slots=True)
class IgnoreOutcome:
    """Drift split by ignore rules.

    A field rule moves the matched field changes into a copy of the item in
    ``ignored``. The item stays in ``drift`` with the remaining changes,
    unless it is a ``changed`` item with none left.
    """

    drift: list[DriftItem] = field(default_factory=list)
    ignored: list[DriftItem] = field(default_factory=list)
    # One warning per expired rule, at the rule's entry.
    diagnostics: list[Diagnostic] = field(default_factory=list)


def apply_ignores(
    items: Sequence[DriftItem], rules: Sequence[IgnoreRule], today: date
) -> IgnoreOutcome:
    outcome = IgnoreOutcome()
    active = [rule for rule in rules if not rule.expired(today)]
    outcome.diagnostics = [expired_warning(r) for r in rules if r.expired(today)]
    for item in items:
        remaining = _apply_rules(item, active, outcome.ignored)
        if remaining is not None:
            outcome.drift.append(remaining)
    return outcome


def _apply_rules(
    item: DriftItem, rules: Sequence[IgnoreRule], ignored: list[DriftItem]
) -> DriftItem | None:
    """Return what is left of ``item`` after the rules; ``None`` if nothing is."""
    for rule in rules:
        if not rule.matches(item):
            continue
        if not rule.fields:
            ignored.append(dataclasses.replace(item, ignored_by=rule.describe()))
            return None
        kept, dropped = _split_changes(item.changes, rule.fields)
        if not dropped:
            continue
        ignored.append(
            dataclasses.replace(item, changes=dropped, ignored_by=rule.describe())
        )
        item = dataclasses.replace(item, changes=kept)
        # A moved tenant is drift by where it lives, whatever its fields.
        if not kept and item.kind == "changed":
            return None
    return item


def _split_changes(
    changes: Sequence[FieldChange], fields: Sequence[str]
) -> tuple[list[FieldChange], list[FieldChange]]:
    kept = [c for c in changes if c.path not in fields]
    dropped = [c for c in changes if c.path in fields]
    return kept, dropped


def expired_warning(rule: IgnoreRule) -> Diagnostic:
    return Diagnostic(
        location=rule.location,
        level=POLICY_RULES["policy/ignore-expired"],
        message=(
            f"ignore rule expired on {rule.expires} and no longer applies "
            f"(reason: {rule.reason}); the drift it matched counts again"
        ),
        rule_id="policy/ignore-expired",
        json_path=rule.json_path,
        hint="fix the drift and remove the entry, or move `expires:` to a later date",
    )
