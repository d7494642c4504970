from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from stack_helpers import PROJECT, sentinel_state, stack_config

from checker.pulumi import OrganizationTenantsProvider
from checker.simulator import Simulator


@pytest.fixture(autouse=True)
def _no_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Credentials exported in the developer's shell must not decide a test.
    monkeypatch.delenv("QLIK_CLIENT_ID", raising=False)
    monkeypatch.delenv("QLIK_CLIENT_SECRET", raising=False)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(sentinel_state()) as sim:
        yield sim


@pytest.fixture
def provider() -> OrganizationTenantsProvider:
    """A provider configured the way the plugin configures it after unpickling."""
    instance = OrganizationTenantsProvider()
    instance.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    return instance
