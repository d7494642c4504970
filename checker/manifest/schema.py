"""The manifest JSON Schema: loading it and validating documents against it.

``schemas/manifest.schema.json`` (draft 2020-12) is the single definition of
the manifest's shape. The wheel carries it as ``checker/schemas/``; an
editable install reads it from the repository.

Validation has two stages, so that a valid 100,000-tenant manifest costs a
few tens of milliseconds. jsonschema-rs decides whether a document is valid.
Only for an invalid document does python-jsonschema's ``Draft202012Validator``
list the errors, so every error and message is jsonschema's.

For a large invalid document, jsonschema checks only the tenants that
jsonschema-rs rejects, plus the document with its tenant lists emptied.
Because the schema puts no constraint across tenants (no ``uniqueItems`` or
``minItems`` on ``tenants``), the union of those errors is exactly the error
set of the whole document. The tests check both claims against jsonschema run
on whole documents.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.datafiles import data_file
from checker.manifest.positions import JsonPath

logger = logging.getLogger(__name__)

SCHEMA_FILE = "manifest.schema.json"


@functools.lru_cache(maxsize=1)
def _schema_text() -> str:
    path = data_file(f"schemas/{SCHEMA_FILE}", f"schemas/{SCHEMA_FILE}")
    return path.read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """Return the manifest JSON Schema as a new dict."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One error python-jsonschema reported, with its path in the document.

    ``schema`` is the subschema that contains ``keyword``, and
    ``keyword_value`` is that keyword's value in it.
    """

    path: JsonPath
    keyword: str
    instance: Any
    keyword_value: Any
    schema: dict[str, Any]
    message: str


class ManifestValidator:
    """Validate manifest documents; see the module docstring for the stages.

    ``fast=False`` skips jsonschema-rs, which the tests use to compare.
    """

    def __init__(
        self, schema: dict[str, Any] | None = None, *, fast: bool = True
    ) -> None:
        self.schema = schema if schema is not None else load_schema()
        self.tenant_schema = {
            "$schema": self.schema.get("$schema"),
            "$defs": self.schema.get("$defs", {}),
            "$ref": "#/$defs/tenant",
        }
        self.can_split = _tenants_are_independent(self.schema)
        self._fast_document: Any = None
        self._fast_tenant: Any = None
        self._slow: dict[str, Any] = {}
        if fast:
            self._fast_document, self._fast_tenant = _fast_validators(
                self.schema, self.tenant_schema
            )

    def errors(self, document: Any) -> list[SchemaError]:
        """Return every schema error of ``document``, as jsonschema finds them."""
        if _is_valid(self._fast_document, document):
            return []
        if not self.can_split:
            return list(self._slow_errors("document", document, ()))
        shell, tenants = _split_tenants(document)
        found = list(self._slow_errors("document", shell, ()))
        for path, tenant in tenants:
            if not _is_valid(self._fast_tenant, tenant):
                found.extend(self._slow_errors("tenant", tenant, path))
        return found

    def _slow_errors(
        self, part: str, instance: Any, prefix: JsonPath
    ) -> Iterator[SchemaError]:
        """Yield jsonschema's errors for a "document" or a "tenant" instance."""
        validator = self._slow.get(part)
        if validator is None:
            # Imported here: jsonschema takes longer to import than a small
            # valid manifest takes to check.
            from jsonschema import Draft202012Validator

            schema = self.schema if part == "document" else self.tenant_schema
            validator = self._slow[part] = Draft202012Validator(schema)
        for error in validator.iter_errors(instance):
            yield SchemaError(
                path=(*prefix, *error.absolute_path),
                keyword=str(error.validator),
                instance=error.instance,
                keyword_value=error.validator_value,
                schema=error.schema if isinstance(error.schema, dict) else {},
                message=error.message,
            )


def _fast_validators(document_schema: Any, tenant_schema: Any) -> tuple[Any, Any]:
    try:
        import jsonschema_rs
    except ImportError:
        logger.debug("jsonschema-rs is not installed; using jsonschema only")
        return None, None
    return (
        jsonschema_rs.Draft202012Validator(document_schema),
        jsonschema_rs.Draft202012Validator(tenant_schema),
    )


def _is_valid(validator: Any, instance: Any) -> bool:
    """Return True only when jsonschema-rs is present and accepts ``instance``."""
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(instance))
    except (ValueError, TypeError, OverflowError):
        # Values with no JSON type (dates, non-string keys) are left to
        # jsonschema, which reports them as type errors.
        return False


def _tenants_are_independent(schema: dict[str, Any]) -> bool:
    """Check the schema shape that makes per-tenant validation exact."""
    try:
        subscriptions = schema["properties"]["subscriptions"]
        tenants = schema["$defs"]["subscription"]["properties"]["tenants"]
    except (KeyError, TypeError):
        return False
    return (
        subscriptions.get("items") == {"$ref": "#/$defs/subscription"}
        and tenants.get("items") == {"$ref": "#/$defs/tenant"}
        and set(tenants) <= {"description", "type", "items"}
    )


def _split_tenants(document: Any) -> tuple[Any, list[tuple[JsonPath, Any]]]:
    """Return the document with empty tenant lists, and each tenant with its path."""
    if not isinstance(document, dict):
        return document, []
    subscriptions = document.get("subscriptions")
    if not isinstance(subscriptions, list):
        return document, []
    tenants: list[tuple[JsonPath, Any]] = []
    shell_subscriptions: list[Any] = []
    for index, subscription in enumerate(subscriptions):
        if isinstance(subscription, dict) and isinstance(
            subscription.get("tenants"), list
        ):
            for position, tenant in enumerate(subscription["tenants"]):
                tenants.append((("subscriptions", index, "tenants", position), tenant))
            subscription = {**subscription, "tenants": []}
        shell_subscriptions.append(subscription)
    return {**document, "subscriptions": shell_subscriptions}, tenants
