"""Use the tenant catalog that a qlik-tenants stack exports.

Stack configuration:

    producerStack  the producer stack, default organization/qlik-tenants/<this stack>
    region         the region whose tenant ids to export, default eu-west-1
    requireInSync  true to stop while the producer reports drift at level error
"""

from __future__ import annotations

from typing import Any

import pulumi

# The catalog shape this program was written for (export qlik_catalog_version).
CATALOG_VERSION = "1"

config = pulumi.Config()
producer = (
    config.get("producerStack") or f"organization/qlik-tenants/{pulumi.get_stack()}"
)
region = config.get("region") or "eu-west-1"
require_in_sync = config.get_bool("requireInSync") or False
catalog = pulumi.StackReference(producer)


def check_version(version: str) -> str:
    if version != CATALOG_VERSION:
        raise ValueError(
            f"{producer} exports tenant catalog version {version!r}, "
            f"but this program reads version {CATALOG_VERSION}"
        )
    return version


def origins(hostnames_by_subscription: dict[str, list[str]]) -> list[str]:
    # Every hostname of every tenant, e.g. for a web app that embeds Qlik.
    hosts = {host for hosts in hostnames_by_subscription.values() for host in hosts}
    return sorted(f"https://{host}" for host in hosts)


def drift_errors(count: Any) -> int | None:
    # None means the producer compares no manifests, which is not "in sync".
    if count is None:
        if require_in_sync:
            raise ValueError(
                f"{producer} compares no manifests: give its TenantCatalog manifests"
            )
        return None
    # Numbers cross stacks as JSON numbers, so they arrive as floats.
    errors = int(count)
    if errors and require_in_sync:
        raise ValueError(
            f"{producer} reports {errors} drift findings at level error: run "
            "`qlik-drift check` on its manifests, fix the drift, then "
            "`pulumi up --refresh` the producer"
        )
    return errors


pulumi.export(
    "catalog_version",
    catalog.require_output("qlik_catalog_version").apply(check_version),
)
pulumi.export(
    "region_tenant_ids",
    catalog.require_output("qlik_tenants_by_region").apply(
        lambda by_region: by_region.get(region, [])
    ),
)
pulumi.export(
    "allowed_origins",
    catalog.require_output("qlik_hostnames_by_subscription").apply(origins),
)
pulumi.export("tenant_count", catalog.require_output("qlik_tenant_count").apply(int))
# get_output, not require_output: a producer without manifests exports no drift.
pulumi.export(
    "drift_errors",
    catalog.get_output("qlik_drift_error_count").apply(drift_errors),
)
