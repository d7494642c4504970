"""Helpers shared by the manifest tests."""

from __future__ import annotations

from checker.model import Diagnostic

HEADER = "apiVersion: qlik-drift/v1\nkind: TenantManifest\n"


def by_rule(diagnostics: list[Diagnostic], rule_id: str) -> list[Diagnostic]:
    return [diagnostic for diagnostic in diagnostics if diagnostic.rule_id == rule_id]


def where(diagnostic: Diagnostic) -> str:
    return str(diagnostic.location)
