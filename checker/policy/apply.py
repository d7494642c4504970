"""Apply a policy to a run's findings: severities, ignores and warnings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from checker.model import DesiredState, Diagnostic, DriftItem, LiveState
from checker.policy.ignore import apply_ignores, expired_warning
from checker.policy.live_warnings import early_warnings
from checker.policy.model import IgnoreRule, Policy, manifest_rule_levels
from checker.policy.rules import lint_desired


def offline_diagnostics(
    desired: DesiredState, diagnostics: Sequence[Diagnostic], policy: Policy
) -> list[Diagnostic]:
    """Add the policy rules' findings to ``diagnostics`` and apply severities."""
    return apply_rule_severity([*diagnostics, *lint_desired(desired, policy)], policy)


def expired_ignore_warnings(
    rules: Sequence[IgnoreRule], policy: Policy, today: date
) -> list[Diagnostic]:
    """Return the warnings for expired rules, for runs that compare no drift."""
    warnings = [expired_warning(rule) for rule in rules if rule.expired(today)]
    return apply_rule_severity(warnings, policy)


def apply_rule_severity(
    diagnostics: Sequence[Diagnostic], policy: Policy
) -> list[Diagnostic]:
    """Set each diagnostic's level from the policy; drop those set to ignore.

    A manifest error is never lowered, even by a glob such as ``lint/*``:
    the loader left its tenant or file out of the desired state.
    """
    fixed = set(manifest_rule_levels())
    result: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.level == "error" and diagnostic.rule_id in fixed:
            result.append(diagnostic)
            continue
        severity = policy.severity_of_rule(diagnostic.rule_id, diagnostic.level)
        if severity == "ignore":
            continue
        if severity != diagnostic.level:
            diagnostic = dataclasses.replace(diagnostic, level=severity)
        result.append(diagnostic)
    return result


@dataclass(slots=True)
class LiveOutcome:
    """Findings of a comparison with the organization, after the policy."""

    drift: list[DriftItem] = field(default_factory=list)
    ignored: list[DriftItem] = field(default_factory=list)
    # Expired ignore rules and early warnings, severities applied.
    diagnostics: list[Diagnostic] = field(default_factory=list)


def apply_live_policy(
    desired: DesiredState,
    live: LiveState,
    drift: Sequence[DriftItem],
    policy: Policy,
    *,
    ignores: Sequence[IgnoreRule] = (),
    today: date,
    license_warning_days: int | None = None,
) -> LiveOutcome:
    """Apply ignore rules, then drift severities, and add the early warnings.

    ``ignores`` come on top of the policy's own ``ignore:`` entries.
    ``license_warning_days`` overrides the policy's licenseExpiryWarningDays.
    """
    ignored = apply_ignores(drift, [*policy.ignores, *ignores], today)
    outcome = LiveOutcome(ignored=ignored.ignored)
    for item in ignored.drift:
        severity = policy.severity_of_drift(item.kind, item.level)
        if severity == "ignore":
            reason = f"{policy.source}: severity of {item.kind} is ignore"
            outcome.ignored.append(dataclasses.replace(item, ignored_by=reason))
        else:
            outcome.drift.append(dataclasses.replace(item, level=severity))

    days = license_warning_days
    if days is None:
        days = policy.license_warning_days
    warnings = early_warnings(desired, live, today=today, warning_days=days)
    outcome.diagnostics = apply_rule_severity([*ignored.diagnostics, *warnings], policy)
    return outcome
