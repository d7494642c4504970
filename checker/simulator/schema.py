"""JSON Schema of the simulator state file (YAML or JSON)."""

from __future__ import annotations

from typing import Any

_ID = {"type": "string", "minLength": 1}
_FLAG = {"type": "boolean"}
_FLAG_OR_TEXT = {"type": ["boolean", "string"]}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_COUNT = {"type": "integer", "minimum": 1}

_CLIENT = {
    "type": "object",
    "required": ["clientId", "clientSecret"],
    "additionalProperties": False,
    "properties": {
        "clientId": _ID,
        "clientSecret": _ID,
        "orgPermission": _FLAG,
        "revoked": _FLAG,
        "description": {"type": "string"},
    },
}

_SUBSCRIPTION = {
    "type": "object",
    "required": ["subscriptionId"],
    # Subscriptions carry free-form details such as licenseEndsAt.
    "properties": {"subscriptionId": _ID},
}

_STRING_OR_NULL = {"type": ["string", "null"]}

# Tenants are Organization API tenant objects; unknown fields are kept and
# served, so a state file can exercise a client's tolerance.
_TENANT = {
    "type": "object",
    "required": ["id", "hostnames", "subscriptionId"],
    "properties": {
        "id": _ID,
        "name": _STRING_OR_NULL,
        "status": {"type": "string"},
        "createdAt": {"type": "string"},
        "updatedAt": {"type": "string"},
        "createdBy": _STRING_OR_NULL,
        "hostnames": {"type": "array", "minItems": 1, "items": _ID},
        "regionCode": {"type": "string"},
        "countryCode": {"type": "string"},
        "licenseNumber": _STRING_OR_NULL,
        "subscriptionId": _ID,
        "licenseStartsAt": _STRING_OR_NULL,
        "licenseEndsAt": _STRING_OR_NULL,
        "deletionStartsAt": _STRING_OR_NULL,
        "originalId": {"type": "string"},
        "links": {"type": "object"},
    },
}

_FAULT = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "required": ["kind"],
            "additionalProperties": False,
            "properties": {
                "kind": {"type": "string"},
                "endpoint": {"type": "string"},
                "requests": {"type": ["string", "integer"]},
                "every": _COUNT,
                "probability": {"type": "number", "minimum": 0, "maximum": 1},
                "burst": _COUNT,
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "latencyMs": {"type": "integer", "minimum": 0},
                "retryAfter": {"type": "integer", "minimum": 0},
            },
        },
    ]
}

_SETTINGS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "seed": {"type": "integer"},
        "tokenLifetime": _POSITIVE,
        "strictFilter": _FLAG,
        "unknownSubscription": {"enum": ["empty", "forbidden"]},
        "rateLimits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "tier1PerMinute": _COUNT,
                "tier2PerMinute": _COUNT,
                "windowSeconds": _POSITIVE,
            },
        },
        "quirks": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "linkPrefix": _FLAG_OR_TEXT,
                "offsetCursor": _FLAG,
                "bareTenant": _FLAG,
                "lowercaseTokenType": _FLAG,
                "totalResultsAsString": _FLAG,
                "extraFields": _FLAG,
                "unknownStatus": _FLAG_OR_TEXT,
            },
        },
        "faults": {"type": "array", "items": _FAULT},
    },
}

STATE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["clients", "tenants"],
    "additionalProperties": False,
    "properties": {
        "organization": {"type": "string"},
        "clients": {"type": "array", "minItems": 1, "items": _CLIENT},
        "subscriptions": {"type": "array", "items": _SUBSCRIPTION},
        "foreignSubscriptions": {"type": "array", "items": _ID},
        "tenants": {"type": "array", "items": _TENANT},
        "settings": _SETTINGS,
    },
}
