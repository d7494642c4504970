"""Pulumi integration: the Qlik Cloud tenant catalog as a read-only resource.

Needs the Pulumi SDK, installed with ``pip install "qlik-drift[pulumi]"``.
No other part of qlik-drift imports Pulumi.
"""

from __future__ import annotations

try:
    import pulumi.dynamic  # noqa: F401
except ImportError as exc:
    raise ImportError(
        "checker.pulumi needs the Pulumi SDK, which is not installed: "
        'run `pip install "qlik-drift[pulumi]"` in the stack\'s virtualenv'
    ) from exc

from checker.pulumi.component import (
    CATALOG_VERSION,
    CATALOG_VERSION_EXPORT,
    EXPORT_NAMES,
    TenantCatalog,
    export_catalog,
)
from checker.pulumi.provider import (
    CONFIG_CA_BUNDLE,
    CONFIG_CLIENT_ID,
    CONFIG_CLIENT_SECRET,
    DriftFoundError,
    OrganizationTenants,
    OrganizationTenantsProvider,
    ProviderError,
)

__all__ = [
    "CATALOG_VERSION",
    "CATALOG_VERSION_EXPORT",
    "CONFIG_CA_BUNDLE",
    "CONFIG_CLIENT_ID",
    "CONFIG_CLIENT_SECRET",
    "EXPORT_NAMES",
    "DriftFoundError",
    "OrganizationTenants",
    "OrganizationTenantsProvider",
    "ProviderError",
    "TenantCatalog",
    "export_catalog",
]
