"""The resource, the component and the example programs under Pulumi's runtime mocks.

The Pulumi engine needs the Pulumi CLI, which cannot be installed here, so
``EngineMocks`` replaces it. For dynamic resources it does what the
engine and the ``pulumi-python`` plugin do: unpickle ``__provider``,
configure it with the stack configuration, run check, then create, against
the simulator over a real socket.
"""

from __future__ import annotations

import base64
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill
import pulumi
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs
from pulumi.runtime.settings import set_root_resource
from stack_helpers import (
    APAC,
    CONSUMER,
    PRODUCER,
    PROJECT,
    acme_data,
    assert_no_sentinel,
    expected_groups,
    manifest_paths,
    stack_config,
)

from checker.model import DRIFT_KINDS
from checker.pulumi import (
    CATALOG_VERSION,
    CATALOG_VERSION_EXPORT,
    EXPORT_NAMES,
    OrganizationTenants,
    TenantCatalog,
    export_catalog,
)
from checker.simulator import Simulator

DYNAMIC_TYPE = "pulumi-python:dynamic/qlik:OrganizationTenants"


class EngineMocks(pulumi.runtime.Mocks):
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.stack_outputs: dict[str, Any] = {}
        self.registered: list[MockResourceArgs] = []
        # State of every resource, as the engine would store it.
        self.states: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.registered.append(args)
        if args.typ.startswith("pulumi-python:dynamic"):
            resource_id, state = self._create_dynamic(args)
        elif args.typ == "pulumi:pulumi:StackReference":
            resource_id = args.name
            state = {
                "name": args.name,
                "outputs": self.stack_outputs,
                "secret_output_names": [],
            }
        else:
            resource_id, state = f"{args.name}-id", args.inputs
        self.states.append(state)
        return resource_id, state

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        return {}

    def _create_dynamic(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        blob = rpc.unwrap_rpc_secret(args.inputs["__provider"])
        provider = dill.loads(base64.b64decode(blob))
        provider.configure(ConfigureRequest(Config(self.config, PROJECT)))
        props = {k: v for k, v in args.inputs.items() if k != "__provider"}
        checked = provider.check({}, props)
        if checked.failures:
            reasons = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
            raise ValueError(f"check failed: {reasons}")
        result = provider.create(checked.inputs)
        return result.id, {**result.outs, "__provider": args.inputs["__provider"]}

    def of_type(self, typ: str) -> list[MockResourceArgs]:
        return [args for args in self.registered if args.typ == typ]


@pytest.fixture
def engine(simulator: Simulator) -> Iterator[EngineMocks]:
    """Fresh mocks, root stack and configuration for one test (never at import)."""
    mocks = EngineMocks(stack_config())
    set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack="dev", preview=False)
    pulumi.runtime.set_all_config({"qlik:orgUrl": simulator.url})
    yield mocks
    pulumi.runtime.set_all_config({})


def urn_types(urn: str) -> list[str]:
    """Return the types in a URN's qualified type, outermost parent first."""
    return urn.split("::")[2].split("$")


def root_outputs() -> dict[str, Any]:
    root = pulumi.runtime.get_root_resource()
    assert root is not None
    return dict(root.outputs)  # type: ignore[attr-defined]


# --- OrganizationTenants ----------------------------------------------------


@pulumi.runtime.test
def test_resource_type(engine: EngineMocks, simulator: Simulator) -> pulumi.Output[Any]:
    tenants = OrganizationTenants("acme", org_url=simulator.url)

    def verify(urn: str) -> None:
        assert urn_types(urn)[-1] == DYNAMIC_TYPE
        assert urn.endswith("::acme")
        assert len(engine.of_type(DYNAMIC_TYPE)) == 1

    return tenants.urn.apply(verify)


@pulumi.runtime.test
def test_resource_outputs(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    tenants = OrganizationTenants("acme", org_url=simulator.url)

    def verify(values: list[Any]) -> None:
        by_region, by_subscription, count = values
        assert by_region == expected_groups("regionCode")
        assert by_subscription == expected_groups("subscriptionId")
        assert count == len(acme_data()["tenants"])
        # Typed Output[int]: the engine's float comes back as an int.
        assert type(count) is int

    return pulumi.Output.all(
        tenants.tenants_by_region, tenants.tenants_by_subscription, tenants.tenant_count
    ).apply(verify)


@pulumi.runtime.test
def test_resource_drift(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    tenants = OrganizationTenants(
        "acme", org_url=simulator.url, manifests=manifest_paths()
    )

    def verify(values: list[Any]) -> None:
        summary, keys, count = values
        assert summary == dict.fromkeys(DRIFT_KINDS, 1)
        assert all(type(n) is int for n in summary.values())
        assert len(keys) == 5
        assert count == 5

    return pulumi.Output.all(
        tenants.drift_summary, tenants.drifted_keys, tenants.drift_count
    ).apply(verify)


@pulumi.runtime.test
def test_resource_digest(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    tenants = OrganizationTenants(
        "acme", org_url=simulator.url, manifests=manifest_paths()
    )

    def verify(digest: str) -> None:
        sent = engine.of_type(DYNAMIC_TYPE)[0].inputs["files_sha256"]
        assert digest == sent
        assert len(digest) == 64

    return tenants.files_sha256.apply(verify)


@pulumi.runtime.test
def test_provider_input_secret(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    tenants = OrganizationTenants("acme", org_url=simulator.url)

    def verify(_: Any) -> None:
        inputs = engine.of_type(DYNAMIC_TYPE)[0].inputs
        assert rpc.is_rpc_secret(inputs["__provider"])
        blob = base64.b64decode(rpc.unwrap_rpc_secret(inputs["__provider"]))
        assert b"checker.pulumi.provider" in blob
        assert_no_sentinel(blob, inputs)

    return tenants.urn.apply(verify)


@pulumi.runtime.test
def test_state_has_no_secret(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    tenants = OrganizationTenants(
        "acme", org_url=simulator.url, manifests=manifest_paths()
    )

    def verify(_: Any) -> None:
        assert len(engine.states) == 1
        assert_no_sentinel(engine.states)

    return tenants.tenants.apply(verify)


@pulumi.runtime.test
def _register_plain_http() -> pulumi.Output[Any]:
    tenants = OrganizationTenants("acme", org_url="http://console.example.com")
    return tenants.urn


def test_check_failure_raises(engine: EngineMocks) -> None:
    with pytest.raises(Exception, match="org_url: plain-http organization URL"):
        _register_plain_http()


# --- TenantCatalog ----------------------------------------------------------


@pulumi.runtime.test
def test_component_type(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    catalog = TenantCatalog("acme", org_url=simulator.url)

    def verify(urns: list[str]) -> None:
        component_urn, child_urn = urns
        assert urn_types(component_urn)[-1] == "qlik:index:TenantCatalog"
        assert urn_types(child_urn)[-2:] == ["qlik:index:TenantCatalog", DYNAMIC_TYPE]
        assert child_urn.endswith("::acme-tenants")
        component = engine.of_type("qlik:index:TenantCatalog")[0]
        assert component.custom is False

    return pulumi.Output.all(catalog.urn, catalog.resource.urn).apply(verify)


@pulumi.runtime.test
def test_component_outputs(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    catalog = TenantCatalog("acme", org_url=simulator.url, subscription_ids=[APAC])

    def verify(values: list[Any]) -> None:
        hostnames, count, summary = values
        assert hostnames == {APAC: expected_groups("subscriptionId", "hostnames")[APAC]}
        assert count == 2
        assert summary is None

    return pulumi.Output.all(
        catalog.hostnames_by_subscription, catalog.tenant_count, catalog.drift_summary
    ).apply(verify)


@pulumi.runtime.test
def test_export_catalog(
    engine: EngineMocks, simulator: Simulator
) -> pulumi.Output[Any]:
    catalog = TenantCatalog("acme", org_url=simulator.url, manifests=manifest_paths())
    export_catalog(catalog)
    outputs = root_outputs()
    assert set(outputs) == {*EXPORT_NAMES, CATALOG_VERSION_EXPORT}
    assert outputs[CATALOG_VERSION_EXPORT] == CATALOG_VERSION

    def verify(values: dict[str, Any]) -> None:
        assert values["qlik_tenant_count"] == len(acme_data()["tenants"])
        assert values["qlik_drift_count"] == 5
        assert values["qlik_drift_error_count"] == 4
        assert values["qlik_tenants_by_region"] == expected_groups("regionCode")

    return pulumi.Output.all(**outputs).apply(verify)


# --- example programs -------------------------------------------------------


def run_program(project: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run an example's __main__.py as pulumi would and return its resolved exports."""
    monkeypatch.chdir(project)
    exports: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        runpy.run_path(str(project / "__main__.py"), run_name="__main__")
        return pulumi.Output.all(**root_outputs()).apply(exports.update)

    run()
    return exports


def test_producer_exports(engine: EngineMocks, monkeypatch: pytest.MonkeyPatch) -> None:
    exports = run_program(PRODUCER, monkeypatch)
    assert set(exports) == {*EXPORT_NAMES, CATALOG_VERSION_EXPORT}
    assert exports["qlik_tenants_by_subscription"] == expected_groups("subscriptionId")
    assert exports["qlik_drift_summary"] == dict.fromkeys(DRIFT_KINDS, 1)


def test_producer_fail_on_drift(
    engine: EngineMocks, simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    pulumi.runtime.set_all_config(
        {"qlik:orgUrl": simulator.url, "qlik:failOnDrift": "true"}
    )
    with pytest.raises(Exception, match="the organization differs from the manifests"):
        run_program(PRODUCER, monkeypatch)


@pytest.fixture
def produced(engine: EngineMocks, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The producer's exports, handed to the consumer's StackReference."""
    exports = run_program(PRODUCER, monkeypatch)
    engine.stack_outputs = exports
    set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(
        engine, project="qlik-tenants-consumer", stack="dev", preview=False
    )
    return exports


def test_consumer_reads_exports(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = run_program(CONSUMER, monkeypatch)
    assert exports["region_tenant_ids"] == expected_groups("regionCode")["eu-west-1"]
    assert exports["tenant_count"] == len(acme_data()["tenants"])
    assert exports["drift_errors"] == 4
    assert exports["catalog_version"] == CATALOG_VERSION


def test_consumer_origins(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = run_program(CONSUMER, monkeypatch)
    hostnames = {h for t in acme_data()["tenants"] for h in t["hostnames"]}
    assert exports["allowed_origins"] == sorted(f"https://{h}" for h in hostnames)


def test_consumer_reference_name(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_program(CONSUMER, monkeypatch)
    references = engine.of_type("pulumi:pulumi:StackReference")
    assert [r.name for r in references] == ["organization/qlik-tenants/dev"]


def test_consumer_require_in_sync(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    pulumi.runtime.set_all_config({"qlik-tenants-consumer:requireInSync": "true"})
    with pytest.raises(Exception, match="reports 4 drift findings at level error"):
        run_program(CONSUMER, monkeypatch)


def test_consumer_version_check(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.stack_outputs = {**produced, CATALOG_VERSION_EXPORT: "2"}
    with pytest.raises(Exception, match="exports tenant catalog version '2'"):
        run_program(CONSUMER, monkeypatch)


def test_consumer_without_drift(
    produced: dict[str, Any], engine: EngineMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A producer without manifests exports no drift; the consumer gets None.
    engine.stack_outputs = {
        name: value for name, value in produced.items() if "drift" not in name
    }
    exports = run_program(CONSUMER, monkeypatch)
    assert exports["drift_errors"] is None
    assert exports["tenant_count"] == len(acme_data()["tenants"])
