"""Generate synthetic organizations and the manifests that declare them.

For each size the generator writes, under ``benchmarks/data/<size>/``:

- ``manifest.yaml``: every declared subscription in one file;
- ``subscriptions/<subscriptionId>.yaml``: the same content, one file per
  subscription;
- ``state.json``: the simulator state of the live organization;
- ``invalid.yaml``: five subscriptions with schema errors injected;
- ``expected.json``: the drift items a check must report, by kind and scope,
  and the JSON paths of the injected errors.

Tenants are spread at random over ``SUBSCRIPTIONS`` declared subscriptions
and over every region that has a hostname label. About ``DRIFT_RATE`` of the
tenants drift in each way: declared but missing, live but unmanaged, changed,
moved to another declared subscription, and live under a subscription that
no manifest declares.
The output depends only on the size and the seed.

``python -m benchmarks.generate --sizes 1k,10k`` writes the data; the
benchmark runner calls ``ensure`` and reuses data whose stamp matches.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.fsutil import atomic_write_text
from checker.regions import HOSTNAME_LABELS

DATA_DIR = Path(__file__).resolve().parent / "data"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
SUBSCRIPTIONS = 50
DRIFT_RATE = 0.01
SEED = 20260401
# Bump when the output format changes, so stale data is regenerated.
FORMAT_VERSION = 7

CLIENT_ID = "bench-client-id"
# A demo credential of the local simulator, not a secret.
CLIENT_SECRET = "bench-client-secret"  # noqa: S105

# countryCode of the tenants generated in each region.
COUNTRY_CODES = {
    "us-east-1": "US",
    "eu-west-1": "IE",
    "eu-west-2": "GB",
    "eu-west-3": "FR",
    "eu-north-1": "SE",
    "eu-central-1": "DE",
    "ap-southeast-1": "SG",
    "ap-southeast-2": "AU",
    "ap-northeast-1": "JP",
    "ap-south-1": "IN",
    "il-central-1": "IL",
    "me-central-1": "AE",
    "sa-east-1": "BR",
    "ca-central-1": "CA",
}

# regionCode -> (hostname label, countryCode), for every region that has a
# hostname label. us-east-2, us-west-1 and us-west-2 have none, so no
# <name>.<label>.qlikcloud.com hostname can name them and they are left out.
REGIONS: dict[str, tuple[str, str]] = {
    entry.region_code: (label, COUNTRY_CODES[entry.region_code])
    for label, entry in HOSTNAME_LABELS.items()
}

# Drift kinds given to single tenants; "undeclared" tenants live under a
# subscription that no manifest declares and give one drift item in total.
TENANT_DRIFT = ("missing", "unmanaged", "changed", "moved", "undeclared")

_ID_ALPHABET = string.ascii_letters + string.digits


@dataclass(slots=True)
class Tenant:
    index: int
    subscription_id: str
    region_code: str
    id: str
    hostname: str
    name: str
    status: str = "active"
    aliases: list[str] = field(default_factory=list)
    pin_id: bool = False
    drift: str | None = None


@dataclass(slots=True)
class Organization:
    size: int
    seed: int
    subscriptions: list[str]
    undeclared_subscription: str
    tenants: list[Tenant]


def parse_size(text: str) -> int:
    """Return the tenant count of ``1k``, ``10k``, ``100k`` or a plain integer."""
    if text in SIZES:
        return SIZES[text]
    value = text.lower().removesuffix("k")
    try:
        count = int(value) * (1000 if text.lower().endswith("k") else 1)
    except ValueError:
        raise ValueError(
            f"invalid size {text!r}: use 1k, 10k, 100k or a number"
        ) from None
    if count < 100:
        raise ValueError(f"invalid size {text!r}: use at least 100 tenants")
    return count


def build_organization(size: int, seed: int = SEED) -> Organization:
    """Build the organization model: declared and live views derive from it."""
    rng = random.Random(f"{seed}:{size}")
    subscriptions = sorted({_subscription_id(rng) for _ in range(SUBSCRIPTIONS)})
    while len(subscriptions) < SUBSCRIPTIONS:
        subscriptions = sorted({*subscriptions, _subscription_id(rng)})
    undeclared = _subscription_id(rng)

    region_codes = list(REGIONS)
    tenants: list[Tenant] = []
    for index in range(size):
        region_code = region_codes[index % len(region_codes)]
        label = REGIONS[region_code][0]
        tenant = Tenant(
            index=index,
            subscription_id=rng.choice(subscriptions),
            region_code=region_code,
            id="".join(rng.choices(_ID_ALPHABET, k=32)),
            hostname=f"t{index:06d}-{_word(rng)}.{label}.qlikcloud.com",
            name=f"Tenant {index:06d}",
            pin_id=rng.random() < 0.5,
        )
        if index % 97 == 0:
            tenant.aliases.append(f"bi{index:06d}.example.com")
        if index % 53 == 0:
            tenant.status = "disabled"
        tenants.append(tenant)

    # Every drift kind gets the same number of distinct tenants.
    per_kind = max(1, round(size * DRIFT_RATE))
    chosen = rng.sample(range(size), per_kind * len(TENANT_DRIFT))
    for position, index in enumerate(chosen):
        tenants[index].drift = TENANT_DRIFT[position // per_kind]
    return Organization(size, seed, subscriptions, undeclared, tenants)


def _subscription_id(rng: random.Random) -> str:
    return str(rng.randrange(10**15, 10**16))


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=6))


def declared_tenants(org: Organization) -> list[Tenant]:
    """Return the tenants the manifests declare, in manifest order."""
    return [t for t in org.tenants if t.drift not in ("unmanaged", "undeclared")]


def live_tenants(org: Organization) -> list[dict[str, Any]]:
    """Return the live organization as Organization API tenant objects."""
    live: list[dict[str, Any]] = []
    for tenant in org.tenants:
        if tenant.drift == "missing":
            continue
        subscription_id = tenant.subscription_id
        name = tenant.name
        aliases = list(tenant.aliases)
        if tenant.drift == "changed":
            name = f"{tenant.name} (renamed)"
            if tenant.index % 2:
                aliases.append(f"old{tenant.index:06d}.example.com")
        elif tenant.drift == "moved":
            subscription_id = _other_subscription(org, tenant)
        elif tenant.drift == "undeclared":
            subscription_id = org.undeclared_subscription
        country = REGIONS[tenant.region_code][1]
        live.append(
            {
                "id": tenant.id,
                "name": name,
                "status": tenant.status,
                "createdAt": "2025-01-15T10:30:00.000Z",
                "updatedAt": "2026-06-20T14:45:00.000Z",
                "hostnames": [tenant.hostname, *aliases],
                "regionCode": tenant.region_code,
                "countryCode": country,
                "licenseNumber": subscription_id,
                "subscriptionId": subscription_id,
            }
        )
    return live


def _other_subscription(org: Organization, tenant: Tenant) -> str:
    count = len(org.subscriptions)
    position = org.subscriptions.index(tenant.subscription_id)
    # An offset of 1 to count-1 never lands on the tenant's own subscription.
    return org.subscriptions[(position + 1 + tenant.index % (count - 1)) % count]


def expected_drift(org: Organization) -> dict[str, dict[str, int]]:
    """Return the drift item count per kind a check must report, per scope."""
    counts = Counter(t.drift for t in org.tenants if t.drift)
    common = {
        "missing": counts["missing"],
        "unmanaged": counts["unmanaged"],
        "changed": counts["changed"],
        "moved": counts["moved"],
    }
    return {
        "organization": {**common, "undeclared-subscription": 1},
        # A read of the declared subscriptions does not list the undeclared one.
        "subscriptions": {**common, "undeclared-subscription": 0},
    }


def render_manifest(org: Organization, subscription_ids: list[str]) -> str:
    """Return one manifest document declaring ``subscription_ids``.

    The YAML is written by hand: yaml.dump takes longer than the benchmarks
    it feeds at 100k tenants, and the format here is fixed and simple.
    """
    by_subscription: dict[str, list[Tenant]] = {s: [] for s in subscription_ids}
    for tenant in declared_tenants(org):
        if tenant.subscription_id in by_subscription:
            by_subscription[tenant.subscription_id].append(tenant)
    lines = [
        f"# Synthetic manifest: {org.size} tenants, seed {org.seed}.",
        "apiVersion: qlik-drift/v1",
        "kind: TenantManifest",
        "subscriptions:",
    ]
    for subscription_id in subscription_ids:
        number = org.subscriptions.index(subscription_id) + 1
        lines.append(f'  - subscriptionId: "{subscription_id}"')
        lines.append(f"    description: Business unit {number:02d}")
        lines.append("    tenants:")
        for tenant in by_subscription[subscription_id]:
            lines.extend(_tenant_lines(_tenant_fields(tenant)))
    return "\n".join(lines) + "\n"


def _tenant_fields(tenant: Tenant) -> dict[str, str]:
    """Return the tenant's manifest fields as YAML value text, in file order."""
    fields = {"hostname": tenant.hostname}
    if tenant.pin_id:
        fields["id"] = tenant.id
    fields["name"] = tenant.name
    fields["regionCode"] = tenant.region_code
    if tenant.status != "active":
        fields["status"] = tenant.status
    if tenant.aliases:
        fields["aliases"] = f"[{', '.join(tenant.aliases)}]"
    return fields


def _tenant_lines(fields: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for key, value in fields.items():
        prefix = "      - " if not lines else "        "
        lines.append(f"{prefix}{key}: {value}")
    return lines


# Schema errors injected into the invalid manifest: (subscription index,
# tenant index or None for the subscription, field, new YAML value or None to
# delete the field), and the JSON path each error is reported at.
INJECTED_ERRORS: tuple[tuple[int, int | None, str, str | None, str], ...] = (
    (0, 0, "regionCode", None, "$.subscriptions[0].tenants[0].regionCode"),
    (0, 1, "regionCode", "eu-west-9", "$.subscriptions[0].tenants[1].regionCode"),
    (0, 2, "status", "paused", "$.subscriptions[0].tenants[2].status"),
    (0, 3, "region", "eu", "$.subscriptions[0].tenants[3].region"),
    (1, None, "subscriptionId", "UNQUOTED", "$.subscriptions[1].subscriptionId"),
    (2, 0, "hostname", "bad_host!.example", "$.subscriptions[2].tenants[0].hostname"),
    (2, 1, "name", '""', "$.subscriptions[2].tenants[1].name"),
    (
        3,
        0,
        "aliases",
        "[a.example.com, a.example.com]",
        "$.subscriptions[3].tenants[0].aliases",
    ),
    (3, 1, "id", "bad/id", "$.subscriptions[3].tenants[1].id"),
    (4, None, "owner", "finops", "$.subscriptions[4].owner"),
)


def render_invalid_manifest(org: Organization) -> str:
    """Return a manifest of five subscriptions with ``INJECTED_ERRORS`` in it."""
    subscription_ids = org.subscriptions[:5]
    by_subscription: dict[str, list[dict[str, str]]] = {s: [] for s in subscription_ids}
    for tenant in declared_tenants(org):
        if tenant.subscription_id in by_subscription:
            by_subscription[tenant.subscription_id].append(_tenant_fields(tenant))
    extra: dict[int, dict[str, str]] = {}
    for sub_index, tenant_index, key, value, _ in INJECTED_ERRORS:
        if tenant_index is None:
            extra.setdefault(sub_index, {})[key] = value or ""
            continue
        fields = by_subscription[subscription_ids[sub_index]][tenant_index]
        if value is None:
            del fields[key]
        else:
            fields[key] = value

    lines = ["apiVersion: qlik-drift/v1", "kind: TenantManifest", "subscriptions:"]
    for sub_index, subscription_id in enumerate(subscription_ids):
        subscription_fields = extra.get(sub_index, {})
        quoted = subscription_fields.pop("subscriptionId", None) != "UNQUOTED"
        shown = f'"{subscription_id}"' if quoted else subscription_id
        lines.append(f"  - subscriptionId: {shown}")
        lines.extend(
            f"    {key}: {value}" for key, value in subscription_fields.items()
        )
        lines.append("    tenants:")
        for fields in by_subscription[subscription_id]:
            lines.extend(_tenant_lines(fields))
    return "\n".join(lines) + "\n"


def render_state(org: Organization) -> str:
    """Return the simulator state file (JSON) of the live organization."""
    state = {
        "organization": f"Benchmark organization ({org.size} tenants)",
        "clients": [{"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}],
        "subscriptions": [
            {"subscriptionId": s, "licenseEndsAt": "2027-12-31"}
            for s in [*org.subscriptions, org.undeclared_subscription]
        ],
        "tenants": live_tenants(org),
    }
    return json.dumps(state, separators=(",", ":")) + "\n"


@dataclass(frozen=True, slots=True)
class DataSet:
    """Paths of one generated size."""

    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.yaml"

    @property
    def subscription_dir(self) -> Path:
        return self.root / "subscriptions"

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def expected(self) -> Path:
        return self.root / "expected.json"

    @property
    def invalid_manifest(self) -> Path:
        """A manifest with ``INJECTED_ERRORS``, built from this organization."""
        return self.root / "invalid.yaml"

    def subscription_files(self) -> list[Path]:
        return sorted(self.subscription_dir.glob("*.yaml"))

    def expected_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.expected.read_text(encoding="utf-8"))
        return data


def _stamp(size: int, seed: int) -> dict[str, Any]:
    return {"formatVersion": FORMAT_VERSION, "size": size, "seed": seed}


def ensure(size_name: str, data_dir: Path = DATA_DIR, seed: int = SEED) -> DataSet:
    """Return the data set of ``size_name``, generating it unless it is current."""
    size = parse_size(size_name)
    data = DataSet(data_dir / size_name)
    if data.expected.exists():
        stamp = data.expected_data().get("stamp")
        if stamp == _stamp(size, seed):
            return data
    generate(size, data, seed)
    return data


def generate(size: int, data: DataSet, seed: int = SEED) -> None:
    """Write every file of one size; ``expected.json`` last, as the stamp."""
    org = build_organization(size, seed)
    data.root.mkdir(parents=True, exist_ok=True)
    data.expected.unlink(missing_ok=True)
    if data.subscription_dir.exists():
        shutil.rmtree(data.subscription_dir)
    data.subscription_dir.mkdir()

    atomic_write_text(data.manifest, render_manifest(org, org.subscriptions))
    for subscription_id in org.subscriptions:
        path = data.subscription_dir / f"{subscription_id}.yaml"
        atomic_write_text(path, render_manifest(org, [subscription_id]))
    atomic_write_text(data.state, render_state(org))
    atomic_write_text(data.invalid_manifest, render_invalid_manifest(org))

    live = live_tenants(org)
    declared_subscriptions = set(org.subscriptions)
    listed_ids = {
        t["id"] for t in live if t["subscriptionId"] in declared_subscriptions
    }
    summary = {
        "stamp": _stamp(size, seed),
        "declaredTenants": len(declared_tenants(org)),
        "liveTenants": len(live),
        "liveTenantsBySubscription": dict(
            sorted(Counter(t["subscriptionId"] for t in live).items())
        ),
        # Pinned ids that no declared subscription lists: the subscriptions
        # scope reads each of them by id.
        "pinnedNotListed": sum(
            1 for t in declared_tenants(org) if t.pin_id and t.id not in listed_ids
        ),
        "subscriptions": org.subscriptions,
        "undeclaredSubscription": org.undeclared_subscription,
        "drift": expected_drift(org),
        "injectedErrors": [error[-1] for error in INJECTED_ERRORS],
    }
    atomic_write_text(data.expected, json.dumps(summary, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    for size_name in args.sizes.split(","):
        data = ensure(size_name.strip(), args.data_dir, args.seed)
        mib = data.manifest.stat().st_size / 2**20
        print(f"{size_name}: {data.root} (manifest {mib:.1f} MiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
