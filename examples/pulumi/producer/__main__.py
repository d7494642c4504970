"""Publish the tenants of a Qlik Cloud organization as stack outputs.

Stack configuration, all in the ``qlik`` namespace:

    qlik:clientId      id of an organization OAuth client
    qlik:clientSecret  its secret: `pulumi config set --secret qlik:clientSecret ...`
    qlik:orgUrl        default https://console.qlikcloud.com
    qlik:failOnDrift   true to fail `pulumi up` while the organization
                       differs from the manifests

Other stacks read the exports with a StackReference (see ../consumer).
"""

from __future__ import annotations

import pulumi

from checker.pulumi import TenantCatalog, export_catalog

config = pulumi.Config("qlik")

catalog = TenantCatalog(
    "acme",
    org_url=config.get("orgUrl"),
    # Relative to this project directory, where pulumi runs the program and
    # the provider.
    manifests=["../../manifests"],
    fail_on_drift=config.get_bool("failOnDrift") or False,
)

export_catalog(catalog)
