"""A read-only Pulumi dynamic resource over the Organization API.

``OrganizationTenants`` reads the organization through the same client as
``qlik-drift check`` and stores a sorted tenant catalog (and, with manifests,
a drift summary) as its outputs. It changes nothing in Qlik Cloud: create,
update and read only read, and delete only removes the resource from state.

Pulumi stores this provider pickled *by reference* (module and class name,
under 100 bytes). So the stack's virtualenv must have qlik-drift installed,
and moving or renaming this module breaks refresh and destroy of existing
state. Credentials are read inside the provider at run time, from stack
configuration (``qlik:clientId``, ``qlik:clientSecret``) or from the
environment, and never become part of the pickle, the inputs or the outputs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime.rpc import UNKNOWN

from checker.drift import compute_drift
from checker.errors import EXIT_FINDINGS, AuthError, QlikDriftError, SecretStr
from checker.live import ClientConfig, Credentials, read_live_state
from checker.manifest import load_manifests
from checker.model import DesiredState, DriftItem, LiveState
from checker.policy import load_policy
from checker.policy.apply import apply_live_policy
from checker.pulumi.catalog import build_catalog, select_tenants, summarize_drift
from checker.pulumi.inputs import INPUT_NAMES, check_inputs, files_digest

logger = logging.getLogger(__name__)

# Stack configuration keys read by ``configure``; ``qlik:clientSecret`` should
# be set with ``pulumi config set --secret``.
CONFIG_CLIENT_ID = "qlik:clientId"
CONFIG_CLIENT_SECRET = "qlik:clientSecret"
CONFIG_CA_BUNDLE = "qlik:caBundle"
# Deadline in seconds for one read of the organization, retries included.
CONFIG_TIMEOUT = "qlik:timeout"

# Version of the output shape. A provider with another version re-reads on the
# next update, so state written by an older qlik-drift gets the new outputs.
OUTPUTS_VERSION = "1"

CATALOG_OUTPUTS = (
    "tenants",
    "tenants_by_subscription",
    "tenants_by_region",
    "hostnames_by_subscription",
    "tenant_count",
)
DRIFT_OUTPUTS = ("drift_summary", "drifted_keys", "drift_count", "drift_error_count")
OUTPUT_NAMES = (*CATALOG_OUTPUTS, *DRIFT_OUTPUTS, "outputs_version")


class ProviderError(QlikDriftError):
    """A provider operation failed; the message is meant for the pulumi user."""


class DriftFoundError(ProviderError):
    """``fail_on_drift`` is set and the organization differs from the manifests."""

    exit_code = EXIT_FINDINGS


@dataclass(frozen=True, slots=True)
class StackSettings:
    """Provider settings taken from the stack configuration."""

    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    ca_bundle: str | None = None
    timeout: float | None = None


def _secret_or_none(value: Any) -> SecretStr | None:
    return SecretStr(str(value)) if value not in (None, "") else None


def _seconds_or_none(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProviderError(
            f"stack configuration {CONFIG_TIMEOUT} is {value!r}, not a number",
            hint=f"set it in seconds: `pulumi config set {CONFIG_TIMEOUT} 300`",
        ) from None


class OrganizationTenantsProvider(ResourceProvider):
    """CRUD operations of ``OrganizationTenants``: all but delete read the organization.

    ``diff`` compares only the resource's own inputs, never ``__provider``, so
    reformatting a program or upgrading qlik-drift causes no update. Run
    ``pulumi up --refresh`` or ``pulumi refresh`` to read the organization again.
    """

    def configure(self, req: ConfigureRequest) -> None:
        """Take credentials, CA bundle and timeout from the stack configuration.

        The plugin calls this after unpickling, so the values live only in the
        plugin process. ``__getstate__`` keeps them out of any later pickle.
        """
        config = req.config
        self._settings = StackSettings(
            client_id=_secret_or_none(config.get(CONFIG_CLIENT_ID)),
            client_secret=_secret_or_none(config.get(CONFIG_CLIENT_SECRET)),
            ca_bundle=config.get(CONFIG_CA_BUNDLE) or None,
            timeout=_seconds_or_none(config.get(CONFIG_TIMEOUT)),
        )

    def __getstate__(self) -> dict[str, Any]:
        # The pickle must carry no configuration: it is stored in Pulumi state.
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs and return them normalized (sorted, defaults filled)."""
        inputs, failures = check_inputs(news, UNKNOWN)
        return CheckResult(inputs, [CheckFailure(name, why) for name, why in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the stored inputs (kept in the outputs) with the new inputs.

        A new ``org_url`` replaces the resource; another changed input updates
        it, which re-reads. So does stored drift when ``fail_on_drift`` is on,
        so that ``pulumi up --refresh`` stops on drift found by the refresh.
        """
        old_inputs, _ = check_inputs(olds, UNKNOWN, load_files=False)
        changed = [name for name in INPUT_NAMES if old_inputs[name] != news.get(name)]
        if olds.get("outputs_version") != OUTPUTS_VERSION:
            changed.append("outputs_version")
        if news.get("fail_on_drift") is True and olds.get("drift_error_count"):
            changed.append("drift_error_count")
        replaces = ["org_url"] if "org_url" in changed else []
        return DiffResult(changes=bool(changed), replaces=replaces)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Read the organization; the resource id is the organization URL."""
        inputs = _own_inputs(props)
        return CreateResult(inputs["org_url"], self._read_outputs(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Read the organization again for ``pulumi refresh``.

        ``props`` are the stored outputs, which include the inputs.

        The inputs are returned as well, so that after a refresh the stored
        inputs match the program and the next preview shows no change. A
        refresh never fails on drift: it records it.
        """
        inputs = _own_inputs(props)
        outs = self._read_outputs(inputs, enforce=False)
        return ReadResult(id_, outs, inputs=inputs)

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> UpdateResult:
        """Read the organization again and return the complete outputs.

        The returned outputs replace the stored ones, so they are never partial.
        """
        return UpdateResult(self._read_outputs(_own_inputs(news)))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Remove the resource from state only. Qlik Cloud is not contacted."""
        logger.debug("deleting %s from state only; Qlik Cloud is not changed", id_)

    def _read_outputs(
        self, inputs: dict[str, Any], enforce: bool = True
    ) -> dict[str, Any]:
        config = self._client_config(inputs["org_url"])
        try:
            outputs = read_catalog(inputs, config)
        except ProviderError:
            raise
        except QlikDriftError as exc:
            hint = None
            if isinstance(exc, AuthError) and config.credentials.source == "stack":
                hint = (
                    "the credentials come from the stack configuration: check "
                    f"`pulumi config get {CONFIG_CLIENT_ID}` and set the secret again "
                    f"with `pulumi config set --secret {CONFIG_CLIENT_SECRET}`"
                )
            # from None: the engine shows the traceback, and the cause adds no facts.
            raise ProviderError(
                f"could not read the organization at {inputs['org_url']}: {exc}",
                hint=hint,
            ) from None
        if enforce and inputs["fail_on_drift"] and outputs["drift_error_count"]:
            raise _drift_error(outputs)
        return outputs

    def _client_config(self, org_url: str) -> ClientConfig:
        settings: StackSettings = getattr(self, "_settings", StackSettings())
        options: dict[str, Any] = {}
        if settings.timeout is not None:
            options["timeout"] = settings.timeout
        try:
            return ClientConfig(
                org_url=org_url,
                credentials=_credentials(settings),
                ca_bundle=settings.ca_bundle,
                **options,
            )
        except ProviderError:
            raise
        except QlikDriftError as exc:
            raise ProviderError(f"invalid provider configuration: {exc}") from None


def _own_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    inputs, failures = check_inputs(props, UNKNOWN, load_files=False)
    if failures:
        # The engine runs check before create and update, so this is stored
        # state that an older or edited program wrote.
        reasons = "; ".join(f"{name}: {why}" for name, why in failures)
        raise ProviderError(f"invalid OrganizationTenants inputs: {reasons}")
    return inputs


def _credentials(settings: StackSettings) -> Credentials:
    if settings.client_id or settings.client_secret:
        if not (settings.client_id and settings.client_secret):
            missing = CONFIG_CLIENT_SECRET if settings.client_id else CONFIG_CLIENT_ID
            raise ProviderError(
                f"stack configuration {missing} is not set",
                hint=f"set both: `pulumi config set {CONFIG_CLIENT_ID} ID` and "
                f"`pulumi config set --secret {CONFIG_CLIENT_SECRET} SECRET`",
            )
        return Credentials(settings.client_id, settings.client_secret, source="stack")
    try:
        return Credentials.load()
    except QlikDriftError:
        raise ProviderError(
            "no organization OAuth client credentials: neither stack configuration "
            f"{CONFIG_CLIENT_ID}/{CONFIG_CLIENT_SECRET} nor QLIK_CLIENT_ID/"
            "QLIK_CLIENT_SECRET in the environment",
            hint=f"run `pulumi config set {CONFIG_CLIENT_ID} ID` and "
            f"`pulumi config set --secret {CONFIG_CLIENT_SECRET} SECRET`",
        ) from None


def read_catalog(inputs: Mapping[str, Any], config: ClientConfig) -> dict[str, Any]:
    """Read the organization and return the resource's outputs.

    With manifests, the whole organization is read and compared with them by
    the drift engine of ``qlik-drift check``, and the filters apply to the
    catalog only. Without manifests, a ``subscription_ids`` filter reads just
    those subscriptions. Raises ``QlikDriftError`` when the read is incomplete.
    """
    subscription_ids = inputs["subscription_ids"]
    desired = _load_desired(inputs["manifests"]) if inputs["manifests"] else None
    if desired is not None:
        sources = {
            sub_id: sub.sources[0]
            for sub_id, sub in desired.subscriptions.items()
            if sub.sources
        }
        live = read_live_state(
            config,
            sorted(desired.subscriptions),
            scope="organization",
            subscription_sources=sources,
        )
    elif subscription_ids:
        live = read_live_state(config, subscription_ids, scope="subscriptions")
    else:
        live = read_live_state(config, [], scope="organization")

    records = select_tenants(live.tenants, subscription_ids, inputs["region_codes"])
    outputs: dict[str, Any] = {**inputs, **build_catalog(records)}
    if desired is not None:
        outputs.update(
            summarize_drift(_reported_drift(desired, live, inputs["policy"]))
        )
    else:
        # Not compared is not the same as no drift: leave the drift outputs empty.
        outputs.update(dict.fromkeys(DRIFT_OUTPUTS))
    outputs["outputs_version"] = OUTPUTS_VERSION
    return outputs


def _reported_drift(
    desired: DesiredState, live: LiveState, policy_path: str | None
) -> list[DriftItem]:
    """Return the drift that ``qlik-drift check`` reports under the same policy.

    Items that the policy ignores are left out; the rest carry its severity.
    """
    try:
        policy = load_policy(policy_path)
    except QlikDriftError as exc:
        raise ProviderError(f"could not load the policy: {exc}") from None
    today = datetime.now(UTC).date()
    drift = compute_drift(desired, live)
    return apply_live_policy(desired, live, drift, policy, today=today).drift


def _load_desired(paths: list[str]) -> DesiredState:
    try:
        result = load_manifests(paths)
    except QlikDriftError as exc:
        raise ProviderError(f"could not load the manifests: {exc}") from None
    if not result.ok:
        errors = [str(d) for d in result.diagnostics if d.level == "error"]
        raise ProviderError(
            "invalid manifests, so drift cannot be computed:\n" + "\n".join(errors),
            hint="run `qlik-drift validate` on the manifests and fix the errors",
        )
    return result.desired


def _drift_error(outputs: Mapping[str, Any]) -> DriftFoundError:
    counts = ", ".join(
        f"{count} {kind}" for kind, count in outputs["drift_summary"].items() if count
    )
    keys = "\n".join(f"  {key}" for key in outputs["drifted_keys"])
    errors = outputs["drift_error_count"]
    return DriftFoundError(
        f"the organization differs from the manifests: {errors} drift findings "
        f"at level error ({counts} in all):\n{keys}",
        hint="run `qlik-drift check` on the manifests for details, or set "
        "fail_on_drift to false to record drift without failing",
    )


class OrganizationTenants(Resource, module="qlik", name="OrganizationTenants"):
    """The tenants of a Qlik Cloud organization, read-only, as Pulumi outputs.

    Type token: ``pulumi-python:dynamic/qlik:OrganizationTenants``.
    """

    org_url: pulumi.Output[str]
    subscription_ids: pulumi.Output[list[str] | None]
    region_codes: pulumi.Output[list[str] | None]
    manifests: pulumi.Output[list[str] | None]
    policy: pulumi.Output[str | None]
    files_sha256: pulumi.Output[str | None]
    fail_on_drift: pulumi.Output[bool]
    tenants: pulumi.Output[list[dict[str, Any]]]
    tenants_by_subscription: pulumi.Output[dict[str, list[str]]]
    tenants_by_region: pulumi.Output[dict[str, list[str]]]
    hostnames_by_subscription: pulumi.Output[dict[str, list[str]]]
    tenant_count: pulumi.Output[int]
    drift_summary: pulumi.Output[dict[str, int] | None]
    drifted_keys: pulumi.Output[list[str] | None]
    drift_count: pulumi.Output[int | None]
    drift_error_count: pulumi.Output[int | None]
    outputs_version: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        org_url: pulumi.Input[str] | None = None,
        subscription_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        region_codes: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        manifests: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        policy: pulumi.Input[str] | None = None,
        fail_on_drift: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the resource.

        ``org_url`` defaults to ``https://console.qlikcloud.com``. Filters
        narrow the catalog. ``manifests`` (files or folders) and ``policy``
        (a policy file) are paths relative to the project directory. With
        manifests the outputs include drift, and ``fail_on_drift`` makes
        create and update fail while any drift finding has level error.
        """
        # Resolved, the Outputs hold plain strings.
        digest = pulumi.Output.all(manifests, policy).apply(
            lambda values: files_digest(
                cast("Sequence[str] | None", values[0]), cast("str | None", values[1])
            )
        )
        props: dict[str, Any] = {
            "org_url": org_url,
            "subscription_ids": subscription_ids,
            "region_codes": region_codes,
            "manifests": manifests,
            "policy": policy,
            "files_sha256": digest,
            "fail_on_drift": fail_on_drift,
        }
        # A None prop declares an output, so the attribute exists on the resource.
        props.update(dict.fromkeys(OUTPUT_NAMES))
        super().__init__(OrganizationTenantsProvider(), resource_name, props, opts)
