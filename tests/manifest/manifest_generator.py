"""Generate large, valid tenant manifests for load measurements.

Run ``python tests/manifest/manifest_generator.py OUT.yaml --tenants 100000``
to write a manifest of 100,000 tenants (about 11 MB) over 100 subscriptions,
then measure it with ``python tests/manifest/measure_load.py OUT.yaml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from checker.regions import HOSTNAME_LABELS

_LABELS = sorted(HOSTNAME_LABELS.values(), key=lambda entry: entry.label)


def generate_manifest(tenants: int, subscriptions: int = 100) -> str:
    """Return the text of one manifest with ``tenants`` tenants.

    Every tenant has a name and a hostname whose region label matches its
    regionCode. Every 10th tenant has an id, every 20th is disabled and every
    50th has an alias.
    """
    per_subscription = max(1, -(-tenants // max(1, subscriptions)))
    lines = ["apiVersion: qlik-drift/v1", "kind: TenantManifest", "subscriptions:"]
    for number in range(tenants):
        if number % per_subscription == 0:
            index = number // per_subscription
            lines.append(f'  - subscriptionId: "{1000000000000000 + index}"')
            lines.append(f"    description: Generated subscription {index}")
            lines.append("    tenants:")
        region = _LABELS[number % len(_LABELS)]
        lines.append(
            f"      - hostname: tenant-{number:06d}.{region.label}.qlikcloud.com"
        )
        if number % 10 == 0:
            lines.append(f"        id: T{number:031d}")
        lines.append(f"        name: Tenant {number}")
        lines.append(f"        regionCode: {region.region_code}")
        if number % 20 == 0:
            lines.append("        status: disabled")
        if number % 50 == 0:
            lines.append(f"        aliases: [analytics-{number}.example.com]")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="file to write")
    parser.add_argument(
        "--tenants", type=int, default=100_000, help="number of tenants"
    )
    parser.add_argument(
        "--subscriptions", type=int, default=100, help="number of subscriptions"
    )
    arguments = parser.parse_args()
    text = generate_manifest(arguments.tenants, arguments.subscriptions)
    arguments.output.write_text(text, encoding="utf-8")
    size = len(text.encode("utf-8")) / 1e6
    print(f"wrote {arguments.output}: {arguments.tenants} tenants, {size:.1f} MB")


if __name__ == "__main__":
    main()
