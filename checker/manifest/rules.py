"""Rule ids of manifest diagnostics, with their level and a one-line summary.

Rule ids are stable: reports (SARIF, GitHub annotations), policies and ignore
files refer to them. docs/manifest.md describes each one.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.model import Level


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    summary: str


FILE_UNREADABLE = "file/unreadable"
FILE_ENCODING = "file/encoding"
FILE_EMPTY = "file/empty"
YAML_SYNTAX = "yaml/syntax"
YAML_TAB = "yaml/tab-indentation"
YAML_DUPLICATE_KEY = "yaml/duplicate-key"
YAML_VERSION = "yaml/version"
YAML_UNSUPPORTED = "yaml/unsupported"
YAML_INVALID_SCALAR = "yaml/invalid-value"
YAML_AMBIGUOUS_BOOL = "yaml/ambiguous-boolean"
SCHEMA_UNKNOWN_KEY = "schema/unknown-key"
SCHEMA_REQUIRED = "schema/required"
SCHEMA_TYPE = "schema/type"
SCHEMA_ENUM = "schema/enum"
SCHEMA_CONST = "schema/const"
SCHEMA_PATTERN = "schema/pattern"
SCHEMA_LENGTH = "schema/length"
SCHEMA_UNIQUE = "schema/unique"
SCHEMA_OTHER = "schema/other"
LINT_REGION_MISMATCH = "lint/region-mismatch"
LINT_UNKNOWN_REGION_LABEL = "lint/unknown-region-label"
LINT_DUPLICATE_TENANT = "lint/duplicate-tenant"
LINT_DUPLICATE_HOSTNAME = "lint/duplicate-hostname"
LINT_SUBSCRIPTION_ID_LENGTH = "lint/subscription-id-length"
LINT_EMPTY_SUBSCRIPTION = "lint/empty-subscription"
LINT_DESCRIPTION_CONFLICT = "lint/description-conflict"

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(FILE_UNREADABLE, "error", "The file could not be read."),
        Rule(FILE_ENCODING, "error", "The file is not valid UTF-8."),
        Rule(FILE_EMPTY, "warning", "The file contains no YAML document."),
        Rule(YAML_SYNTAX, "error", "The file is not valid YAML."),
        Rule(YAML_TAB, "error", "A tab character is used for indentation."),
        Rule(YAML_DUPLICATE_KEY, "error", "A mapping sets the same key twice."),
        Rule(
            YAML_VERSION,
            "error",
            "A %YAML directive asks for a version other than 1.2.",
        ),
        Rule(
            YAML_UNSUPPORTED,
            "error",
            "The file uses a YAML feature manifests do not support "
            "(tags, complex keys, recursive or exploding aliases).",
        ),
        Rule(YAML_INVALID_SCALAR, "error", "A date or number is malformed."),
        Rule(
            YAML_AMBIGUOUS_BOOL,
            "warning",
            "An unquoted yes/no/on/off/y/n is a string in YAML 1.2 "
            "but a boolean in YAML 1.1 tools.",
        ),
        Rule(SCHEMA_UNKNOWN_KEY, "error", "A key is not part of the manifest format."),
        Rule(SCHEMA_REQUIRED, "error", "A required key is missing."),
        Rule(SCHEMA_TYPE, "error", "A value has the wrong type."),
        Rule(SCHEMA_ENUM, "error", "A value is not one of the allowed values."),
        Rule(SCHEMA_CONST, "error", "apiVersion or kind has the wrong value."),
        Rule(
            SCHEMA_PATTERN, "error", "A hostname, id or subscription id is malformed."
        ),
        Rule(SCHEMA_LENGTH, "error", "A value is empty or too long."),
        Rule(SCHEMA_UNIQUE, "error", "A list repeats a value."),
        Rule(SCHEMA_OTHER, "error", "Any other violation of the manifest schema."),
        Rule(
            LINT_REGION_MISMATCH,
            "error",
            "The hostname's region label does not match regionCode "
            "(a warning for inferred labels).",
        ),
        Rule(
            LINT_UNKNOWN_REGION_LABEL,
            "warning",
            "A qlikcloud.com hostname has a region label that names no known region.",
        ),
        Rule(
            LINT_DUPLICATE_TENANT,
            "error",
            "Two declarations share a tenant id or a hostname.",
        ),
        Rule(
            LINT_DUPLICATE_HOSTNAME,
            "error",
            "A tenant lists the same hostname twice (ignoring case).",
        ),
        Rule(
            LINT_SUBSCRIPTION_ID_LENGTH,
            "warning",
            "A subscription id does not have 16 digits.",
        ),
        Rule(LINT_EMPTY_SUBSCRIPTION, "warning", "A subscription declares no tenant."),
        Rule(
            LINT_DESCRIPTION_CONFLICT,
            "warning",
            "A subscription split across files has different descriptions.",
        ),
    )
}
