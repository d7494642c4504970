"""``TenantCatalog``: a component that publishes the tenant catalog as stack outputs.

A producer stack creates one ``TenantCatalog`` and calls ``export_catalog``;
consumer stacks read the exports with ``pulumi.StackReference``. The export
names in ``EXPORT_NAMES`` are a stable interface: consumers bind to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from checker.pulumi.provider import OrganizationTenants

COMPONENT_TYPE = "qlik:index:TenantCatalog"

# Stack export name -> TenantCatalog attribute.
EXPORT_NAMES = {
    "qlik_tenants": "tenants",
    "qlik_tenants_by_subscription": "tenants_by_subscription",
    "qlik_tenants_by_region": "tenants_by_region",
    "qlik_hostnames_by_subscription": "hostnames_by_subscription",
    "qlik_tenant_count": "tenant_count",
    "qlik_drift_summary": "drift_summary",
    "qlik_drifted_keys": "drifted_keys",
    "qlik_drift_count": "drift_count",
    "qlik_drift_error_count": "drift_error_count",
}
# Exported too, so that consumers can detect a change of shape.
CATALOG_VERSION_EXPORT = "qlik_catalog_version"
CATALOG_VERSION = "1"


class TenantCatalog(pulumi.ComponentResource):
    """The tenants of a Qlik Cloud organization, grouped for other stacks to use.

    Wraps one ``OrganizationTenants`` resource (named ``<name>-tenants``) and
    takes the same arguments. Its outputs are the resource's outputs.
    """

    tenants: pulumi.Output[list[dict[str, Any]]]
    tenants_by_subscription: pulumi.Output[dict[str, list[str]]]
    tenants_by_region: pulumi.Output[dict[str, list[str]]]
    hostnames_by_subscription: pulumi.Output[dict[str, list[str]]]
    tenant_count: pulumi.Output[int]
    drift_summary: pulumi.Output[dict[str, int] | None]
    drifted_keys: pulumi.Output[list[str] | None]
    drift_count: pulumi.Output[int | None]
    drift_error_count: pulumi.Output[int | None]

    def __init__(
        self,
        name: str,
        *,
        org_url: pulumi.Input[str] | None = None,
        subscription_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        region_codes: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        manifests: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        policy: pulumi.Input[str] | None = None,
        fail_on_drift: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self.resource = OrganizationTenants(
            f"{name}-tenants",
            org_url=org_url,
            subscription_ids=subscription_ids,
            region_codes=region_codes,
            manifests=manifests,
            policy=policy,
            fail_on_drift=fail_on_drift,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.tenants = self.resource.tenants
        self.tenants_by_subscription = self.resource.tenants_by_subscription
        self.tenants_by_region = self.resource.tenants_by_region
        self.hostnames_by_subscription = self.resource.hostnames_by_subscription
        self.tenant_count = self.resource.tenant_count
        self.drift_summary = self.resource.drift_summary
        self.drifted_keys = self.resource.drifted_keys
        self.drift_count = self.resource.drift_count
        self.drift_error_count = self.resource.drift_error_count
        self.register_outputs(
            {attribute: getattr(self, attribute) for attribute in EXPORT_NAMES.values()}
        )


def export_catalog(catalog: TenantCatalog) -> None:
    """Export the catalog under the names in ``EXPORT_NAMES``, plus its version."""
    for export_name, attribute in EXPORT_NAMES.items():
        pulumi.export(export_name, getattr(catalog, attribute))
    pulumi.export(CATALOG_VERSION_EXPORT, CATALOG_VERSION)
