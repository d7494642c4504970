"""The SDK's own dynamic-provider gRPC server, driven the way the engine drives it.

The engine starts ``python -u -m pulumi.dynamic`` (the ``pulumi-python``
plugin) in the project directory, reads the port from its first stdout line,
calls Configure with the whole stack configuration, then Check, Create,
Diff, Read, Update and Delete. These tests do the same over loopback gRPC,
with the provider reading the simulator.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from stack_helpers import (
    APAC,
    EMEA,
    PRODUCER,
    PROJECT,
    SENTINEL_SECRET,
    acme_data,
    assert_no_sentinel,
    expected_groups,
    stack_config,
)

from checker.pulumi import OrganizationTenantsProvider
from checker.simulator import Simulator

URN = f"urn:pulumi:dev::{PROJECT}::pulumi-python:dynamic/qlik:OrganizationTenants::acme"
PROVIDER_BLOB = serialize_provider(OrganizationTenantsProvider())
STARTUP_SECONDS = 30


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def as_dict(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


@dataclass
class Plugin:
    stub: provider_pb2_grpc.ResourceProviderStub
    configured: provider_pb2.ConfigureResponse
    stderr: Path


def read_port(process: subprocess.Popen[bytes]) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            return int(process.stdout.readline())
        if process.poll() is not None:
            break
    raise RuntimeError("the dynamic provider plugin did not print its port")


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plugin]:
    # No QLIK_* variables: the credentials must come through Configure.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("QLIK_", "PULUMI_"))
    }
    env["PULUMI_PROJECT"] = PROJECT
    stderr_path = tmp_path_factory.mktemp("plugin") / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=PRODUCER,
        )
    channel = None
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{read_port(process)}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        config = stack_config(**{"qlik:timeout": "2"})
        # The engine sends secret configuration values wrapped as secrets.
        config["qlik:clientSecret"] = rpc.wrap_rpc_secret(SENTINEL_SECRET)
        configured = stub.Configure(provider_pb2.ConfigureRequest(args=struct(config)))
        yield Plugin(stub, configured, stderr_path)
    finally:
        if channel is not None:
            channel.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def check(
    plugin: Plugin, olds: dict[str, Any], **inputs: Any
) -> provider_pb2.CheckResponse:
    news = struct({**inputs, "__provider": PROVIDER_BLOB})
    request = provider_pb2.CheckRequest(urn=URN, olds=struct(olds), news=news)
    return plugin.stub.Check(request)


@dataclass
class Created:
    inputs: struct_pb2.Struct
    response: provider_pb2.CreateResponse


@pytest.fixture(scope="module")
def created(plugin: Plugin, simulator: Simulator) -> Created:
    checked = check(plugin, {}, org_url=simulator.url, subscription_ids=[EMEA, APAC])
    assert list(checked.failures) == []
    request = provider_pb2.CreateRequest(urn=URN, properties=checked.inputs)
    return Created(checked.inputs, plugin.stub.Create(request))


def test_configure_no_secrets(plugin: Plugin) -> None:
    # The engine then strips secret markers from what it sends to this plugin.
    assert plugin.configured.acceptSecrets is False


def test_check_normalizes(plugin: Plugin, simulator: Simulator) -> None:
    response = check(
        plugin, {}, org_url=simulator.url, region_codes=["us-east-1", "eu-west-1"]
    )
    inputs = as_dict(response.inputs)
    assert list(response.failures) == []
    assert inputs["region_codes"] == ["eu-west-1", "us-east-1"]
    assert inputs["__provider"] == PROVIDER_BLOB


def test_check_failures(plugin: Plugin, simulator: Simulator) -> None:
    response = check(
        plugin, {}, org_url="http://console.example.com", region_codes=["eu-west-9"]
    )
    failures = {f.property: f.reason for f in response.failures}
    assert sorted(failures) == ["org_url", "region_codes"]
    assert "plain-http" in failures["org_url"]


def test_create_outputs(created: Created, simulator: Simulator) -> None:
    outputs = as_dict(created.response.properties)
    assert created.response.id == simulator.url
    assert outputs["tenants_by_subscription"] == {
        key: ids
        for key, ids in expected_groups("subscriptionId").items()
        if key in (EMEA, APAC)
    }
    assert outputs["__provider"] == PROVIDER_BLOB


def test_create_no_secret(created: Created) -> None:
    assert_no_sentinel(created.response.SerializeToString())


def test_diff_none(plugin: Plugin, created: Created) -> None:
    request = provider_pb2.DiffRequest(
        id=created.response.id,
        urn=URN,
        olds=created.response.properties,
        news=created.inputs,
    )
    response = plugin.stub.Diff(request)
    assert response.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert list(response.replaces) == []


def test_diff_some(plugin: Plugin, created: Created, simulator: Simulator) -> None:
    news = check(plugin, {}, org_url=simulator.url, subscription_ids=[EMEA]).inputs
    request = provider_pb2.DiffRequest(
        id=created.response.id, urn=URN, olds=created.response.properties, news=news
    )
    response = plugin.stub.Diff(request)
    assert response.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(response.replaces) == []


def test_diff_replace(plugin: Plugin, created: Created) -> None:
    news = check(
        plugin,
        {},
        org_url="https://console.qlikcloud.com",
        subscription_ids=[EMEA, APAC],
    ).inputs
    request = provider_pb2.DiffRequest(
        id=created.response.id, urn=URN, olds=created.response.properties, news=news
    )
    response = plugin.stub.Diff(request)
    assert response.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(response.replaces) == ["org_url"]


def test_read_inputs(plugin: Plugin, created: Created, simulator: Simulator) -> None:
    request = provider_pb2.ReadRequest(
        id=created.response.id,
        urn=URN,
        properties=created.response.properties,
        inputs=created.inputs,
    )
    response = plugin.stub.Read(request)
    inputs = as_dict(response.inputs)
    assert response.id == simulator.url
    assert inputs["org_url"] == simulator.url
    assert inputs["subscription_ids"] == [APAC, EMEA]
    assert inputs["__provider"] == PROVIDER_BLOB


def test_read_outputs(plugin: Plugin, created: Created) -> None:
    request = provider_pb2.ReadRequest(
        id=created.response.id,
        urn=URN,
        properties=created.response.properties,
        inputs=created.inputs,
    )
    response = plugin.stub.Read(request)
    assert as_dict(response.properties) == as_dict(created.response.properties)
    assert_no_sentinel(response.SerializeToString())


def test_update_outputs(plugin: Plugin, created: Created, simulator: Simulator) -> None:
    news = check(plugin, {}, org_url=simulator.url, region_codes=["eu-west-1"]).inputs
    request = provider_pb2.UpdateRequest(
        id=created.response.id, urn=URN, olds=created.response.properties, news=news
    )
    outputs = as_dict(plugin.stub.Update(request).properties)
    assert outputs["tenants_by_region"] == {
        "eu-west-1": expected_groups("regionCode")["eu-west-1"]
    }
    assert outputs["tenant_count"] == 1
    assert outputs["outputs_version"] == "1"


def test_delete_no_request(
    plugin: Plugin, created: Created, simulator: Simulator
) -> None:
    simulator.stats.reset()
    request = provider_pb2.DeleteRequest(
        id=created.response.id, urn=URN, properties=created.response.properties
    )
    assert plugin.stub.Delete(request) == empty_pb2.Empty()
    assert simulator.stats.total == 0


def test_drift_relative_paths(plugin: Plugin, simulator: Simulator) -> None:
    # The plugin runs in the project directory, like the program.
    checked = check(plugin, {}, org_url=simulator.url, manifests=["../../manifests"])
    assert list(checked.failures) == []
    response = plugin.stub.Create(
        provider_pb2.CreateRequest(urn=URN, properties=checked.inputs)
    )
    outputs = as_dict(response.properties)
    assert outputs["drift_count"] == 5
    assert outputs["tenant_count"] == len(acme_data()["tenants"])


def test_api_error_readable(plugin: Plugin) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    checked = check(plugin, {}, org_url=url)
    with pytest.raises(grpc.RpcError) as caught:
        plugin.stub.Create(
            provider_pb2.CreateRequest(urn=URN, properties=checked.inputs)
        )
    details = caught.value.details()
    assert caught.value.code() == grpc.StatusCode.UNKNOWN
    assert f"ProviderError: could not read the organization at {url}: " in details
    assert_no_sentinel(details)
