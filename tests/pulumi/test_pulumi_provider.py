"""The dynamic provider's methods called directly, against the simulator."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime.rpc import UNKNOWN
from stack_helpers import (
    AMERICAS,
    APAC,
    EMEA,
    LABS,
    PROJECT,
    SENTINEL_ID,
    SENTINEL_SECRET,
    acme_data,
    assert_no_sentinel,
    expected_groups,
    manifest_paths,
    stack_config,
)

from checker.model import DRIFT_KINDS
from checker.pulumi import DriftFoundError, OrganizationTenantsProvider, ProviderError
from checker.pulumi.inputs import files_digest
from checker.pulumi.provider import OUTPUT_NAMES, OUTPUTS_VERSION
from checker.simulator import Simulator

Provider = OrganizationTenantsProvider


def create(provider: Provider, **inputs: Any) -> tuple[str, dict[str, Any]]:
    """Run check then create, as the engine does."""
    checked = provider.check({}, inputs)
    assert [f.reason for f in checked.failures] == []
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return result.id, result.outs


def failures(provider: Provider, **inputs: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for failure in provider.check({}, inputs).failures:
        found.setdefault(failure.property, []).append(failure.reason)
    return found


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- catalog ---------------------------------------------------------------


def test_create_by_subscription(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    assert outs["tenants_by_subscription"] == expected_groups("subscriptionId")


def test_create_by_region(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    assert outs["tenants_by_region"] == expected_groups("regionCode")


def test_create_hostnames(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    expected = expected_groups("subscriptionId", "hostnames")
    assert outs["hostnames_by_subscription"] == expected


def test_create_count(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    assert outs["tenant_count"] == len(acme_data()["tenants"])


def test_create_id_is_url(provider: Provider, simulator: Simulator) -> None:
    resource_id, _ = create(provider, org_url=simulator.url)
    assert resource_id == simulator.url


def test_tenant_records(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    prod = next(
        t for t in outs["tenants"] if t["id"] == "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69"
    )
    assert prod == {
        "id": "TiQ8GPVr8qI714Lp5ChAAFFaU24MJy69",
        "hostname": "acme-prod.eu.qlikcloud.com",
        "hostnames": ["acme-prod.eu.qlikcloud.com", "bi.acme.example"],
        "name": "Acme Prod (legacy)",
        "regionCode": "eu-west-1",
        "status": "active",
        "subscriptionId": EMEA,
    }


def test_tenant_records_sorted(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    keys = [(t["subscriptionId"], t["hostname"]) for t in outs["tenants"]]
    assert keys == sorted(keys)
    assert len(keys) == len(acme_data()["tenants"])


def test_ids_stay_strings(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    assert all(isinstance(t["subscriptionId"], str) for t in outs["tenants"])
    assert all(isinstance(key, str) for key in outs["tenants_by_subscription"])


def test_create_deterministic(provider: Provider, simulator: Simulator) -> None:
    _, first = create(provider, org_url=simulator.url, manifests=manifest_paths())
    _, second = create(provider, org_url=simulator.url, manifests=manifest_paths())
    assert first == second


def test_outputs_keep_inputs(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url, region_codes=["us-east-1"])
    assert outs["org_url"] == simulator.url
    assert outs["region_codes"] == ["us-east-1"]
    assert outs["outputs_version"] == OUTPUTS_VERSION


# --- filters ---------------------------------------------------------------


def test_subscription_filter(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url, subscription_ids=[APAC])
    assert outs["tenants_by_subscription"] == {
        APAC: expected_groups("subscriptionId")[APAC]
    }
    assert outs["tenant_count"] == 2


def test_subscription_filter_lists_only_them(
    provider: Provider, simulator: Simulator
) -> None:
    simulator.stats.reset()
    create(provider, org_url=simulator.url, subscription_ids=[APAC, LABS])
    # Two filtered listings and no count: the fast path reads only these.
    assert simulator.stats.count("list") == 2
    assert simulator.stats.count("count") == 0


def test_region_filter(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url, region_codes=["us-east-1"])
    assert sorted(outs["tenants_by_region"]) == ["us-east-1"]
    assert outs["tenant_count"] == 3


def test_both_filters(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(
        provider,
        org_url=simulator.url,
        subscription_ids=[AMERICAS],
        region_codes=["us-east-1", "eu-west-2"],
    )
    assert outs["tenants_by_region"] == {
        "eu-west-2": ["Lm5oP7qR9sT1uV3wX5yZ7aB9cD1eF3gH"],
        "us-east-1": [
            "Qw8eR4tY6uI2oP0aS5dF7gH9jK1lZ3xC",
            "Vb6nM2qW8eR4tY0uI6oP2aS8dF4gH0jK",
        ],
    }
    assert outs["tenants_by_subscription"].keys() == {AMERICAS}


def test_filter_matching_nothing(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url, region_codes=["sa-east-1"])
    assert outs["tenants"] == []
    assert outs["tenant_count"] == 0


# --- check -----------------------------------------------------------------


def test_check_normalizes(provider: Provider) -> None:
    result = provider.check(
        {}, {"subscription_ids": [EMEA, APAC, EMEA], "region_codes": ["us-east-1"]}
    )
    assert result.failures == []
    assert result.inputs["subscription_ids"] == [APAC, EMEA]
    assert result.inputs["org_url"] == "https://console.qlikcloud.com"
    assert result.inputs["fail_on_drift"] is False


def test_check_empty_filter_is_none(provider: Provider) -> None:
    result = provider.check(
        {}, {"org_url": "https://console.qlikcloud.com", "region_codes": []}
    )
    assert result.inputs["region_codes"] is None


def test_check_drops_provider_key(provider: Provider) -> None:
    result = provider.check(
        {}, {"__provider": "blob", "org_url": "https://Console.qlikcloud.com/"}
    )
    assert "__provider" not in result.inputs
    assert result.inputs["org_url"] == "https://console.qlikcloud.com"


@pytest.mark.parametrize(
    ("inputs", "prop", "words"),
    [
        (
            {"org_url": "ftp://console.qlikcloud.com"},
            "org_url",
            "invalid organization URL",
        ),
        ({"org_url": "http://console.example.com"}, "org_url", "plain-http"),
        ({"org_url": "https://console.qlikcloud.com/api"}, "org_url", "path"),
        ({"org_url": 42}, "org_url", "must be a string"),
        ({"subscription_ids": [1234567890123456]}, "subscription_ids", "not a string"),
        ({"subscription_ids": ["12ab"]}, "subscription_ids", "digits only"),
        (
            {"subscription_ids": "1234567890123456"},
            "subscription_ids",
            "list of strings",
        ),
        ({"region_codes": ["eu-west-9"]}, "region_codes", "not a Qlik Cloud region"),
        ({"region_codes": [3]}, "region_codes", "not a string"),
        ({"manifests": ["no/such/file.yaml"]}, "manifests", "no/such/file.yaml"),
        ({"fail_on_drift": True}, "fail_on_drift", "needs manifests"),
        ({"fail_on_drift": "yes"}, "fail_on_drift", "true or false"),
        ({"policy": "policy.yaml"}, "policy", "needs manifests"),
        ({"policy": ""}, "policy", "path of a policy file"),
    ],
    ids=[
        "ftp-url",
        "plain-http",
        "url-path",
        "url-not-string",
        "id-number",
        "id-letters",
        "ids-not-list",
        "region-unknown",
        "region-number",
        "manifest-missing",
        "drift-without-manifests",
        "flag-not-bool",
        "policy-without-manifests",
        "policy-empty",
    ],
)
def test_check_failure(
    provider: Provider, inputs: dict[str, Any], prop: str, words: str
) -> None:
    found = failures(provider, **inputs)
    assert list(found) == [prop]
    assert words in found[prop][0]


def test_check_suggests_region(provider: Provider) -> None:
    found = failures(provider, region_codes=["eu-west1"])
    assert "did you mean `eu-west-1`?" in found["region_codes"][0]


def test_check_plain_http_loopback(provider: Provider) -> None:
    assert failures(provider, org_url="http://127.0.0.1:8080") == {}


def test_check_names_item(provider: Provider) -> None:
    found = failures(provider, subscription_ids=[EMEA, 55])
    assert found["subscription_ids"][0].startswith("subscription_ids[1] is the int 55")


def test_check_manifest_errors(provider: Provider, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: qlik-drift/v1\nkind: TenantManifest\nsubscriptions:\n"
        "  - subscriptionId: 1234567890123456\n    tenants: []\n",
        encoding="utf-8",
    )
    found = failures(provider, manifests=[str(bad)])
    assert list(found) == ["manifests"]
    assert found["manifests"][0].startswith(f"{bad}:4:")


def test_check_skips_unknown(provider: Provider) -> None:
    result = provider.check({}, {"org_url": UNKNOWN, "region_codes": [UNKNOWN]})
    assert result.failures == []
    assert result.inputs["org_url"] == UNKNOWN


# --- diff ------------------------------------------------------------------


def diff(provider: Provider, olds: dict[str, Any], **news: Any) -> Any:
    checked = provider.check(olds, news)
    return provider.diff(olds["org_url"], olds, {**checked.inputs, "__provider": "new"})


@pytest.fixture
def stored(provider: Provider, simulator: Simulator) -> dict[str, Any]:
    """Outputs of a created resource, as the engine passes them to diff."""
    _, outs = create(provider, org_url=simulator.url, subscription_ids=[APAC, EMEA])
    return {**outs, "__provider": "old"}


def test_diff_no_change(provider: Provider, stored: dict[str, Any]) -> None:
    result = diff(
        provider, stored, org_url=stored["org_url"], subscription_ids=[EMEA, APAC]
    )
    assert result.changes is False
    assert result.replaces == []


def test_diff_filter_change(provider: Provider, stored: dict[str, Any]) -> None:
    result = diff(provider, stored, org_url=stored["org_url"], subscription_ids=[APAC])
    assert result.changes is True
    assert result.replaces == []


def test_diff_url_replaces(provider: Provider, stored: dict[str, Any]) -> None:
    result = diff(
        provider,
        stored,
        org_url="https://console.qlikcloud.com",
        subscription_ids=[APAC, EMEA],
    )
    assert result.changes is True
    assert result.replaces == ["org_url"]


def test_diff_unknown_url(provider: Provider, stored: dict[str, Any]) -> None:
    result = diff(provider, stored, org_url=UNKNOWN, subscription_ids=[APAC, EMEA])
    assert result.replaces == ["org_url"]


def test_diff_old_outputs(provider: Provider, stored: dict[str, Any]) -> None:
    older = {**stored, "outputs_version": None}
    result = diff(
        provider, older, org_url=stored["org_url"], subscription_ids=[APAC, EMEA]
    )
    assert result.changes is True
    assert result.replaces == []


def test_diff_manifest_edit(
    provider: Provider, simulator: Simulator, tmp_path: Path
) -> None:
    manifest = tmp_path / "emea.yaml"
    manifest.write_text(
        (Path(manifest_paths()[-1])).read_text(encoding="utf-8"), encoding="utf-8"
    )
    _, outs = create(
        provider,
        org_url=simulator.url,
        manifests=[str(manifest)],
        files_sha256=files_digest([str(manifest)], None),
    )
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"
    )
    result = diff(
        provider,
        outs,
        org_url=simulator.url,
        manifests=[str(manifest)],
        files_sha256=files_digest([str(manifest)], None),
    )
    assert result.changes is True
    assert result.replaces == []


# --- read, update, delete ---------------------------------------------------


def test_read_returns_inputs(provider: Provider, stored: dict[str, Any]) -> None:
    result = provider.read(stored["org_url"], stored)
    assert result.id == stored["org_url"]
    assert result.inputs == {
        "org_url": stored["org_url"],
        "subscription_ids": [APAC, EMEA],
        "region_codes": None,
        "manifests": None,
        "policy": None,
        "files_sha256": None,
        "fail_on_drift": False,
    }


def test_read_refreshes_outputs(provider: Provider, stored: dict[str, Any]) -> None:
    result = provider.read(
        stored["org_url"], {**stored, "tenants": [], "tenant_count": 0}
    )
    subscriptions = {APAC, EMEA}
    expected = [
        t for t in acme_data()["tenants"] if t["subscriptionId"] in subscriptions
    ]
    assert result.outs["tenant_count"] == len(expected)
    assert "__provider" not in result.outs


def test_read_then_diff_clean(provider: Provider, stored: dict[str, Any]) -> None:
    refreshed = provider.read(stored["org_url"], stored)
    olds = {**refreshed.outs, "__provider": "old"}
    news = {**refreshed.inputs, "__provider": "new"}
    assert provider.diff(refreshed.id, olds, news).changes is False


def test_update_full_outputs(provider: Provider, stored: dict[str, Any]) -> None:
    news = provider.check(
        stored, {"org_url": stored["org_url"], "region_codes": ["eu-west-1"]}
    )
    result = provider.update(stored["org_url"], stored, news.inputs)
    assert result.outs is not None
    assert set(OUTPUT_NAMES) <= set(result.outs)
    assert result.outs["tenant_count"] == 1


def test_delete_sends_nothing(
    provider: Provider, stored: dict[str, Any], simulator: Simulator
) -> None:
    simulator.stats.reset()
    assert provider.delete(stored["org_url"], stored) is None
    assert simulator.stats.total == 0


# --- drift -----------------------------------------------------------------


@pytest.fixture
def drifted(provider: Provider, simulator: Simulator) -> dict[str, Any]:
    _, outs = create(provider, org_url=simulator.url, manifests=manifest_paths())
    return outs


def test_drift_summary(drifted: dict[str, Any]) -> None:
    # examples/live/acme.yaml differs from examples/manifests once per kind.
    assert drifted["drift_summary"] == dict.fromkeys(DRIFT_KINDS, 1)
    assert drifted["drift_count"] == 5


def test_drift_error_count(drifted: dict[str, Any]) -> None:
    # The default policy makes undeclared-subscription an info, not an error.
    assert drifted["drift_error_count"] == 4


def write_policy(path: Path, severities: dict[str, str]) -> str:
    lines = [f"    {kind}: {level}\n" for kind, level in severities.items()]
    path.write_text(
        "apiVersion: qlik-drift/v1\nkind: Policy\nseverity:\n  drift:\n"
        + "".join(lines),
        encoding="utf-8",
    )
    return str(path)


def test_policy_ignores_kind(
    provider: Provider, simulator: Simulator, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path / "policy.yaml", {"moved": "ignore"})
    _, outs = create(
        provider, org_url=simulator.url, manifests=manifest_paths(), policy=policy
    )
    assert outs["drift_summary"]["moved"] == 0
    assert outs["drift_count"] == 4
    assert outs["drift_error_count"] == 3
    assert not any(key.startswith("moved:") for key in outs["drifted_keys"])


def test_policy_warnings_pass(
    provider: Provider, simulator: Simulator, tmp_path: Path
) -> None:
    levels = dict.fromkeys(DRIFT_KINDS, "warning")
    policy = write_policy(tmp_path / "policy.yaml", levels)
    _, outs = create(
        provider,
        org_url=simulator.url,
        manifests=manifest_paths(),
        policy=policy,
        fail_on_drift=True,
    )
    assert outs["drift_error_count"] == 0
    assert outs["drift_count"] == 5


def test_policy_edit_changes_digest(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "policy.yaml", {"moved": "ignore"})
    before = files_digest(manifest_paths(), policy)
    write_policy(tmp_path / "policy.yaml", {"moved": "warning"})
    assert files_digest(manifest_paths(), policy) != before
    assert files_digest(manifest_paths(), None) != before


def test_check_invalid_policy(provider: Provider, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("apiVersion: qlik-drift/v1\nkind: Policy\nseverity: 3\n")
    found = failures(provider, manifests=manifest_paths(), policy=str(policy))
    assert list(found) == ["policy"]
    assert str(policy) in found["policy"][0]


def test_drifted_keys(drifted: dict[str, Any]) -> None:
    assert drifted["drifted_keys"] == [
        "changed:9876543210987654:acme-prod.eu.qlikcloud.com",
        "missing:5555666677778888:acme-tokyo.jp.qlikcloud.com",
        "moved:9876543210987654:acme-london.uk.qlikcloud.com",
        "undeclared-subscription:4444555566667777:",
        "unmanaged:1234567890123456:acme-sandbox.us.qlikcloud.com",
    ]


def test_drift_catalog_unfiltered(drifted: dict[str, Any]) -> None:
    assert drifted["tenant_count"] == len(acme_data()["tenants"])


def test_drift_with_filter(provider: Provider, simulator: Simulator) -> None:
    # Filters narrow the catalog; drift still covers every manifest.
    _, outs = create(
        provider,
        org_url=simulator.url,
        manifests=manifest_paths(),
        subscription_ids=[APAC],
    )
    assert outs["tenant_count"] == 2
    assert outs["drift_count"] == 5


def test_no_manifests_no_drift(provider: Provider, simulator: Simulator) -> None:
    _, outs = create(provider, org_url=simulator.url)
    assert outs["drift_summary"] is None
    assert outs["drifted_keys"] is None
    assert outs["drift_count"] is None


def test_fail_on_drift_create(provider: Provider, simulator: Simulator) -> None:
    checked = provider.check(
        {},
        {
            "org_url": simulator.url,
            "manifests": manifest_paths(),
            "fail_on_drift": True,
        },
    )
    with pytest.raises(DriftFoundError) as caught:
        provider.create(checked.inputs)
    message = str(caught.value)
    assert "4 drift findings at level error" in message
    assert (
        "(1 missing, 1 unmanaged, 1 changed, 1 moved, 1 undeclared-subscription"
        in message
    )
    assert "  missing:5555666677778888:acme-tokyo.jp.qlikcloud.com" in str(caught.value)


def test_fail_on_drift_read(provider: Provider, drifted: dict[str, Any]) -> None:
    stored = {**drifted, "fail_on_drift": True}
    result = provider.read(drifted["org_url"], stored)
    assert result.outs["drift_count"] == 5


def test_fail_on_drift_diff(provider: Provider, drifted: dict[str, Any]) -> None:
    # Drift recorded by a refresh turns the next up into an update, which fails.
    stored = {**drifted, "fail_on_drift": True}
    news = {**provider.check(stored, stored).inputs, "__provider": "new"}
    assert provider.diff(drifted["org_url"], stored, news).changes is True


# --- credentials and errors -------------------------------------------------


def test_environment_credentials(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", SENTINEL_ID)
    monkeypatch.setenv("QLIK_CLIENT_SECRET", SENTINEL_SECRET)
    _, outs = create(OrganizationTenantsProvider(), org_url=simulator.url)
    assert outs["tenant_count"] == len(acme_data()["tenants"])


def test_stack_config_wins(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "other-client")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "other-secret")
    provider = OrganizationTenantsProvider()
    provider.configure(ConfigureRequest(Config(stack_config(), PROJECT)))
    _, outs = create(provider, org_url=simulator.url)
    assert outs["tenant_count"] == len(acme_data()["tenants"])


def test_missing_credentials(simulator: Simulator) -> None:
    checked = OrganizationTenantsProvider().check({}, {"org_url": simulator.url})
    with pytest.raises(ProviderError) as caught:
        OrganizationTenantsProvider().create(checked.inputs)
    message = str(caught.value)
    assert "no organization OAuth client credentials" in message
    assert "`pulumi config set --secret qlik:clientSecret SECRET`" in message


def test_invalid_timeout_config() -> None:
    provider = OrganizationTenantsProvider()
    with pytest.raises(ProviderError) as caught:
        provider.configure(
            ConfigureRequest(Config(stack_config(**{"qlik:timeout": "soon"}), PROJECT))
        )
    assert "qlik:timeout is 'soon', not a number" in str(caught.value)


def test_partial_stack_config(simulator: Simulator) -> None:
    provider = OrganizationTenantsProvider()
    provider.configure(
        ConfigureRequest(Config({"qlik:clientId": SENTINEL_ID}, PROJECT))
    )
    with pytest.raises(ProviderError) as caught:
        provider.create(provider.check({}, {"org_url": simulator.url}).inputs)
    assert "qlik:clientSecret is not set" in str(caught.value)
    assert_no_sentinel(str(caught.value))


def test_rejected_client(
    simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = OrganizationTenantsProvider()
    config = stack_config(**{"qlik:clientSecret": SENTINEL_SECRET + "-wrong"})
    provider.configure(ConfigureRequest(Config(config, PROJECT)))
    with pytest.raises(ProviderError) as caught:
        provider.create(provider.check({}, {"org_url": simulator.url}).inputs)
    message = str(caught.value)
    assert message.startswith(f"could not read the organization at {simulator.url}: ")
    assert "rejected" in message
    assert "hint: the credentials come from the stack configuration" in message
    assert caught.value.__cause__ is None
    assert_no_sentinel(message, repr(caught.value), caplog.text)


def test_unreachable_api() -> None:
    provider = OrganizationTenantsProvider()
    provider.configure(
        ConfigureRequest(Config(stack_config(**{"qlik:timeout": "1"}), PROJECT))
    )
    url = f"http://127.0.0.1:{closed_port()}"
    checked = provider.check({}, {"org_url": url})
    with pytest.raises(ProviderError) as caught:
        provider.create(checked.inputs)
    assert str(caught.value).startswith(f"could not read the organization at {url}: ")
    assert_no_sentinel(str(caught.value))


def test_foreign_subscription(provider: Provider, simulator: Simulator) -> None:
    foreign = acme_data()["foreignSubscriptions"][0]
    checked = provider.check(
        {}, {"org_url": simulator.url, "subscription_ids": [foreign]}
    )
    with pytest.raises(ProviderError) as caught:
        provider.create(checked.inputs)
    assert f"subscription {foreign} does not belong to this organization" in str(
        caught.value
    )


def test_invalid_manifest_create(
    provider: Provider, simulator: Simulator, tmp_path: Path
) -> None:
    # check normally stops this; create must not compare a half-valid state.
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: qlik-drift/v1\nkind: Nonsense\n", encoding="utf-8")
    with pytest.raises(ProviderError) as caught:
        provider.create(
            {"org_url": simulator.url, "manifests": [str(bad)], "fail_on_drift": False}
        )
    assert "invalid manifests" in str(caught.value)
    assert str(bad) in str(caught.value)


def test_outputs_hold_no_secret(provider: Provider, stored: dict[str, Any]) -> None:
    assert_no_sentinel(stored)
