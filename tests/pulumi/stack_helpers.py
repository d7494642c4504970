"""Constants and helpers shared by the Pulumi tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from checker.errors import SecretStr
from checker.live import ClientConfig, Credentials
from checker.simulator import SimulatorState

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "live" / "acme.yaml"
MANIFESTS = ROOT / "examples" / "manifests"
PRODUCER = ROOT / "examples" / "pulumi" / "producer"
CONSUMER = ROOT / "examples" / "pulumi" / "consumer"

# Credentials of an extra simulator client. Tests search state, pickles,
# messages and logs for these bytes: they must never show up.
SENTINEL_ID = "sentinel-client-id-4f1d2c"
SENTINEL_SECRET = "SENTINEL-SECRET-9b7e31a0"
SENTINEL_BYTES = (SENTINEL_ID.encode(), SENTINEL_SECRET.encode())

PROJECT = "qlik-tenants"
EMEA = "9876543210987654"
AMERICAS = "1234567890123456"
APAC = "5555666677778888"
LABS = "4444555566667777"


def acme_data() -> dict[str, Any]:
    data = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def sentinel_state() -> SimulatorState:
    """The Acme organization, which also accepts the sentinel client."""
    data = acme_data()
    data["clients"].append({"clientId": SENTINEL_ID, "clientSecret": SENTINEL_SECRET})
    return SimulatorState.from_dict(data, source=str(ACME))


def stack_config(**extra: Any) -> dict[str, Any]:
    """Stack configuration as the engine sends it: every key namespaced."""
    return {
        "qlik:clientId": SENTINEL_ID,
        "qlik:clientSecret": SENTINEL_SECRET,
        f"{PROJECT}:unrelated": "value",
        **extra,
    }


def client_config(url: str) -> ClientConfig:
    credentials = Credentials(SecretStr(SENTINEL_ID), SecretStr(SENTINEL_SECRET))
    return ClientConfig(org_url=url, credentials=credentials)


def manifest_paths() -> list[str]:
    return sorted(str(path) for path in MANIFESTS.glob("*.yaml"))


def expected_groups(key: str, value: str = "id") -> dict[str, list[str]]:
    """Group the Acme tenants by ``key`` straight from the state file."""
    groups: dict[str, set[str]] = {}
    for tenant in acme_data()["tenants"]:
        values = tenant[value] if isinstance(tenant[value], list) else [tenant[value]]
        groups.setdefault(tenant[key], set()).update(values)
    return {k: sorted(v) for k, v in sorted(groups.items())}


def assert_no_sentinel(*texts: str | bytes | Mapping[str, Any] | Iterable[Any]) -> None:
    """Fail when a sentinel credential appears in any of the values."""
    for text in texts:
        if isinstance(text, str):
            data = text.encode()
        elif isinstance(text, bytes):
            data = text
        else:
            data = json.dumps(text, default=str).encode()
        for sentinel in SENTINEL_BYTES:
            assert sentinel not in data, f"{sentinel!r} leaked"
