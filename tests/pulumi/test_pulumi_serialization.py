"""The provider as Pulumi serializes it into the ``__provider`` property of state."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from stack_helpers import (
    PROJECT,
    SENTINEL_ID,
    SENTINEL_SECRET,
    assert_no_sentinel,
    stack_config,
)

from checker.pulumi import OrganizationTenantsProvider
from checker.simulator import Simulator


def pickled(provider: OrganizationTenantsProvider) -> bytes:
    return base64.b64decode(serialize_provider(provider))


def test_round_trip() -> None:
    restored = dill.loads(pickled(OrganizationTenantsProvider()))
    assert type(restored) is OrganizationTenantsProvider


def test_deterministic() -> None:
    first = serialize_provider(OrganizationTenantsProvider())
    second = serialize_provider(OrganizationTenantsProvider())
    assert first == second


def test_by_reference() -> None:
    data = pickled(OrganizationTenantsProvider())
    assert b"checker.pulumi.provider" in data
    assert b"OrganizationTenantsProvider" in data
    # By value, dill would carry the code objects, with their absolute file
    # path: hundreds of bytes that change with the checkout folder.
    assert len(data) < 200
    assert b"provider.py" not in data


def test_configure_not_pickled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", SENTINEL_ID)
    monkeypatch.setenv("QLIK_CLIENT_SECRET", SENTINEL_SECRET)
    provider = OrganizationTenantsProvider()
    provider.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    text = serialize_provider(provider)
    assert_no_sentinel(base64.b64decode(text), text)


def test_configured_equals_fresh() -> None:
    provider = OrganizationTenantsProvider()
    provider.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    assert serialize_provider(provider) == serialize_provider(
        OrganizationTenantsProvider()
    )


def test_after_use_not_pickled(simulator: Simulator) -> None:
    provider = OrganizationTenantsProvider()
    provider.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    provider.create(provider.check({}, {"org_url": simulator.url}).inputs)
    assert_no_sentinel(pickled(provider))


def test_restored_needs_configure() -> None:
    provider = OrganizationTenantsProvider()
    provider.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    restored = dill.loads(pickled(provider))
    assert vars(restored) == {}
