"""Qlik Cloud region codes and the hostname labels that name them.

Tenant hostnames have the form ``<name>.<label>.qlikcloud.com``, and the
label names the region the tenant lives in. The confirmed labels come from the
"Qlik Cloud URL region identifier" column of Qlik Help's table of Qlik Cloud
regions. ``br``, ``ca`` and ``se`` are inferred from tenants seen in public
code and from the country codes, so a mismatch against them is only a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

# The regionCode values the Organization API documents for a tenant, in the
# order of its enum.
REGION_CODES: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "il-central-1",
    "me-central-1",
    "sa-east-1",
    "ca-central-1",
)

QLIKCLOUD_DOMAIN = "qlikcloud.com"


@dataclass(frozen=True, slots=True)
class RegionLabel:
    """A hostname region label and the region code it stands for.

    ``confirmed`` is false for labels inferred without a Qlik source.
    """

    label: str
    region_code: str
    confirmed: bool


HOSTNAME_LABELS: dict[str, RegionLabel] = {
    entry.label: entry
    for entry in (
        RegionLabel("us", "us-east-1", True),
        RegionLabel("eu", "eu-west-1", True),
        RegionLabel("de", "eu-central-1", True),
        RegionLabel("uk", "eu-west-2", True),
        RegionLabel("fr", "eu-west-3", True),
        RegionLabel("sg", "ap-southeast-1", True),
        RegionLabel("ap", "ap-southeast-2", True),
        RegionLabel("jp", "ap-northeast-1", True),
        RegionLabel("in", "ap-south-1", True),
        RegionLabel("il", "il-central-1", True),
        RegionLabel("ae", "me-central-1", True),
        RegionLabel("br", "sa-east-1", False),
        RegionLabel("ca", "ca-central-1", False),
        RegionLabel("se", "eu-north-1", False),
    )
}

QLIKCLOUD_SUFFIX = "." + QLIKCLOUD_DOMAIN
_SUFFIX = QLIKCLOUD_SUFFIX


def hostname_region_label(hostname: str) -> str | None:
    """Return the region label of ``<name>.<label>.qlikcloud.com``, lower case.

    Returns None for a hostname of any other shape: custom domains, or a
    qlikcloud.com hostname without exactly one label between the tenant name
    and the domain.
    """
    host = hostname.lower()
    if not host.endswith(_SUFFIX):
        return None
    name, dot, label = host[: -len(_SUFFIX)].rpartition(".")
    if not dot or not name or not label or "." in name:
        return None
    return label


def label_for_region(region_code: str) -> RegionLabel | None:
    """Return the hostname label entry of a region code, or None if it has none."""
    for entry in HOSTNAME_LABELS.values():
        if entry.region_code == region_code:
            return entry
    return None
