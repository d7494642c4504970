"""Tenant manifests: loading, JSON Schema validation and offline lint.

``load_manifests`` reads manifest files and folders and returns the merged
``DesiredState`` with every diagnostic found. The format is described in
docs/manifest.md and defined by ``schemas/manifest.schema.json``.
"""

from __future__ import annotations

from checker.manifest.files import collect_manifest_files
from checker.manifest.loader import LoadResult, load_manifests
from checker.manifest.locate import FilePositions, position_for
from checker.manifest.rules import RULES, Rule
from checker.manifest.schema import ManifestValidator, load_schema

__all__ = [
    "RULES",
    "FilePositions",
    "LoadResult",
    "ManifestValidator",
    "Rule",
    "collect_manifest_files",
    "load_manifests",
    "load_schema",
    "position_for",
]
