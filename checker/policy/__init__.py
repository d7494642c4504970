"""Policy files, ignore rules and early warnings.

A policy sets offline rules for manifests, the severity of each drift kind
and rule id, and ignore rules. ``load_policy()`` with no file returns the
built-in defaults, which keep every drift kind an error except
``undeclared-subscription`` (info).
"""

from __future__ import annotations

from checker.policy.loader import load_default_policy, load_ignore_file, load_policy
from checker.policy.model import IgnoreRule, Policy, TenantRules
from checker.policy.yamlfile import PolicyFileError

__all__ = [
    "IgnoreRule",
    "Policy",
    "PolicyFileError",
    "TenantRules",
    "load_default_policy",
    "load_ignore_file",
    "load_policy",
]
